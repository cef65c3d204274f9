"""Moderation: holds, flags, the queue and its decisions, the public log, appeals, abuse limits."""
from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.common.errors import ValidationError
from app.common.roles import Role
from app.common.time import utcnow
from app.extensions import db
from app.forum import services as forum
from app.forum.models import Post
from app.moderation import policy
from app.moderation import services as moderation
from app.moderation.models import Appeal, Decision, FilterWord, Flag, Suspension
from app.moderation.wordfilter import SEED_WORDS, find_hits
from app.notify.models import Notification
from tests.forum_support import (
    established,
    make_board,
    make_thread,
    newcomer,
    post_form,
    posts_of,
    reload,
    suspended,
)


def _told_of_decisions(author) -> int:
    """The author's inbox lines that open the appeal page of a decision about them."""
    appeal_pages = {f"/kiem-duyet/khang-nghi/{entry_id}" for entry_id in db.session.scalars(
        select(Decision.id).where(Decision.subject_id == author.id))}
    return sum(1 for item in db.session.query(Notification).filter_by(user_id=author.id) if item.link in appeal_pages)


@pytest.fixture()
def words(db):
    moderation.seed_words()


def test_new_accounts_first_post_waits_for_approval(client, login_as):
    thread = make_thread()
    author = newcomer()
    login_as(author)
    response = post_form(client, f"/dien-dan/thao-luan/{thread.id}/tra-loi", {"body": "Bài đầu tiên của tôi ở đây"})
    assert response.status_code == 303
    post = db.session.query(Post).filter_by(author_id=author.id).one()
    assert post.status == "held" and post.held_reason == "new_account"
    own_view = client.get(f"/dien-dan/thao-luan/{thread.id}").get_data(as_text=True)
    assert "Bài đầu tiên của tôi" in own_view and "Đang chờ kiểm duyệt" in own_view
    login_as(established())
    assert "Bài đầu tiên của tôi" not in client.get(f"/dien-dan/thao-luan/{thread.id}").get_data(as_text=True)
    moderator = established(Role.MODERATOR)
    login_as(moderator)
    queue = client.get("/kiem-duyet").get_data(as_text=True)
    assert "Bài đầu tiên của tôi" in queue and "bài đầu tiên của tài khoản mới" in queue
    assert post_form(client, f"/kiem-duyet/quyet-dinh/bai/{post.id}", {"decision": "approve"}).status_code == 303
    client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None
    with client.session_transaction() as session:
        session.clear()
    assert "Bài đầu tiên của tôi" in client.get(f"/dien-dan/thao-luan/{thread.id}").get_data(as_text=True)


def test_new_accounts_held_thread_is_published_on_approval(client):
    board = make_board()
    author = newcomer()
    thread = forum.create_thread(author, board, "Chủ đề của người mới", "Nội dung mở đầu")
    assert thread.status == "held" and client.get(f"/dien-dan/thao-luan/{thread.id}").status_code == 404
    moderation.decide(established(Role.MODERATOR), "approve", "thread", thread.id)
    assert client.get(f"/dien-dan/thao-luan/{thread.id}").status_code == 200
    assert board.thread_count == 1


def test_profane_word_without_diacritics_is_held(client, words, login_as):
    thread = make_thread()
    login_as(established())
    post_form(client, f"/dien-dan/thao-luan/{thread.id}/tra-loi", {"body": "Ai nói thế là do ngu thật"})
    post = posts_of(thread)[-1]
    assert post.status == "held" and post.held_reason == "word_filter"


@pytest.mark.parametrize("text,hit", [
    ("đồ ngu", True), ("do ngu", True), ("ĐỒ   NGU", True), ("d.o n.g.u", True), ("đ-ồ n_g_u", True),
    ("k h o n n a n", True), ("đ\u200bm", True), ("vcl!", True),
    ("đồ ngủ cho bé", False), ("quản trị admin", False), ("không nạn nhân", False), ("chuyển đổi số", False),
])
def test_word_filter_sees_through_spacing_and_diacritics(text, hit):
    assert bool(find_hits(text, list(SEED_WORDS))) is hit


def test_many_links_are_held(client):
    thread = make_thread()
    author = established()
    body = " ".join(f"https://vi-du-{n}.vn" for n in range(5))
    post = forum.reply(author, thread, body)
    assert post.status == "held" and post.held_reason == "links"


def test_admin_edits_the_word_list_too(client, login_as):
    admin = established(Role.ADMIN)
    login_as(admin)
    assert post_form(client, "/kiem-duyet/tu-cam", {"word": "Thằng Hề"}, page="/kiem-duyet/tu-cam").status_code == 303
    word = db.session.query(FilterWord).one()
    assert word.word == "thằng hề"
    assert post_form(client, f"/kiem-duyet/tu-cam/{word.id}/xoa", page="/kiem-duyet/tu-cam").status_code == 303
    assert db.session.query(FilterWord).count() == 0
    login_as(established())
    assert client.get("/kiem-duyet/tu-cam").status_code == 403


def test_flag_once_per_person_per_item(client, login_as):
    thread = make_thread()
    post = posts_of(thread)[0]
    login_as(established())
    first = post_form(client, f"/kiem-duyet/bao-cao/bai/{post.id}", {"reason": "spam"})
    second = post_form(client, f"/kiem-duyet/bao-cao/bai/{post.id}", {"reason": "offensive"})
    assert first.status_code == second.status_code == 303
    followed = client.get(second.headers["Location"], follow_redirects=True)
    assert "đã báo cáo nội dung này" in followed.get_data(as_text=True)
    assert db.session.query(Flag).count() == 1


def test_flag_for_other_reason_needs_a_note(client, login_as):
    thread = make_thread()
    login_as(established())
    response = post_form(client, f"/kiem-duyet/bao-cao/thao-luan/{thread.id}", {"reason": "other"})
    assert response.status_code == 422 and "Hãy cho biết nội dung có vấn đề gì." in response.get_data(as_text=True)


def test_three_established_flaggers_hide_the_item_until_reviewed(client):
    thread = make_thread()
    post = forum.reply(established(), thread, "Mua thuốc giá rẻ tại đây")
    for _ in range(2):
        moderation.flag(established(), "post", post.id, "spam")
    moderation.flag(newcomer(), "post", post.id, "spam")  # a new account does not count
    assert post.status == "published"
    moderation.flag(established(), "post", post.id, "spam")
    assert post.status == "hidden"
    html = client.get(f"/dien-dan/thao-luan/{thread.id}").get_data(as_text=True)
    assert "Mua thuốc giá rẻ" not in html and "bị người kiểm duyệt ẩn" in html
    assert db.session.query(Decision).filter_by(kind="auto_hide").count() == 1


def test_moderator_hides_a_flagged_post_and_the_public_log_shows_it(client, login_as):
    thread = make_thread()
    author = established(full_name="Tác Giả Bị Ẩn")
    post = forum.reply(author, thread, "Nội dung xúc phạm người khác")
    flagger = established()
    login_as(flagger)
    post_form(client, f"/kiem-duyet/bao-cao/bai/{post.id}", {"reason": "offensive", "note": "lăng mạ"})
    login_as(established(Role.MODERATOR, full_name="Người Kiểm Duyệt"))
    queue = client.get("/kiem-duyet").get_data(as_text=True)
    assert "Nội dung xúc phạm" in queue and "Xúc phạm hoặc lăng mạ (1)" in queue
    response = post_form(client, f"/kiem-duyet/quyet-dinh/bai/{post.id}",
                         {"decision": "hide", "rule": "offensive", "note": "Ngôn từ xúc phạm", "back": "/kiem-duyet"})
    assert response.status_code == 303 and response.headers["Location"] == "/kiem-duyet"
    assert reload(post).status == "hidden" and reload(db.session.query(Flag).one()).resolved_at is not None
    with client.session_transaction() as session:
        session.clear()
    log = client.get("/kiem-duyet/nhat-ky").get_data(as_text=True)
    assert "Đã ẩn" in log and "Xúc phạm hoặc lăng mạ" in log
    assert "Tác Giả Bị Ẩn" not in log and "Người Kiểm Duyệt" not in log and "Ngôn từ xúc phạm" not in log


def test_author_is_told_why_and_can_appeal_once(client, login_as):
    thread = make_thread()
    author = established()
    post = forum.reply(author, thread, "Bài sẽ bị ẩn")
    moderator = established(Role.MODERATOR)
    entry = moderation.decide(moderator, "hide", "post", post.id, "off_topic", "Lạc đề so với chủ đề")
    login_as(author)
    inbox = client.get("/tai-khoan/thong-bao").get_data(as_text=True)
    assert (f'<a href="/kiem-duyet/khang-nghi/{entry.id}">Người kiểm duyệt đã xử lý nội dung của bạn trong '
            f'“{thread.title}”: Lạc đề so với chủ đề</a>') in inbox
    page = f"/kiem-duyet/khang-nghi/{entry.id}"
    assert "Lạc đề" in client.get(page).get_data(as_text=True)
    first = post_form(client, page, {"text": "Bài của tôi đúng chủ đề về sóng di động."}, page=page)
    assert first.status_code == 303
    again = client.get(page).get_data(as_text=True)
    assert "Bạn đã khiếu nại quyết định này rồi." in again
    post_form(client, page, {"text": "Khiếu nại lần thứ hai cũng vậy thôi."}, page="/dien-dan")
    assert db.session.query(Appeal).count() == 1
    login_as(established())
    assert client.get(page).status_code == 404  # someone else's decision


def test_accepted_appeal_restores_the_post(client, login_as):
    thread = make_thread()
    author = established()
    post = forum.reply(author, thread, "Bài bị ẩn nhầm")
    moderator = established(Role.MODERATOR)
    entry = moderation.decide(moderator, "hide", "post", post.id, "spam")
    appeal = moderation.appeal(author, entry.id, "Đây không phải tin rác đâu ạ.")
    login_as(established(Role.MODERATOR))  # another moderator reviews it
    assert "Đây không phải tin rác" in client.get("/kiem-duyet").get_data(as_text=True)
    assert post_form(client, f"/kiem-duyet/khang-nghi/{appeal.id}/quyet-dinh", {"outcome": "overturn"},
                     page="/kiem-duyet").status_code == 303
    assert reload(post).status == "published" and reload(appeal).outcome == "overturned"


def test_hiding_needs_a_rule(client, login_as):
    thread = make_thread()
    post = forum.reply(established(), thread, "Một bài bình thường")
    login_as(established(Role.MODERATOR))
    post_form(client, f"/kiem-duyet/quyet-dinh/bai/{post.id}", {"decision": "hide"})
    assert post.status == "published"


def test_suspended_account_reads_but_cannot_post_flag_or_vote(client, login_as):
    thread = make_thread()
    post = posts_of(thread)[0]
    user = suspended()
    login_as(user)
    page = client.get(f"/dien-dan/thao-luan/{thread.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "bị tạm khoá đến" in html and "Spam lặp lại" in html
    reply = post_form(client, f"/dien-dan/thao-luan/{thread.id}/tra-loi", {"body": "Tôi vẫn muốn nói"})
    assert reply.status_code == 422 and "Spam lặp lại" in reply.get_data(as_text=True)  # the text comes back
    assert post_form(client, f"/kiem-duyet/bao-cao/bai/{post.id}", {"reason": "spam"}).status_code == 403
    assert post_form(client, f"/dien-dan/bai/{post.id}/binh-chon").status_code == 403
    assert db.session.query(Post).count() == 1 and db.session.query(Flag).count() == 0


def test_moderator_suspends_an_author_for_some_days(client):
    thread = make_thread()
    author = established()
    post = forum.reply(author, thread, "Bài vi phạm nhiều lần")
    moderation.decide(established(Role.MODERATOR), "suspend", "post", post.id, "spam", "Lặp lại", days=7)
    suspension = db.session.query(Suspension).one()
    assert suspension.user_id == author.id
    assert timedelta(days=6) < suspension.ends_at - utcnow() <= timedelta(days=7)
    with client.application.test_request_context(), pytest.raises(ValidationError, match="Lặp lại"):
        forum.reply(author, thread, "Thử đăng tiếp")


def test_locked_thread_refuses_replies_and_unlock_reopens(client, login_as):
    thread = make_thread()
    moderator = established(Role.MODERATOR)
    login_as(moderator)
    post_form(client, f"/kiem-duyet/quyet-dinh/thao-luan/{thread.id}", {"decision": "lock"})
    assert reload(thread).locked
    login_as(established())
    assert post_form(client, f"/dien-dan/thao-luan/{thread.id}/tra-loi", {"body": "Còn mở không?"}).status_code == 422
    moderation.decide(moderator, "unlock", "thread", thread.id)
    assert post_form(client, f"/dien-dan/thao-luan/{thread.id}/tra-loi", {"body": "Còn mở không?"}).status_code == 303


def test_pin_and_move_a_thread(client, login_as):
    first = make_thread(title="Chủ đề bình thường")
    pinned = make_thread(title="Chủ đề quan trọng")
    other = make_board("khac", "Chuyên mục khác")
    moderator = established(Role.MODERATOR)
    moderation.decide(moderator, "pin", "thread", first.id)
    html = client.get("/dien-dan/chuyen-doi-so").get_data(as_text=True)
    assert html.index("Chủ đề bình thường") < html.index("Chủ đề quan trọng")
    login_as(moderator)
    post_form(client, f"/kiem-duyet/quyet-dinh/thao-luan/{pinned.id}", {"decision": "move", "board_id": str(other.id)})
    assert reload(pinned).board_id == other.id


def test_rate_limit_for_new_accounts(client, login_as):
    thread = make_thread()
    author = newcomer()
    forum.reply(author, thread, "Bài thứ nhất")
    forum.reply(author, thread, "Bài thứ hai")
    login_as(author)
    response = post_form(client, f"/dien-dan/thao-luan/{thread.id}/tra-loi", {"body": "Bài thứ ba"})
    assert response.status_code == 422 and "quá nhanh" in response.get_data(as_text=True)
    assert "Bài thứ ba" in response.get_data(as_text=True)  # the text is kept


def test_slow_mode_allows_one_post_per_interval(client, login_as):
    thread = make_thread()
    moderation.decide(established(Role.MODERATOR), "slow_mode", "thread", thread.id, minutes=10)
    author = established()
    forum.reply(author, thread, "Một ý kiến")
    login_as(author)
    response = post_form(client, f"/dien-dan/thao-luan/{thread.id}/tra-loi", {"body": "Ý kiến tiếp theo"})
    assert response.status_code == 422 and "chế độ chậm" in response.get_data(as_text=True)


def test_duplicate_post_is_refused(client, login_as):
    thread = make_thread()
    author = established()
    forum.reply(author, thread, "Tôi đồng ý hoàn toàn")
    login_as(author)
    response = post_form(client, f"/dien-dan/thao-luan/{thread.id}/tra-loi", {"body": "  TÔI ĐỒNG Ý hoàn toàn "})
    assert response.status_code == 422 and "đã đăng nội dung này" in response.get_data(as_text=True)


def test_moderator_edits_with_a_note_and_the_author_is_told(client, login_as):
    thread = make_thread()
    author = established()
    post = forum.reply(author, thread, "Số điện thoại của anh ấy là 0912345678")
    moderator = established(Role.MODERATOR)
    login_as(moderator)
    refused = post_form(client, f"/kiem-duyet/bai/{post.id}/sua", {"body": "Đã gỡ số điện thoại"})
    assert refused.status_code == 422
    response = post_form(client, f"/kiem-duyet/bai/{post.id}/sua",
                         {"body": "Đã gỡ số điện thoại", "rule": "personal_data", "note": "Gỡ số điện thoại"})
    assert response.status_code == 303
    assert "0912345678" not in reload(post).body_html and post.edit_note == "Gỡ số điện thoại"
    assert _told_of_decisions(author) == 1


def test_queue_is_for_moderators_only(client, login_as):
    login_as(established())
    assert client.get("/kiem-duyet").status_code == 403
    thread = make_thread()
    assert post_form(client, f"/kiem-duyet/quyet-dinh/thao-luan/{thread.id}", {"decision": "lock"}).status_code == 403
    assert not reload(thread).locked


def test_daily_limit_counts_posts_of_the_last_day(client, login_as):
    thread = make_thread()
    author = established()
    for number in range(policy.ESTABLISHED_LIMITS.per_day):
        db.session.add(Post(thread_id=thread.id, author_id=author.id, body_source=f"cũ {number}", body_html="",
                            search_text=f"cu {number}", created_at=utcnow() - timedelta(hours=2)))
    db.session.commit()
    login_as(author)
    response = post_form(client, f"/dien-dan/thao-luan/{thread.id}/tra-loi", {"body": "Một bài nữa hôm nay"})
    assert response.status_code == 422 and "200 bài mỗi ngày" in response.get_data(as_text=True)


def test_warning_is_logged_and_told_and_dismiss_resolves_flags(client):
    thread = make_thread()
    author = established()
    post = forum.reply(author, thread, "Bài hơi gay gắt")
    moderation.flag(established(), "post", post.id, "offensive")
    moderator = established(Role.MODERATOR)
    moderation.decide(moderator, "warn", "post", post.id, "offensive", "Xin giữ lời lẽ ôn hoà")
    assert _told_of_decisions(author) == 1
    moderation.decide(moderator, "dismiss", "post", post.id)
    assert moderation.flagged_items() == [] and post.status == "published"


def test_invisible_characters_in_stored_names_are_not_shown(client):
    sneaky = established(full_name="Quản\u200b trị\u202e viên")
    thread = make_thread(sneaky)
    html = client.get(f"/dien-dan/thao-luan/{thread.id}").get_data(as_text=True)
    assert "Quản trị viên" in html and "\u202e" not in html


def test_board_counts_follow_moves_hides_and_approvals(client):
    first, second = make_board(), make_board("khac", "Chuyên mục khác")
    thread = make_thread(board=first)
    held = forum.create_thread(newcomer(), first, "Chủ đề chờ duyệt", "Nội dung")
    moderator = established(Role.MODERATOR)
    assert (first.thread_count, second.thread_count) == (1, 0)
    moderation.decide(moderator, "approve", "thread", held.id)
    assert first.thread_count == 2
    moderation.decide(moderator, "move", "thread", thread.id, board_id=second.id)
    assert (first.thread_count, second.thread_count) == (1, 1)
    moderation.decide(moderator, "hide", "thread", thread.id, "spam")
    moderation.decide(moderator, "restore", "thread", held.id)
    assert (first.thread_count, second.thread_count) == (1, 0)


# The posting policy decides from facts the forum gathers: tested here without a forum.


def _author(days_old: int, role: str = Role.CITIZEN):
    return SimpleNamespace(id=1, role=role, created_at=utcnow() - timedelta(days=days_old),
                           is_authenticated=True, is_active=True)


@pytest.mark.parametrize(("days_old", "facts", "refused"), [
    (1, policy.PostingFacts(posts_last_minute=1), None),
    (1, policy.PostingFacts(posts_last_minute=2), "quá nhanh"),
    (30, policy.PostingFacts(posts_last_minute=4), None),
    (30, policy.PostingFacts(posts_last_minute=5), "quá nhanh"),
    (1, policy.PostingFacts(posts_last_day=20), "20 bài mỗi ngày"),
    (30, policy.PostingFacts(posts_last_day=199), None),
    (30, policy.PostingFacts(slow_mode_minutes=10, last_post_in_thread=timedelta(minutes=9)), "chế độ chậm"),
    (30, policy.PostingFacts(slow_mode_minutes=10, last_post_in_thread=timedelta(minutes=11)), None),
    (30, policy.PostingFacts(last_post_in_thread=timedelta(0)), None),
    (30, policy.PostingFacts(same_text_recently=True), "đã đăng nội dung này"),
])
def test_posting_limits_decide_from_the_facts(days_old, facts, refused):
    # Time alone earns level 1 after a week (the forum works the level out: trust_of).
    facts = replace(facts, trust=policy.BASIC if days_old >= 7 else policy.NEW)
    if facts.last_post_in_thread is not None:  # written as "how long ago", made a time when the test runs
        facts = replace(facts, last_post_in_thread=utcnow() - facts.last_post_in_thread)
    if refused is None:
        policy.check_posting(_author(days_old), facts)
    else:
        with pytest.raises(ValidationError, match=refused) as caught:
            policy.check_posting(_author(days_old), facts)
        assert caught.value.field == "body"  # the text stays in the form


def test_moderators_are_never_limited():
    everything = policy.PostingFacts(posts_last_minute=99, posts_last_day=9999, same_text_recently=True,
                                     slow_mode_minutes=60, last_post_in_thread=utcnow())
    policy.check_posting(_author(0, Role.MODERATOR), everything)


@pytest.mark.parametrize(("days_old", "role", "text", "links", "published", "reason"), [
    (1, Role.CITIZEN, "Ý kiến bình thường", 0, 0, "new_account"),
    (1, Role.CITIZEN, "Ý kiến bình thường", 0, 2, None),
    (30, Role.CITIZEN, "Ý kiến bình thường", 0, 0, None),
    (30, Role.CITIZEN, "Ý kiến bình thường", 4, 50, "links"),
    (30, Role.CITIZEN, "Nói thế là đồ ngu", 0, 50, "word_filter"),
    (1, Role.OFFICER, "Nói thế là đồ ngu", 9, 0, None),
    (1, Role.MODERATOR, "Nói thế là đồ ngu", 9, 0, None),
])
def test_holds_decide_from_the_facts(words, days_old, role, text, links, published, reason):
    facts = policy.PostingFacts(published_posts=published, trust=policy.BASIC if days_old >= 7 else policy.NEW)
    assert policy.hold_reason(_author(days_old, role), text, links, facts) == reason
