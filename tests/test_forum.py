"""The forum: reading in small pages, writing in safe Markdown, votes, answers, follows, search."""
import re
from datetime import timedelta

import pytest
from flask import render_template

from app.accounts.models import AccountKind, Identity, Organisation, OrganisationStatus
from app.common.permissions import EDIT_WINDOW
from app.common.roles import Role
from app.common.time import utcnow
from app.extensions import db
from app.forum import services as forum
from app.forum.models import Badge, Post
from app.notify.models import Notification
from tests.factories import make_submission
from tests.forum_support import established, make_board, make_thread, post_form, posts_of


def test_forum_index_lists_boards_as_page(client):
    make_board()
    response = client.get("/dien-dan")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html
    assert "Chuyển đổi số" in html and "Diễn đàn" in html


def test_board_page_and_fragment_share_the_thread_list(client, htmx_headers):
    thread = make_thread()
    page = client.get("/dien-dan/chuyen-doi-so")
    fragment = client.get("/dien-dan/chuyen-doi-so", headers=htmx_headers)
    assert page.status_code == fragment.status_code == 200
    assert "<html" in page.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)
    assert thread.title in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]


def test_unknown_board_and_thread_are_404(client):
    assert client.get("/dien-dan/khong-co").status_code == 404
    assert client.get("/dien-dan/thao-luan/999999").status_code == 404
    assert client.get("/dien-dan/bai/999999").status_code == 404


def test_citizen_starts_a_thread_and_replies(client, login_as):
    make_board()
    citizen = established()
    login_as(citizen)
    response = post_form(client, "/dien-dan/chuyen-doi-so/thao-luan-moi",
                         {"title": "Đề xuất mở dữ liệu xe buýt", "body": "Nên công bố **lộ trình** xe buýt."})
    assert response.status_code == 303
    thread_url = response.headers["Location"]
    reply = post_form(client, thread_url + "/tra-loi", {"body": "Tôi đồng ý với đề xuất này."}, page=thread_url)
    assert reply.status_code == 303
    html = client.get(thread_url).get_data(as_text=True)
    assert "<strong>lộ trình</strong>" in html and "Tôi đồng ý với đề xuất này." in html


def test_invalid_thread_keeps_what_was_typed(client, login_as):
    make_board()
    login_as(established())
    response = post_form(client, "/dien-dan/chuyen-doi-so/thao-luan-moi",
                         {"title": "Ồ", "body": "Nội dung vẫn còn đây"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nội dung vẫn còn đây" in html and 'href="#title"' in html


def test_quote_prefills_the_reply_with_the_quoted_post(client, login_as):
    thread = make_thread(body="Câu gốc cần trích dẫn")
    first = posts_of(thread)[0]
    login_as(established())
    html = client.get(f"/dien-dan/thao-luan/{thread.id}/tra-loi?quote={first.id}").get_data(as_text=True)
    assert "&gt; Câu gốc cần trích dẫn" in html
    assert f'name="quote_of" type="hidden" value="{first.id}"' in html


def test_long_thread_is_paginated_with_load_more_and_plain_links(client, htmx_headers):
    thread = make_thread(replies=24)
    html = client.get(f"/dien-dan/thao-luan/{thread.id}").get_data(as_text=True)
    assert html.count('<article') == forum.POSTS_PER_PAGE
    assert f'href="/dien-dan/thao-luan/{thread.id}?page=2"' in html and 'rel="next"' in html
    assert f'hx-get="/dien-dan/thao-luan/{thread.id}?page=2"' in html
    more = client.get(f"/dien-dan/thao-luan/{thread.id}?page=2", headers=htmx_headers).get_data(as_text=True)
    assert "<html" not in more and more.count('<article') == 10 and "page=3" in more
    last = client.get(f"/dien-dan/thao-luan/{thread.id}?page=3").get_data(as_text=True)
    assert "Ý kiến số 24" in last and 'rel="prev"' in last


@pytest.mark.parametrize("trang", ["0", "-3", "abc", "99999999999999999999"])
def test_odd_page_numbers_do_not_fail(client, trang):
    thread = make_thread()
    assert client.get(f"/dien-dan/thao-luan/{thread.id}?page={trang}").status_code == 200


def test_markdown_links_are_nofollow_and_images_are_not_loaded(client):
    author = established(Role.MODERATOR)
    thread = make_thread(author, body="Xem [báo cáo](https://example.vn/bao-cao) và ![ảnh](https://evil.example/x.png)")
    html = client.get(f"/dien-dan/thao-luan/{thread.id}").get_data(as_text=True)
    assert '<a href="https://example.vn/bao-cao" rel="nofollow ugc noopener">báo cáo</a>' in html
    assert "<img" not in html


def test_author_edits_within_the_window_and_the_edit_is_shown(client, login_as):
    citizen = established()
    thread = make_thread(citizen, body="Bản đầu tiên của bài viết")
    post = posts_of(thread)[0]
    login_as(citizen)
    response = post_form(client, f"/dien-dan/bai/{post.id}/sua", {"body": "Bản đã sửa của bài viết"})
    assert response.status_code == 303
    html = client.get(f"/dien-dan/thao-luan/{thread.id}").get_data(as_text=True)
    assert "Bản đã sửa" in html and "đã sửa" in html


def test_edit_after_the_window_is_refused(client, login_as):
    citizen = established()
    thread = make_thread(citizen)
    post = posts_of(thread)[0]
    post.created_at = utcnow() - EDIT_WINDOW - timedelta(minutes=1)
    db.session.commit()
    login_as(citizen)
    assert client.get(f"/dien-dan/bai/{post.id}/sua").status_code == 403
    assert post_form(client, f"/dien-dan/bai/{post.id}/sua", {"body": "Sửa muộn"}).status_code == 403


def _edit_links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]*/sua)"', html))


def test_edit_link_shows_only_while_the_edit_page_opens(client, login_as):
    """The page offers "Edit" on a post exactly when following the link works: not once the
    author's window has passed (it used to show, and answer 403)."""
    citizen = established()
    thread = make_thread(citizen)
    late = posts_of(thread)[0]
    late.created_at = utcnow() - EDIT_WINDOW - timedelta(minutes=1)
    db.session.commit()
    fresh = forum.reply(citizen, thread, "Bài vừa viết xong")
    login_as(citizen)
    links = _edit_links(client.get(f"/dien-dan/thao-luan/{thread.id}").get_data(as_text=True))
    assert links == {f"/dien-dan/bai/{fresh.id}/sua"}
    assert client.get(f"/dien-dan/bai/{fresh.id}/sua").status_code == 200


def test_a_moderator_edits_others_posts_on_the_moderation_page(client, login_as):
    """A moderator's "Edit" on someone's post opens the page that asks for the rule and a note;
    on their own post, the author's page; the author's address sends them on."""
    moderator = established(Role.MODERATOR)
    thread = make_thread(established())
    opening = posts_of(thread)[0]
    own = forum.reply(moderator, thread, "Bài của người kiểm duyệt")
    login_as(moderator)
    links = _edit_links(client.get(f"/dien-dan/thao-luan/{thread.id}").get_data(as_text=True))
    assert links == {f"/kiem-duyet/bai/{opening.id}/sua", f"/dien-dan/bai/{own.id}/sua"}
    assert all(client.get(link).status_code == 200 for link in links)
    moved = client.get(f"/dien-dan/bai/{opening.id}/sua")
    assert moved.status_code == 303 and moved.headers["Location"] == f"/kiem-duyet/bai/{opening.id}/sua"
    sent = post_form(client, f"/dien-dan/bai/{opening.id}/sua", {"body": "Bài đã sửa"})
    assert sent.status_code == 307 and sent.headers["Location"] == f"/kiem-duyet/bai/{opening.id}/sua"


def test_someone_else_cannot_edit_or_delete_my_post(client, login_as):
    thread = make_thread(established(), replies=0)
    post = posts_of(thread)[0]
    login_as(established())
    assert client.get(f"/dien-dan/bai/{post.id}/sua").status_code == 403
    assert post_form(client, f"/dien-dan/bai/{post.id}/xoa").status_code == 403


def test_deleting_my_reply_leaves_a_placeholder(client, login_as):
    citizen = established()
    thread = make_thread()
    reply = forum.reply(citizen, thread, "Bài tôi sẽ xoá đi")
    login_as(citizen)
    assert post_form(client, f"/dien-dan/bai/{reply.id}/xoa").status_code == 303
    html = client.get(f"/dien-dan/thao-luan/{thread.id}").get_data(as_text=True)
    assert "Bài tôi sẽ xoá đi" not in html and "Bài viết này đã bị xoá." in html


def test_vote_counts_once_per_account_and_toggles(client, htmx_headers, login_as):
    thread = make_thread()
    post = posts_of(thread)[0]
    voter = established()
    login_as(voter)
    first = post_form(client, f"/dien-dan/bai/{post.id}/binh-chon", headers=htmx_headers)
    body = first.get_data(as_text=True)
    assert first.status_code == 200 and "(1)" in body and "<html" not in body
    assert 'aria-pressed="true"' in first.get_data(as_text=True)
    second = post_form(client, f"/dien-dan/bai/{post.id}/binh-chon")
    assert second.status_code == 303
    db.session.refresh(post)
    assert post.score == 0


def test_thread_author_marks_the_answer_but_another_citizen_cannot(client, login_as):
    author = established()
    thread = make_thread(author)
    answer = forum.reply(established(Role.OFFICER, agency_code="BKHCN"), thread, "Bộ đã có hướng dẫn tại Thông tư 01.")
    login_as(established())
    assert post_form(client, f"/dien-dan/thao-luan/{thread.id}/giai-dap/{answer.id}").status_code == 403
    login_as(author)
    assert post_form(client, f"/dien-dan/thao-luan/{thread.id}/giai-dap/{answer.id}").status_code == 303
    db.session.refresh(thread)
    assert thread.answer_post_id == answer.id
    assert "app-post--answer" in client.get(f"/dien-dan/thao-luan/{thread.id}").get_data(as_text=True)


def test_badges_show_agency_expert_organisation_and_verified(client):
    official = established(Role.OFFICER, agency_code="BKHCN", full_name="Trần Cán Bộ")
    expert = established(full_name="Lê Nhà Khoa Học")
    db.session.add(Badge(user_id=expert.id, kind="expert", label="PGS.TS. Vật lý"))
    business = established(kind=AccountKind.ORGANISATION, org_name="Công ty Sông Hồng", tax_code="0100109106")
    db.session.add(Organisation(owner_id=business.id, name="Công ty Sông Hồng", tax_code="0100109106",
                                status=OrganisationStatus.VERIFIED))  # the badge follows verification only
    citizen = established(full_name="Phạm Định Danh")
    db.session.add(Identity(user_id=citizen.id, provider="vneid", subject="x1", assurance_level=2))
    db.session.commit()
    thread = make_thread(official)
    for user in (expert, business, citizen):
        forum.reply(user, thread, f"Ý kiến của {user.display_name}")
    html = client.get(f"/dien-dan/thao-luan/{thread.id}").get_data(as_text=True)
    agency_name = official.agency.name
    assert f"Cán bộ · {agency_name}" in html
    assert "Chuyên gia · PGS.TS. Vật lý" in html
    assert "app-badge--organisation" in html and "app-badge--verified" in html


def test_unread_markers_for_signed_in_readers(client, login_as):
    reader = established()
    thread = make_thread()
    login_as(reader)
    assert "app-unread" in client.get("/dien-dan/chuyen-doi-so").get_data(as_text=True)
    client.get(f"/dien-dan/thao-luan/{thread.id}")
    assert "app-unread" not in client.get("/dien-dan/chuyen-doi-so").get_data(as_text=True)
    forum.reply(established(Role.MODERATOR), thread, "Một trả lời mới hơn")
    assert "app-unread" in client.get("/dien-dan/chuyen-doi-so").get_data(as_text=True)
    html = client.get(f"/dien-dan/thao-luan/{thread.id}").get_data(as_text=True)
    assert html.count("app-tag--new") == 1


def test_followers_get_new_replies_in_their_inbox(client, login_as):
    thread = make_thread()
    follower = established()
    login_as(follower)
    assert post_form(client, f"/dien-dan/thao-luan/{thread.id}/theo-doi").status_code == 303
    reply = forum.reply(established(Role.MODERATOR), thread, "Có tin mới về sóng di động")
    [item] = db.session.query(Notification).filter_by(user_id=follower.id).all()
    assert item.link == f"/dien-dan/bai/{reply.id}" and item.submission_id is None
    assert 'href="/tai-khoan/thong-bao">Hộp thư (1)</a>' in client.get("/dien-dan").get_data(as_text=True)
    html = client.get("/tai-khoan/thong-bao").get_data(as_text=True)
    assert f'<a href="/dien-dan/bai/{reply.id}">Bài mới trong “{thread.title}”</a>' in html and "(1)" in html
    assert "(1)" not in client.get("/tai-khoan/thong-bao").get_data(as_text=True)  # read now
    assert 'href="/tai-khoan/thong-bao">Hộp thư</a>' in client.get("/dien-dan").get_data(as_text=True)


def test_old_forum_inbox_address_moves_to_the_one_inbox(client):
    response = client.get("/dien-dan/hop-thu")
    assert response.status_code == 301 and response.headers["Location"] == "/tai-khoan/thong-bao"


def test_board_followers_hear_of_new_threads(client, login_as):
    board = make_board()
    follower = established()
    login_as(follower)
    post_form(client, "/dien-dan/chuyen-doi-so/theo-doi")
    make_thread(board=board)
    assert db.session.query(Notification).filter_by(user_id=follower.id).count() == 1


@pytest.mark.parametrize("query", ["chuyen doi so", "CHUYỂN ĐỔI SỐ", "chuyển doi so"])
def test_search_ignores_diacritics(client, query, htmx_headers):
    make_thread(title="Chuyển đổi số cấp xã", body="Nội dung")
    make_thread(title="Một chủ đề khác", body="Bài có nhắc tới chuyển đổi số ở cuối")
    make_thread(title="Không liên quan", body="Giá lúa tăng")
    html = client.get("/dien-dan/tim-kiem", query_string={"q": query}).get_data(as_text=True)
    assert "Chuyển đổi số cấp xã" in html and "Một chủ đề khác" in html and "Không liên quan" not in html
    fragment = client.get("/dien-dan/tim-kiem", query_string={"q": query}, headers=htmx_headers).get_data(as_text=True)
    assert "<html" not in fragment and "Chuyển đổi số cấp xã" in fragment


def test_search_treats_percent_and_underscore_literally(client):
    make_thread(title="Tăng 100% tốc độ mạng", body="Nội dung")
    make_thread(title="Chủ đề thường", body="Nội dung")
    html = client.get("/dien-dan/tim-kiem", query_string={"q": "0%"}).get_data(as_text=True)
    assert "Tăng 100% tốc độ mạng" in html and "Chủ đề thường" not in html


def test_thread_linked_to_a_published_submission_shows_its_status(client, login_as):
    submission, _token = make_submission(consent_publish=True)
    make_board()
    login_as(established())
    response = post_form(client, "/dien-dan/chuyen-doi-so/thao-luan-moi", {
        "title": "Bàn về sóng di động", "body": "Cùng thảo luận góp ý này", "submission_code": submission.code})
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã tiếp nhận" in html and f"/tra-cuu/{submission.code}" in html
    tracking = client.get(f"/tra-cuu/{submission.code}").get_data(as_text=True)
    assert "Bàn về sóng di động" in tracking


def test_status_poll_shows_the_discussions_its_route_passes(app, client, htmx_headers):
    """The tracking status fragment (polled every minute) lists the forum threads about the
    submission from what the route hands it; the template itself asks the forum nothing."""
    submission, _token = make_submission(consent_publish=True)
    thread = forum.create_thread(established(), make_board(), "Bàn về sóng di động", "Cùng thảo luận góp ý này",
                                 submission.code)
    fragment = client.get(f"/tra-cuu/{submission.code}", headers=htmx_headers).get_data(as_text=True)
    assert "<html" not in fragment and f"/dien-dan/thao-luan/{thread.id}" in fragment
    with app.test_request_context():
        alone = render_template("tracking/_status.html", submission=submission, discussions=[])
    assert "Bàn về sóng di động" not in alone


def test_unpublished_submission_cannot_be_linked(client, login_as):
    submission, _token = make_submission(consent_publish=False)
    make_board()
    login_as(established())
    response = post_form(client, "/dien-dan/chuyen-doi-so/thao-luan-moi", {
        "title": "Bàn về sóng di động", "body": "Nội dung", "submission_code": submission.code})
    assert response.status_code == 422
    assert "Không có góp ý công khai nào mang mã này." in response.get_data(as_text=True)


def test_invisible_characters_are_stripped_from_titles(client, login_as):
    make_board()
    login_as(established())
    post_form(client, "/dien-dan/chuyen-doi-so/thao-luan-moi",
              {"title": "Tiêu\u200b đề \u202egiả mạo\u202c", "body": "Nội dung bài"})
    thread = db.session.query(forum.Thread).one()
    assert thread.title == "Tiêu đề giả mạo"


def test_officials_only_board_refuses_citizens(client, login_as):
    make_board("thong-bao", "Thông báo", policy="officials")
    login_as(established())
    response = post_form(client, "/dien-dan/thong-bao/thao-luan-moi", {"title": "Tôi muốn đăng", "body": "Nội dung"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Tôi muốn đăng" in html and "Chỉ cán bộ" in html
    assert db.session.query(Post).count() == 0


def test_demo_forum_seeds_once_and_every_page_opens(client):
    from app.forum.models import Board, Thread
    from app.seeds.demo import seed_demo

    seed_demo(count=5)
    seed_demo(count=5)
    assert db.session.query(Board).count() == 3
    for thread in db.session.query(Thread):
        assert client.get(f"/dien-dan/thao-luan/{thread.id}").status_code == 200
    dialogue = db.session.query(Thread).filter(Thread.dialogue_ends_at.is_not(None)).one()
    html = client.get(f"/dien-dan/thao-luan/{dialogue.id}").get_data(as_text=True)
    assert "theo chuẩn GTFS" in html and "Lê Minh Lãnh" in html


def test_admin_creates_a_board_with_a_clean_address(client, login_as):
    login_as(established(Role.ADMIN))
    page = "/quan-tri/chuyen-muc"
    response = post_form(client, page, {"name": "Đổi mới sáng tạo", "post_policy": "officials"}, page=page)
    assert response.status_code == 303 and response.headers["Location"] == "/dien-dan/doi-moi-sang-tao"
    again = post_form(client, page, {"name": "Đổi mới sáng tạo", "post_policy": "everyone"}, page=page)
    assert again.status_code == 422 and "địa chỉ này đã được dùng" in again.get_data(as_text=True)
    blank = post_form(client, page, {"name": "\u200b\u202e", "post_policy": "everyone"}, page=page)
    assert blank.status_code == 422


def test_forum_reads_in_english_too(client):
    thread = make_thread(replies=1)
    client.set_cookie("lang", "en")
    board = client.get("/dien-dan/chuyen-doi-so").get_data(as_text=True)
    page = client.get(f"/dien-dan/thao-luan/{thread.id}").get_data(as_text=True)
    assert "2 posts" in board and "Sign in to reply" in page and '<html lang="en">' in page


@pytest.mark.parametrize(("method", "old", "new"), [
    ("GET", "/dien-dan/chu-de/{thread}", "/dien-dan/thao-luan/{thread}"),
    ("GET", "/dien-dan/chu-de/{thread}?page=2", "/dien-dan/thao-luan/{thread}?page=2"),
    ("GET", "/dien-dan/chu-de/{thread}/tra-loi?quote={post}", "/dien-dan/thao-luan/{thread}/tra-loi?quote={post}"),
    ("GET", "/dien-dan/chuyen-doi-so/chu-de-moi?code=123", "/dien-dan/chuyen-doi-so/thao-luan-moi?code=123"),
    ("GET", "/kiem-duyet/bao-cao/chu-de/{thread}", "/kiem-duyet/bao-cao/thao-luan/{thread}"),
    ("POST", "/dien-dan/chu-de/{thread}/tra-loi", "/dien-dan/thao-luan/{thread}/tra-loi"),
    ("POST", "/dien-dan/chu-de/{thread}/theo-doi", "/dien-dan/thao-luan/{thread}/theo-doi"),
    ("POST", "/dien-dan/chuyen-doi-so/chu-de-moi", "/dien-dan/chuyen-doi-so/thao-luan-moi"),
    ("POST", "/kiem-duyet/hanh-dong/chu-de/{thread}", "/kiem-duyet/quyet-dinh/thao-luan/{thread}"),
    ("POST", "/kiem-duyet/hanh-dong/bai/{post}", "/kiem-duyet/quyet-dinh/bai/{post}"),
])
def test_old_thread_and_decision_addresses_move_for_good(client, method, old, new, login_as):
    """Threads left /dien-dan/chu-de/ ("chu-de" is a topic elsewhere) and decisions /hanh-dong/; links in
    inboxes and bookmarks still work (301), and a form sent to an old address is sent on unchanged (308)."""
    thread = make_thread()
    values = {"thread": thread.id, "post": posts_of(thread)[0].id}
    login_as(established(Role.MODERATOR))
    if method == "GET":
        response = client.get(old.format(**values))
    else:
        response = post_form(client, old.format(**values), {"body": "Nội dung"})
    assert response.status_code == (301 if method == "GET" else 308)
    assert response.headers["Location"] == new.format(**values)
