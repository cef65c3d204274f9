"""The citizen's path in w3m, a text browser with no JavaScript and no CSS: the strongest
proof that sending feedback and looking a code up need neither.

w3m reads and renders every page; the form is sent by w3m's own -post (the fields a person
fills in, with the form's hidden CSRF token and one-time key, and its session cookie), so the
server sees exactly what a text browser's form submission sends."""
import http.client
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


# The account pages of issue 9, each read and used in w3m.

NEW_PASSWORD = "song-hong-chay-qua-ha-noi"


def _form(w3m, url: str, cookie: str | None = None) -> tuple[str, str]:
    """The page's source as w3m receives it and the session cookie to send its form with."""
    headers = ("-header", f"Cookie: {cookie}") if cookie else ()
    raw = w3m(url, "-dump_both", "-o", "accept_encoding=identity", *headers)
    found = re.search(r"^Set-Cookie: (session=[^;]+)", raw, re.M | re.I)
    return raw, found.group(1) if found else cookie


def _post(w3m, url: str, fields: dict, cookie: str, *options: str) -> str:
    """Send a form the way w3m does (its -post), rendered as text, redirects followed."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as body:
        body.write(urlencode(fields))
    try:
        return w3m(url, "-dump", *options, "-post", body.name, "-header", f"Cookie: {cookie}")
    finally:
        os.unlink(body.name)


def _links(w3m, url: str, cookie: str | None = None) -> str:
    """The page as text with the list of its links (w3m's references) below it."""
    headers = ("-header", f"Cookie: {cookie}") if cookie else ()
    return w3m(url, "-dump", "-o", "display_link_number=1", *headers)


def _account(live_server, **values):
    from tests.factories import make_user

    with live_server.app.app_context():
        user = make_user(**values)
        return user.id, user.email


def _signed_in_cookie(w3m, live_server, email: str) -> str:
    """Sign in through the sign-in form, as w3m sends it; the session cookie it was given."""
    from tests.factories import PASSWORD

    raw, cookie = _form(w3m, live_server.url + "/dang-nhap")
    fields = {"csrf_token": _hidden(raw, "csrf_token"), "identifier": email, "password": PASSWORD}
    # w3m follows the 303 and shows only the last answer's headers: the sign-in's own answer,
    # with the signed-in session's cookie, is read here (the same form, the same fields).
    host, port = live_server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("POST", "/dang-nhap", body=urlencode(fields), headers={
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        answer = connection.getresponse()
        assert answer.status == 303, f"signing in answered {answer.status}"
        found = [value.split(";", 1)[0] for value in answer.msg.get_all("Set-Cookie") or []
                 if value.startswith("session=")]
    finally:
        connection.close()
    assert found, "signing in set no session cookie"
    return found[0]


def _outbox_to(live_server, recipient: str) -> list[str]:
    from sqlalchemy import select

    from app.extensions import db
    from app.notify.models import OutboxMessage

    with live_server.app.app_context():
        return list(db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == recipient)
                                       .order_by(OutboxMessage.id)))


def test_forgot_password_and_reset_in_w3m(w3m, live_server):
    _user_id, email = _account(live_server, email="quen-w3m@example.vn")
    page = w3m(live_server.url + "/tai-khoan/quen-mat-khau", "-dump")
    assert "Quên mật khẩu?" in page and "Địa chỉ thư điện tử hoặc số di động" in page and "Gửi liên kết" in page
    raw, cookie = _form(w3m, live_server.url + "/tai-khoan/quen-mat-khau")
    sent = _post(w3m, live_server.url + "/tai-khoan/quen-mat-khau",
                 {"csrf_token": _hidden(raw, "csrf_token"), "identifier": email}, cookie)
    assert "Hãy xem thư hoặc tin nhắn" in sent and "trong vòng 1 giờ" in sent, sent
    link = re.search(r"(/tai-khoan/dat-lai-mat-khau/[\w-]+)", _outbox_to(live_server, email)[-1]).group(1)
    reset_page = w3m(live_server.url + link, "-dump")
    assert "Mật khẩu mới" in reset_page, reset_page
    raw, cookie = _form(w3m, live_server.url + link)
    done = _post(w3m, live_server.url + link, {"csrf_token": _hidden(raw, "csrf_token"), "password": NEW_PASSWORD,
                                               "confirm": NEW_PASSWORD}, cookie)
    assert "Đăng nhập" in done and "Mật khẩu" in done, done
    told = _outbox_to(live_server, email)
    assert len(told) == 2 and "Mật khẩu tài khoản Góp Ý của bạn vừa được đổi" in told[-1], "the change is told"
    with live_server.app.app_context():
        from sqlalchemy import select

        from app.accounts.models import User
        from app.extensions import db

        assert db.session.scalar(select(User).where(User.email == email)).check_password(NEW_PASSWORD)


def test_registration_ends_on_check_your_messages_in_w3m(w3m, live_server):
    raw, cookie = _form(w3m, live_server.url + "/dang-ky")
    page = _post(w3m, live_server.url + "/dang-ky", {
        "csrf_token": _hidden(raw, "csrf_token"), "kind": "individual", "full_name": "Mùa A Chứ",
        "identifier": "mua-a-chu@example.vn", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        cookie, "-o", "display_link_number=1")
    text = " ".join(page.split("References:", 1)[0].split())  # the words, whatever the line breaks
    assert "Hãy xem thư hoặc tin nhắn" in text and "hướng dẫn bước tiếp theo" in text, page
    references = page.split("References:", 1)[1]
    assert "/dang-nhap" in references and "/tai-khoan/quen-mat-khau" in references, "its two ways on are links"


def test_two_step_enrolment_key_is_readable_and_usable_in_w3m(w3m, live_server):
    import pyotp

    user_id, email = _account(live_server, email="hai-buoc-w3m@example.vn")
    cookie = _signed_in_cookie(w3m, live_server, email)
    url = live_server.url + "/tai-khoan/xac-thuc-hai-buoc/bat"
    raw, cookie = _form(w3m, url, cookie)
    page = w3m(url, "-dump", "-header", f"Cookie: {cookie}")
    assert "Bật đăng nhập hai bước" in page and "mã dự phòng" in page, page
    key = re.search(r"Khóa: ([A-Z2-7]{16,})", page)
    assert key, f"the key is not shown as text one can type:\n{page}"
    assert len(re.findall(r"^\s*•\s+[a-z2-9]{5}-[a-z2-9]{5}$", page, re.M)) == 10, "ten recovery codes as text"
    # The enrolment form is the page shown with the same key: the key read as text makes the code.
    shown = re.search(r'<code class="app-secret">([A-Z2-7]+)</code>', raw).group(1)
    assert shown in page
    done = _post(w3m, url, {"csrf_token": _hidden(raw, "csrf_token"), "code": pyotp.TOTP(shown).now()}, cookie)
    assert "hai bước" in done, done
    with live_server.app.app_context():
        from app.accounts.models import User
        from app.extensions import db

        assert db.session.get(User, user_id).has_two_factor


def test_my_data_and_erase_in_w3m(w3m, live_server):
    from tests.factories import PASSWORD

    user_id, email = _account(live_server, email="du-lieu-w3m@example.vn")
    cookie = _signed_in_cookie(w3m, live_server, email)
    mine = _links(w3m, live_server.url + "/tai-khoan/du-lieu", cookie)
    assert "Dữ liệu của tôi" in mine and "Chuẩn bị dữ liệu của tôi" in mine and "Sự đồng ý của bạn" in mine, mine
    assert "/tai-khoan/xoa" in mine.split("References:", 1)[1], "the erase page is a link"
    page = w3m(live_server.url + "/tai-khoan/xoa", "-dump", "-header", f"Cookie: {cookie}")
    assert "Việc này không thể hoàn tác" in page and "một cựu thành viên" in page and "Mật khẩu của bạn" in page
    raw, cookie = _form(w3m, live_server.url + "/tai-khoan/xoa", cookie)
    refused = _post(w3m, live_server.url + "/tai-khoan/xoa", {"csrf_token": _hidden(raw, "csrf_token"),
                                                             "password": PASSWORD}, cookie)
    assert "Xoá tài khoản của tôi" in refused  # the box unticked: the page again, nothing erased
    with live_server.app.app_context():
        from app.accounts.models import User
        from app.extensions import db

        assert db.session.get(User, user_id) is not None
    _post(w3m, live_server.url + "/tai-khoan/xoa", {"csrf_token": _hidden(raw, "csrf_token"), "password": PASSWORD,
                                                   "confirm": "y"}, cookie)
    with live_server.app.app_context():
        from sqlalchemy import func, select

        from app.accounts.models import User
        from app.extensions import db

        assert db.session.scalar(select(func.count()).select_from(User).where(User.email == email)) == 0


def test_organisation_request_form_reads_in_w3m(w3m, live_server):
    _user_id, email = _account(live_server, email="to-chuc-w3m@example.vn")
    cookie = _signed_in_cookie(w3m, live_server, email)
    page = w3m(live_server.url + "/tai-khoan/to-chuc", "-dump", "-header", f"Cookie: {cookie}")
    for words in ("Xác minh tổ chức", "Tên tổ chức", "Mã số thuế", "0100109106-001",
                  "Giấy chứng nhận đăng ký doanh nghiệp", "Gửi yêu cầu"):
        assert words in page, f"{words!r} missing:\n{page}"
    raw, _cookie = _form(w3m, live_server.url + "/tai-khoan/to-chuc", cookie)
    form = raw.split('enctype="multipart/form-data"', 1)
    assert len(form) == 2 and 'type="file"' in form[1], "the document goes with the form, as a file field"


def test_sign_in_page_offers_the_digital_identity_as_a_link_in_w3m(w3m, live_server, monkeypatch):
    """With a provider configured, its button is a plain link: followed by a text browser too."""
    monkeypatch.setitem(live_server.app.config, "OIDC_PROVIDERS", {
        "vneid": {"label": "VNeID", "level_claim": "acr", "level2_values": ["2"]}})
    page = _links(w3m, live_server.url + "/dang-nhap")
    text = " ".join(page.split("References:", 1)[0].split())
    assert "Hoặc đăng nhập bằng định danh điện tử" in text and "Đăng nhập bằng VNeID" in text, page
    assert "/dang-nhap/dinh-danh/vneid" in page.split("References:", 1)[1]
    monkeypatch.undo()
    assert "VNeID" not in w3m(live_server.url + "/dang-nhap", "-dump"), "no provider, no button"
