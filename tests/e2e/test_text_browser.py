"""The citizen's path in w3m, a text browser with no JavaScript and no CSS: the strongest
proof that sending feedback and looking a code up need neither.

w3m reads and renders every page; the form is sent by w3m's own -post (the fields a person
fills in, with the form's hidden CSRF token and one-time key, and its session cookie), so the
server sees exactly what a text browser's form submission sends."""
import os
import re
import shutil
import subprocess
import tempfile
from html import unescape
from urllib.parse import urlencode

import pytest

W3M = shutil.which("w3m") or "/usr/bin/w3m"


@pytest.fixture(scope="module")
def w3m():
    if not os.path.exists(W3M):
        pytest.fail("w3m not found: `make test` installs Debian's w3m package")
    home = tempfile.mkdtemp(prefix="gopy-w3m-")

    def run(url: str, *options: str) -> str:
        env = {**os.environ, "HOME": home, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        result = subprocess.run([W3M, "-o", "display_charset=UTF-8", "-o", "accept_language=vi", "-cols", "100",
                                 *options, url], capture_output=True, text=True, env=env, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    yield run
    shutil.rmtree(home, ignore_errors=True)


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return unescape(match.group(1))


def test_guest_sends_feedback_and_looks_the_code_up_in_w3m(w3m, live_server):
    home = w3m(live_server.url + "/", "-dump")
    assert "Gửi góp ý" in home and "Tra cứu" in home, home

    form_text = w3m(live_server.url + "/gop-y/moi", "-dump")
    for label in ("Tiêu đề", "Nội dung", "Tỉnh, thành phố", "Họ và tên", "Gửi"):
        assert label in form_text, f"the form as text lacks {label!r}:\n{form_text}"

    raw = w3m(live_server.url + "/gop-y/moi", "-dump_both", "-o", "accept_encoding=identity")
    cookie = re.search(r"^Set-Cookie: (session=[^;]+)", raw, re.M | re.I)
    assert cookie, "the form set no session cookie"
    topic = re.search(r'<option value="(\d+)"', raw.split('id="topic_id"', 1)[1]).group(1)
    fields = {"csrf_token": _hidden(raw, "csrf_token"), "idempotency_key": _hidden(raw, "idempotency_key"),
              "kind": "concern", "topic_id": topic, "province_code": "", "ward_code": "",
              "title": "Đường truyền Internet ở xã chập chờn", "content": "Trường học của xã mất Internet mỗi chiều.",
              "contact_name": "Hà Thị Mỷ", "contact_phone": "0987 123 456", "submitter_kind": "individual",
              "consent_processing": "y"}
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as body:
        body.write(urlencode(fields))
    try:
        confirmation = w3m(live_server.url + "/gop-y/moi", "-dump", "-post", body.name,
                           "-header", f"Cookie: {cookie.group(1)}")
    finally:
        os.unlink(body.name)
    assert "Cảm ơn" in confirmation or "Đã gửi" in confirmation, confirmation
    code = re.search(r"(\d{3} \d{3} \d{4})", confirmation)
    assert code, f"no tracking code on the confirmation:\n{confirmation}"
    assert "Đường truyền Internet ở xã chập chờn" in confirmation

    status = w3m(f"{live_server.url}/tra-cuu?code={code.group(1).replace(' ', '+')}", "-dump")
    assert "Đã tiếp nhận" in status, status
    assert "Hà Thị Mỷ" not in status and "0987" not in status, "personal data on the public status"


def test_mistyped_code_is_explained_in_w3m(w3m, live_server):
    page = w3m(live_server.url + "/tra-cuu?code=1234567891", "-dump")
    assert "Tra cứu" in page
    assert re.search(r"gõ nhầm|không đúng|kiểm tra", page, re.I), page


def _published(live_server, title: str) -> str:
    from tests.factories import make_submission

    with live_server.app.app_context():
        submission, _token = make_submission(consent_publish=True, title=title)
        return submission.code


def test_the_duplicate_step_works_in_w3m(w3m, live_server):
    """No JavaScript: sending a title like a published one shows "is it one of these?" with
    every value kept; "send mine" from that page sends it."""
    code = _published(live_server, "Trạm bơm xã Yên Thành hỏng điều khiển từ xa")
    raw = w3m(live_server.url + "/gop-y/moi", "-dump_both", "-o", "accept_encoding=identity")
    cookie = re.search(r"^Set-Cookie: (session=[^;]+)", raw, re.M | re.I).group(1)
    topic = re.search(r'<option value="(\d+)"', raw.split('id="topic_id"', 1)[1]).group(1)
    fields = {"csrf_token": _hidden(raw, "csrf_token"), "idempotency_key": _hidden(raw, "idempotency_key"),
              "kind": "concern", "topic_id": topic, "province_code": "", "ward_code": "",
              "title": "Trạm bơm ở xã Yên Thành hỏng điều khiển", "content": "Trạm bơm không điều khiển từ xa được.",
              "contact_name": "Hồ Văn Bơm", "contact_phone": "0987 222 333", "submitter_kind": "individual",
              "consent_processing": "y"}

    def post(values: dict, *options: str) -> str:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as body:
            body.write(urlencode(values))
        try:
            return w3m(live_server.url + "/gop-y/moi", *options, "-post", body.name, "-header", f"Cookie: {cookie}")
        finally:
            os.unlink(body.name)

    step = post(fields, "-dump")
    assert "Có phải một trong các góp ý này?" in step, step
    assert "Trạm bơm xã Yên Thành hỏng điều khiển từ xa" in step and "Gửi góp ý của tôi" in step
    source = post(fields, "-dump_source", "-o", "accept_encoding=identity")
    kept = {name: unescape(value) for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"',
                                                                source)}
    assert kept["title"] == fields["title"] and kept["contact_name"] == "Hồ Văn Bơm" and kept["similar_checked"] == "1"
    confirmation = post({**fields, **kept}, "-dump")
    assert "Cảm ơn" in confirmation or "Đã gửi" in confirmation, confirmation
    assert re.search(r"\d{3} \d{3} \d{4}", confirmation)
    public = w3m(f"{live_server.url}/gop-y/{code}", "-dump")
    assert "Bạn cũng quan tâm vấn đề này?" in public and "Tôi cũng quan tâm" in public


def test_statistics_and_open_data_read_in_w3m(w3m, live_server):
    stats = w3m(live_server.url + "/thong-ke", "-dump")
    for words in ("Thống kê", "Theo tháng tiếp nhận", "Trả lời đúng hạn", "Theo tỉnh, thành phố"):
        assert words in stats, words
    scorecard = w3m(live_server.url + "/thong-ke/co-quan", "-dump")
    assert "Bảng đánh giá các cơ quan" in scorecard and "Đang quá hạn" in scorecard
    opendata = w3m(live_server.url + "/du-lieu-mo", "-dump")
    assert "CC BY 4.0" in opendata and "JSON Lines" in opendata
