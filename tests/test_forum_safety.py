"""Hostile input, who may open what, and the byte budgets of DESIGN.md for forum pages."""
import gzip
import re

import pytest

from app.common.roles import Role
from app.extensions import db
from app.forum import services as forum
from app.forum.models import Thread
from app.moderation import services as moderation
from tests.forum_support import established, make_board, make_thread, newcomer, post_form, posts_of, suspended

HOSTILE = [
    "<script>alert(1)</script>",
    '"><script>alert(document.cookie)</script>',
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">bấm vào</a>',
    "[bấm vào](javascript:alert(1))",
    "[bấm vào](JaVaScRiPt:alert(1))",
    "[bấm vào](  javascript:alert(1))",
    "[bấm vào](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[bấm vào](vbscript:msgbox(1))",
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    '<div style="position:fixed;top:0">giả mạo</div>',
    "![ảnh](https://evil.example/track.png)",
    "<<script>script>alert(1)<</script>/script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "`<script>alert(1)</script>`",
    "Văn bản \u202eđảo chiều\u202c và \u200bkhông độ rộng\ufeff",
    "Ký tự NUL \x00 giữa câu",
    "Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357\u0358a\u0300\u0301\u0302\u0303\u0304\u0305lgo",
    "**" * 1200,
    "[" * 4000,
    "\n".join("  " * depth + "- mục" for depth in range(60)),
]
REFUSED = [
    ("x" * (forum.MAX_BODY + 1), "tối đa 5.000 ký tự"),
    ("> > > > trích dẫn lồng quá sâu", "tối đa 3 tầng"),
    ("\n".join(">" * depth + " tầng" for depth in range(1, 40)), "tối đa 3 tầng"),
    ("\u200b\u200b\u200b", "Hãy viết nội dung bài."),
    ("   \n\t  ", "Hãy viết nội dung bài."),
]
TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")
BAD_TAGS = {"script", "img", "svg", "iframe", "style", "object", "embed", "link", "meta"}
SAFE_URL = re.compile(r'^(https?://|mailto:|/|#)', re.IGNORECASE)


def dangerous(html: str) -> list[str]:
    """Real tags (not escaped text) that could run script, load from elsewhere or restyle the page."""
    found = []
    for name, attrs in TAG.findall(html):
        if name.lower() in BAD_TAGS or re.search(r"\s(on\w+|style)\s*=", attrs, re.IGNORECASE):
            found.append(f"<{name}{attrs}>")
        for url in re.findall(r'(?:href|src)="([^"]*)"', attrs):
            if not SAFE_URL.match(url):
                found.append(url)
    return found


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_post_is_rendered_harmless(client, htmx_headers, text, login_as):
    thread = make_thread()
    login_as(established())
    response = post_form(client, f"/dien-dan/thao-luan/{thread.id}/tra-loi", {"body": text})
    assert response.status_code in (303, 422)
    fragment = client.get(f"/dien-dan/thao-luan/{thread.id}", headers=htmx_headers)
    assert fragment.status_code == 200
    assert not dangerous(fragment.get_data(as_text=True))
    for post in posts_of(thread):
        assert not re.search("[\u202a-\u202e\u200b\ufeff\x00]", post.body_source)


@pytest.mark.parametrize("text,message", REFUSED)
def test_bad_posts_are_refused_with_a_clear_message(client, text, message, login_as):
    thread = make_thread()
    login_as(established())
    response = post_form(client, f"/dien-dan/thao-luan/{thread.id}/tra-loi", {"body": text})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert len(posts_of(thread)) == 1


@pytest.mark.parametrize("title", HOSTILE[:6] + ["\u202eTiêu đề đảo chiều\u202c", "A\x00B tiêu đề có NUL"])
def test_hostile_titles_are_escaped_or_cleaned(client, title, login_as):
    make_board()
    login_as(established())
    response = post_form(client, "/dien-dan/chuyen-doi-so/thao-luan-moi", {"title": title, "body": "Nội dung bình thường"})
    assert response.status_code in (303, 422)
    html = client.get("/dien-dan/chuyen-doi-so").get_data(as_text=True)
    main = html[html.index('<main'):]
    assert not dangerous(main)
    for thread in db.session.query(Thread):
        assert not re.search("[\u202a-\u202e\x00]", thread.title)


@pytest.mark.parametrize("url", [
    "/dien-dan/tim-kiem?q=%00", "/dien-dan/tim-kiem?q=" + "a" * 5000, "/dien-dan/tim-kiem?q=%25%5F%5C",
    "/dien-dan/thao-luan/1?page=%00", "/dien-dan/%00", "/kiem-duyet/nhat-ky?page=-1", "/kiem-duyet/bao-cao/xyz/1",
    "/dien-dan/thao-luan/1/tra-loi?quote=abc", "/dien-dan/thao-luan/99999999999999999999999",
])
def test_odd_requests_never_fail(client, url, login_as):
    make_thread()
    login_as(established())
    assert client.get(url).status_code in (200, 303, 400, 404)  # 400: a NUL in the path


@pytest.mark.parametrize("data", [
    {"decision": "bogus"}, {"decision": "suspend", "rule": "spam", "days": "abc"}, {"decision": "suspend", "rule": "spam", "days": "9999"},
    {"decision": "move", "board_id": "999"}, {"decision": "slow_mode", "minutes": "-5"}, {"decision": "hide", "rule": "nope"},
    {"decision": "hide", "rule": "spam", "note": "\x00" * 500},
])
def test_odd_moderator_input_never_fails(client, data, login_as):
    thread = make_thread()
    login_as(established(Role.MODERATOR))
    assert post_form(client, f"/kiem-duyet/quyet-dinh/thao-luan/{thread.id}", data).status_code == 303


@pytest.mark.parametrize("data", [{}, {"reason": "bogus"}, {"reason": "other", "note": "x" * 1000}, {"reason": "spam", "note": "\x00"}])
def test_odd_flags_never_fail(client, data, login_as):
    thread = make_thread()
    login_as(established())
    assert post_form(client, f"/kiem-duyet/bao-cao/thao-luan/{thread.id}", data).status_code in (303, 422)


# Numbers in addresses and forms: every forum and moderation route, from app.url_map, so a new
# route is swept without anyone adding it here.

NUMBERS = ["1", "0", "-1", str(2**31), str(2**63), str(10**30), "99999999999999999999", "\u00b2"]
PLACEHOLDER = re.compile(r"<(?:\w+:)?(\w+)>")


def _forum_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.split(".")[0] in ("forum", "moderation")]


def _addresses(rule, number: str, world: dict) -> list[str]:
    """The rule with every id the number, and with the ids of real rows (so the view runs and
    reads the number from the query and the form)."""
    real = {"thread_id": world["thread"], "post_id": world["post"], "decision_id": world["decision"],
            "target_id": world["post"], "slug": world["slug"]}
    addresses = []
    for kind in ("bai", "thao-luan") if "<kind>" in rule.rule else ("",):
        for ids in ({}, real):
            if kind == "thao-luan" and ids:
                ids = dict(ids, target_id=world["thread"])
            values = {"slug": world["slug"], "kind": kind, **ids}
            path = PLACEHOLDER.sub(lambda match, values=values: str(values.get(match.group(1), number)), rule.rule)
            addresses.append(f"{path}?page={number}&quote={number}")
    return addresses


def _numbers_form(number: str) -> dict:
    return {"body": "Nội dung thử với số", "title": "Tiêu đề thử với số", "quote_of": number, "board_id": number,
            "days": number, "minutes": number, "decision": "move", "rule": "spam", "note": "Ghi chú",
            "reason": "spam", "outcome": "overturn", "text": "Khiếu nại có đủ mười ký tự", "word": f"từ {number}",
            "name": f"Chuyên mục {number}", "post_policy": "everyone", "email": "a@example.vn", "kind": "expert",
            "starts_at": "2026-12-01T09:00", "ends_at": "2026-12-01T11:00", "panel": "a@example.vn",
            "submission_code": number}


@pytest.mark.parametrize("number", NUMBERS)
def test_no_forum_or_moderation_address_fails_on_a_number(app, client, world, monkeypatch, number, login_as):
    """Any integer in a path, a query or a form field answers 2xx, 3xx or 4xx, never 500."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # the sweep tests numbers, not tokens
    login_as(established(Role.ADMIN))
    rules = _forum_rules(app)
    assert len(rules) > 30
    for rule in rules:
        for url in _addresses(rule, number, world):
            for method in sorted(rule.methods & {"GET", "POST"}):
                response = client.get(url) if method == "GET" else client.post(url, data=_numbers_form(number))
                assert response.status_code < 500, (method, url, response.status_code)


@pytest.mark.parametrize("url", [
    "/kiem-duyet/nhat-ky?page=99999999999999999999", "/kiem-duyet/nhat-ky?page=100001",
    "/dien-dan/thao-luan/{thread}/tra-loi?quote=" + str(10**30), "/dien-dan/tim-kiem?q=du+lieu&page=" + str(2**63),
    "/dien-dan/{slug}?page=" + str(10**30),
])
def test_huge_numbers_in_a_query_are_simply_out_of_range(client, world, url, login_as):
    login_as(established())
    assert client.get(url.format(**world)).status_code == 200


# Who may open what: every forum and moderation route for every role.

ROLES = ("anonymous", "citizen", "suspended", "moderator", "admin")


@pytest.fixture()
def world(db):
    board = make_board()
    author = established(Role.MODERATOR)
    thread = make_thread(author, board)
    post = forum.reply(author, thread, "Một trả lời để bình chọn")
    target = forum.reply(established(), thread, "Bài sẽ bị ẩn")
    entry = moderation.decide(author, "hide", "post", target.id, "spam")
    return {"slug": board.slug, "thread": thread.id, "post": post.id, "decision": entry.id}


def _as(client, role, login_as):
    user = {"anonymous": None, "citizen": lambda: established(), "suspended": suspended,
            "moderator": lambda: established(Role.MODERATOR), "admin": lambda: established(Role.ADMIN)}[role]
    if user:
        login_as(user())
    return "/dien-dan" if user else "/dang-nhap"


#             url template                              anonymous citizen suspended moderator admin
GETS = [
    ("/dien-dan",                                       200, 200, 200, 200, 200),
    ("/dien-dan/{slug}",                                200, 200, 200, 200, 200),
    ("/dien-dan/thao-luan/{thread}",                    200, 200, 200, 200, 200),
    ("/dien-dan/bai/{post}",                            303, 303, 303, 303, 303),
    ("/dien-dan/tim-kiem?q=tra+loi",                    200, 200, 200, 200, 200),
    ("/kiem-duyet/nhat-ky",                             200, 200, 200, 200, 200),
    ("/dien-dan/{slug}/thao-luan-moi",                  303, 200, 200, 200, 200),
    ("/dien-dan/thao-luan/{thread}/tra-loi",            303, 200, 200, 200, 200),
    ("/dien-dan/hop-thu",                               301, 301, 301, 301, 301),
    ("/tai-khoan/thong-bao",                            303, 200, 200, 200, 200),
    ("/kiem-duyet/bao-cao/bai/{post}",                  303, 200, 200, 200, 200),
    ("/dien-dan/bai/{post}/sua",                        303, 403, 403, 303, 303),  # moderators: to theirs
    ("/kiem-duyet/bai/{post}/sua",                      303, 403, 403, 200, 200),
    ("/kiem-duyet/khang-nghi/{decision}",               303, 404, 404, 404, 404),
    ("/kiem-duyet",                                     303, 403, 403, 200, 200),
    ("/kiem-duyet/tu-cam",                              303, 403, 403, 200, 200),
    ("/quan-tri/chuyen-muc",                   303, 403, 403, 403, 200),
    ("/quan-tri/huy-hieu",                     303, 403, 403, 403, 200),
    ("/quan-tri/doi-thoai",                      303, 403, 403, 403, 200),
]
POSTS = [
    ("/dien-dan/thao-luan/{thread}/tra-loi",         {"body": "Trả lời theo vai trò"},                           303, 303, 422, 303, 303),
    ("/dien-dan/bai/{post}/binh-chon",               {},                                                         303, 303, 403, 303, 303),
    ("/kiem-duyet/bao-cao/bai/{post}",               {"reason": "spam"},                                         303, 303, 403, 303, 303),
    ("/dien-dan/thao-luan/{thread}/theo-doi",        {},                                                         303, 303, 303, 303, 303),
    ("/dien-dan/{slug}/theo-doi",                    {},                                                         303, 303, 303, 303, 303),
    ("/dien-dan/thao-luan/{thread}/giai-dap/{post}", {},                                                         303, 403, 403, 303, 303),
    ("/dien-dan/bai/{post}/xoa",                     {},                                                         303, 403, 403, 403, 403),
    ("/kiem-duyet/bai/{post}/sua",                   {"body": "Đã sửa", "rule": "spam", "note": "Gỡ quảng cáo"}, 303, 403, 403, 303, 303),
    ("/kiem-duyet/quyet-dinh/thao-luan/{thread}",    {"decision": "pin"},                                        303, 403, 403, 303, 303),
    ("/kiem-duyet/khang-nghi/1/quyet-dinh",          {"outcome": "uphold"},                                      303, 403, 403, 303, 303),
    ("/kiem-duyet/tu-cam",                           {"word": "từ mới"},                                         303, 403, 403, 303, 303),
    ("/quan-tri/chuyen-muc",                {"name": "Mới", "post_policy": "everyone"},                 303, 403, 403, 403, 303),
]


@pytest.mark.parametrize("role_index,role", list(enumerate(ROLES)))
@pytest.mark.parametrize("row", GETS, ids=[row[0] for row in GETS])
def test_every_page_gives_the_right_status_for_each_role(client, world, row, role_index, role, login_as):
    _as(client, role, login_as)
    response = client.get(row[0].format(**world))
    assert response.status_code == row[1 + role_index]
    if role == "anonymous" and response.status_code == 303:
        assert "/dang-nhap" in response.headers["Location"] or row[0].startswith("/dien-dan/bai/")


@pytest.mark.parametrize("role_index,role", list(enumerate(ROLES)))
@pytest.mark.parametrize("row", POSTS, ids=[row[0] for row in POSTS])
def test_every_action_gives_the_right_status_for_each_role(client, world, row, role_index, role, login_as):
    page = _as(client, role, login_as)
    response = post_form(client, row[0].format(**world), row[1], page=page)
    assert response.status_code == row[2 + role_index]


def test_login_redirect_for_htmx_uses_hx_redirect(client, world, htmx_headers):
    response = client.get("/tai-khoan/thong-bao", headers=htmx_headers)
    assert response.status_code == 204 and "/dang-nhap" in response.headers["HX-Redirect"]


# Byte budgets (DESIGN.md): a page within one TCP initial window, a fragment within 2 KB.

PAGE_BUDGET = 14600
FRAGMENT_BUDGET = 2048
REALISTIC = ("Theo tôi, việc mở dữ liệu lộ trình xe buýt sẽ giúp các nhóm khởi nghiệp làm ứng dụng tốt hơn. "
             "Cần chuẩn hoá định dạng GTFS và cập nhật hằng tuần. Xem [hướng dẫn](https://example.vn/gtfs).")


def _gzipped(response) -> int:
    return len(gzip.compress(response.get_data(), 6))


@pytest.fixture()
def busy_forum(db):
    board = make_board()
    moderator = established(Role.MODERATOR)
    for number in range(20):
        thread = make_thread(moderator, board, title=f"Chủ đề thảo luận số {number} về dữ liệu mở")
    for number in range(25):
        forum.reply(established(Role.OFFICER, agency_code="BKHCN"), thread, f"{REALISTIC} (ý kiến {number})")
    for number in range(5):
        forum.reply(newcomer(), thread, f"Bài chờ duyệt {number}: {REALISTIC}")
    return {"slug": board.slug, "thread": thread.id, "post": posts_of(thread)[3].id}


@pytest.mark.parametrize("url", [
    "/dien-dan", "/dien-dan/{slug}", "/dien-dan/thao-luan/{thread}", "/dien-dan/thao-luan/{thread}?page=2",
    "/dien-dan/tim-kiem?q=du+lieu", "/kiem-duyet/nhat-ky", "/kiem-duyet", "/tai-khoan/thong-bao",
    "/dien-dan/thao-luan/{thread}/tra-loi?quote={post}",
])
def test_forum_pages_fit_one_initial_window(client, busy_forum, url, login_as):
    login_as(established(Role.MODERATOR))
    response = client.get(url.format(**busy_forum))
    assert response.status_code == 200
    assert _gzipped(response) <= PAGE_BUDGET


@pytest.mark.parametrize("url", [
    "/dien-dan/{slug}?page=2", "/dien-dan/thao-luan/{thread}?page=2", "/dien-dan/thao-luan/{thread}?page=3",
    "/dien-dan/tim-kiem?q=du+lieu", "/kiem-duyet/nhat-ky", "/tai-khoan/thong-bao",
])
def test_forum_fragments_fit_two_kilobytes(client, busy_forum, htmx_headers, url, login_as):
    login_as(established())
    response = client.get(url.format(**busy_forum), headers=htmx_headers)
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    assert _gzipped(response) <= FRAGMENT_BUDGET, _gzipped(response)


def test_vote_fragment_fits_two_kilobytes(client, busy_forum, htmx_headers, login_as):
    login_as(established())
    response = post_form(client, f"/dien-dan/bai/{busy_forum['post']}/binh-chon", headers=htmx_headers)
    assert response.status_code == 200 and _gzipped(response) <= FRAGMENT_BUDGET



def test_a_full_inbox_fits_the_budgets(client, htmx_headers, login_as):
    """A page of the one inbox, forum lines with their links and moderators' notes, still fits."""
    reader = established()
    threads = [make_thread(title=f"Chủ đề thảo luận số {number} về dữ liệu mở giao thông") for number in range(3)]
    for thread in threads:
        forum.toggle_follow(reader, thread=thread)
    db.session.commit()
    for number in range(24):
        forum.reply(established(Role.OFFICER, agency_code="BKHCN"), threads[number % 3], f"{REALISTIC} (ý kiến {number})")
    own = forum.reply(reader, threads[0], REALISTIC)
    moderation.decide(established(Role.MODERATOR), "warn", "post", own.id, "offensive",
                   "Xin giữ lời lẽ ôn hoà, không nhắc tên người khác trong bài viết công khai.")
    login_as(reader)
    fragment = client.get("/tai-khoan/thong-bao", headers=htmx_headers)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html
    assert html.count("<li>") == 20 and html.count("<strong>") == 20 and "/kiem-duyet/khang-nghi/" in html
    assert _gzipped(fragment) <= FRAGMENT_BUDGET, _gzipped(fragment)
    page = client.get("/tai-khoan/thong-bao?page=2")
    assert page.status_code == 200 and _gzipped(page) <= PAGE_BUDGET


@pytest.mark.parametrize("url,data", [
    ("/quan-tri/doi-thoai", {"board_id": "1", "title": "Đối thoại", "body": "Giới thiệu", "starts_at": "2026-12-01T09:00",
                                     "ends_at": "2026-12-01T11:00", "panel": "a\x00b@example.vn"}),
    ("/quan-tri/doi-thoai", {"board_id": "abc", "starts_at": "không phải ngày"}),
    ("/quan-tri/huy-hieu", {"email": "x\x00@example.vn", "kind": "expert"}),
    ("/quan-tri/chuyen-muc", {"name": "\x00\u202e", "slug": "%00/../", "post_policy": "everyone"}),
    ("/kiem-duyet/tu-cam", {"word": "\x00\x00"}),
])
def test_odd_admin_input_never_fails(client, url, data, login_as):
    make_board()
    login_as(established(Role.ADMIN))
    assert post_form(client, url, data).status_code in (303, 422)
