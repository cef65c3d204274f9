"""The forum and moderation in daily use (issue 14): dialogues in officials' boards, appeals
reviewed by someone else, wording, Vietnam time, the word list, the moderation form, a person's
page, trust levels and search."""
from datetime import datetime, timedelta

from app.common.roles import Role
from app.common.time import utcnow
from app.extensions import db
from app.forum import services as forum
from app.forum.models import Post, Thread
from app.moderation import services as moderation
from app.moderation.models import FilterWord, WordChange
from tests.forum_support import established, make_board, make_thread, newcomer, post_form, reload, suspended


def _officials_dialogue():
    board = make_board("thong-bao", "Thông báo từ cơ quan", policy="officials")
    admin = established(Role.ADMIN)
    official = established(Role.OFFICER, agency_code="BKHCN")
    thread = forum.create_dialogue(admin, board.id, "Mở dữ liệu giao thông", "Mời đặt câu hỏi.",
                                   utcnow() - timedelta(hours=1), utcnow() + timedelta(days=7), [official.email])
    return thread


# 1. A dialogue takes the public's questions whatever its board's policy.

def test_citizen_asks_in_a_dialogue_of_an_officials_only_board(client, login_as):
    thread = _officials_dialogue()
    login_as(established())
    url = f"/dien-dan/thao-luan/{thread.id}"
    assert 'action="' + url + '/tra-loi"' in client.get(url).get_data(as_text=True)
    response = post_form(client, url + "/tra-loi", {"body": "Khi nào có dữ liệu giờ xe buýt?"}, page=url)
    assert response.status_code == 303
    assert db.session.query(Post).filter_by(thread_id=thread.id, is_opening=False).count() == 1


def test_officials_board_still_refuses_a_citizen_reply_with_the_text_kept(client, login_as):
    board = make_board("thong-bao", "Thông báo", policy="officials")
    thread = make_thread(board=board)
    login_as(established())
    url = f"/dien-dan/thao-luan/{thread.id}"
    assert "Chỉ cán bộ và chuyên gia" in client.get(url).get_data(as_text=True)
    response = post_form(client, url + "/tra-loi", {"body": "Tôi muốn trả lời ở đây"}, page=url)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Tôi muốn trả lời ở đây" in html and "Chỉ cán bộ và chuyên gia" in html


def test_a_refused_question_comes_back_with_its_text_and_the_reason(client, login_as):
    thread = _officials_dialogue()
    login_as(suspended())
    url = f"/dien-dan/thao-luan/{thread.id}"
    response = post_form(client, url + "/tra-loi", {"body": "Câu hỏi của người bị tạm khóa"}, page=url)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Câu hỏi của người bị tạm khóa" in html and "bị tạm khoá đến" in html


def test_dialogue_form_warns_about_officials_only_boards(client, login_as):
    board = make_board("thong-bao", "Thông báo từ cơ quan", policy="officials")
    official = established(Role.OFFICER, agency_code="BKHCN")
    login_as(established(Role.ADMIN))
    page = "/quan-tri/doi-thoai"
    html = client.get(page).get_data(as_text=True)
    assert "Thông báo từ cơ quan (chỉ cán bộ)" in html and 'id="board-warning"' in html
    response = post_form(client, page, {
        "board_id": str(board.id), "title": "Đối thoại về dữ liệu", "body": "Giới thiệu phiên",
        "starts_at": "2026-12-01T09:00", "ends_at": "2026-12-01T11:00", "panel": official.email}, page=page)
    assert response.status_code == 303
    assert "chỉ dành cho cán bộ" in client.get(response.headers["Location"]).get_data(as_text=True)


# 2. An appeal is reviewed by someone other than the moderator who acted.

def _appealed():
    thread = make_thread()
    author = established()
    post = forum.reply(author, thread, "Bài bị ẩn nhầm")
    moderator = established(Role.MODERATOR)
    entry = moderation.decide(moderator, "hide", "post", post.id, "spam")
    return moderation.appeal(author, entry.id, "Đây không phải tin rác đâu ạ."), moderator, post


def test_the_moderator_who_acted_cannot_decide_the_appeal(client, login_as):
    appeal, moderator, post = _appealed()
    login_as(moderator)
    html = client.get("/kiem-duyet").get_data(as_text=True)
    assert f"/kiem-duyet/khang-nghi/{appeal.id}/quyet-dinh" not in html
    post_form(client, f"/kiem-duyet/khang-nghi/{appeal.id}/quyet-dinh", {"outcome": "overturn"}, page="/kiem-duyet")
    assert reload(appeal).outcome is None and reload(post).status == "hidden"


def test_an_administrator_decides_when_there_is_one_moderator(client, login_as):
    appeal, _moderator, post = _appealed()
    login_as(established(Role.ADMIN))
    assert post_form(client, f"/kiem-duyet/khang-nghi/{appeal.id}/quyet-dinh", {"outcome": "overturn"},
                     page="/kiem-duyet").status_code == 303
    assert reload(appeal).outcome == "overturned" and reload(post).status == "published"


# 3. Wording a native reader would write.

def test_accepted_answer_tag_and_held_message_read_naturally(client, login_as):
    thread = make_thread()
    answer = forum.reply(established(), thread, "Đây là lời giải đáp cho câu hỏi")
    forum.mark_answer(thread.author, thread, answer)
    html = client.get(f"/dien-dan/thao-luan/{thread.id}").get_data(as_text=True)
    assert "Lời giải đáp" in html and "Nội dung trả lời" not in html
    login_as(newcomer())
    url = f"/dien-dan/thao-luan/{thread.id}"
    response = post_form(client, url + "/tra-loi", {"body": "Bài đầu tiên của tôi ở đây"}, page=url,
                         follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "đang chờ kiểm duyệt" in html and "kiểm duyệt duyệt" not in html


def test_seeded_dialogue_is_not_labelled_twice(client):
    from app.seeds import demo  # the demo's own dialogue, without seeding the whole demo (slow)
    board = make_board("thong-bao", "Thông báo từ cơ quan", policy="officials")
    users = {email: established(email=email) for email in (
        "admin@gopy.local", "lanhdao@gopy.local", "congdan@gopy.local", "doanhnghiep@gopy.local")}
    demo._forum_dialogue(board, users)
    db.session.commit()
    html = client.get("/dien-dan/thong-bao").get_data(as_text=True)
    assert "Mở dữ liệu giao thông công cộng" in html and "Đối thoại: " not in html


# 4. Dialogue times are typed and shown in Vietnam time, stored in UTC.

def test_dialogue_times_are_vietnam_time(client, login_as):
    board = make_board()
    official = established(Role.OFFICER, agency_code="BKHCN")
    login_as(established(Role.ADMIN))
    page = "/quan-tri/doi-thoai"
    assert "giờ Việt Nam" in client.get(page).get_data(as_text=True)
    response = post_form(client, page, {
        "board_id": str(board.id), "title": "Đối thoại buổi sáng", "body": "Giới thiệu phiên",
        "starts_at": "2026-12-01T09:00", "ends_at": "2026-12-01T11:30", "panel": official.email}, page=page)
    thread = db.session.query(Thread).filter_by(title="Đối thoại buổi sáng").one()
    assert (thread.dialogue_starts_at, thread.dialogue_ends_at) == (datetime(2026, 12, 1, 2, 0),
                                                                    datetime(2026, 12, 1, 4, 30))
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "09:00" in html and "11:30" in html


def test_a_refused_dialogue_keeps_the_times_as_typed(client, login_as):
    board = make_board()
    login_as(established(Role.ADMIN))
    page = "/quan-tri/doi-thoai"
    response = post_form(client, page, {
        "board_id": str(board.id), "title": "Đối thoại buổi sáng", "body": "Giới thiệu phiên",
        "starts_at": "2026-12-01T09:00", "ends_at": "2026-12-01T11:30", "panel": "khong-co@example.vn"}, page=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'value="2026-12-01T09:00"' in html and 'value="2026-12-01T11:30"' in html


# 5. Moderators keep the word list, and every change is logged.

def test_moderator_keeps_the_word_list_and_the_change_is_logged(client, login_as):
    moderator = established(Role.MODERATOR, full_name="Lê Kiểm Duyệt")
    login_as(moderator)
    page = "/kiem-duyet/tu-cam"
    assert client.get(page).status_code == 200
    assert post_form(client, page, {"word": "Lừa Đảo"}, page=page).status_code == 303
    word = db.session.query(FilterWord).one()
    assert post_form(client, f"{page}/{word.id}/xoa", page=page).status_code == 303
    changes = db.session.query(WordChange).order_by(WordChange.id).all()
    assert [(c.word, c.change, c.moderator_id) for c in changes] == [("lừa đảo", "add", moderator.id),
                                                                   ("lừa đảo", "remove", moderator.id)]
    html = client.get(page).get_data(as_text=True)
    assert "Lê Kiểm Duyệt" in html and "đã thêm “lừa đảo”" in html and "đã gỡ “lừa đảo”" in html


# 9. Forum search: trigram indexes on PostgreSQL, and pages that count nothing.

def test_forum_search_text_has_trigram_indexes():
    from sqlalchemy import inspect

    from app.forum.models import Post, Thread
    for table in (Post.__table__, Thread.__table__):
        index = next(index for index in table.indexes if index.name == f"ix_{table.name}_search_trgm")
        assert index.dialect_options["postgresql"]["using"] == "gin"
        assert index.dialect_options["postgresql"]["ops"] == {"search_text": "gin_trgm_ops"}
    if db.engine.dialect.name == "postgresql":
        names = {index["name"] for index in inspect(db.engine).get_indexes("forum_post")}
        assert "ix_forum_post_search_trgm" in names


def test_forum_search_pages_without_counting(client):
    from sqlalchemy import event
    author = established(Role.MODERATOR)
    board = make_board()
    for number in range(forum.THREADS_PER_PAGE + 1):
        make_thread(author, board, title=f"Chủ đề số {number + 1:02d}", body=f"Bàn về băng thông rộng lần {number}")
    statements = []
    listener = lambda _conn, _cursor, sql, *args: statements.append(sql.lower())  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        html = client.get("/dien-dan/tim-kiem?q=bang+thong").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert html.count("/dien-dan/thao-luan/") == forum.THREADS_PER_PAGE and "page=2" in html
    searching = [sql for sql in statements if "search_text" in sql]
    assert searching and not any("count(" in sql for sql in searching)
    assert all(f"limit {forum.THREADS_PER_PAGE + 1}" in sql or "limit %(param" in sql or "limit ?" in sql
               for sql in searching)


# 8. Trust that grows with time, reading and a clean record; moderators can set it by hand.

def _read_threads(user, count):
    from app.forum.models import ThreadRead
    author = established(Role.MODERATOR)
    for _number in range(count):
        thread = make_thread(author, title=f"Chủ đề để đọc {_number:03d}", body=f"Nội dung đọc {_number}")
        db.session.add(ThreadRead(user_id=user.id, thread_id=thread.id))
    db.session.commit()


def test_a_reader_of_two_days_posts_without_waiting_for_approval():
    from app.moderation import policy
    reader = newcomer(created_at=utcnow() - timedelta(days=2))
    assert forum.trust_of(reader) == policy.NEW
    _read_threads(reader, 5)
    assert forum.trust_of(reader) == policy.BASIC
    post = forum.reply(reader, db.session.query(forum.Thread).first(), "Tôi đã đọc kỹ, xin góp một ý.")
    assert post.status == "published"  # the fixed 7-day rule held this post


def test_members_post_more_and_a_decision_against_them_holds_the_level_back():
    from app.moderation import policy
    member = newcomer(created_at=utcnow() - timedelta(days=20))
    _read_threads(member, 20)
    thread = db.session.query(forum.Thread).first()
    earlier = utcnow() - timedelta(days=3)
    db.session.add_all(Post(thread_id=thread.id, author_id=member.id, body_source=f"cũ {number}", body_html="",
                            search_text=f"cu {number}", created_at=earlier) for number in range(10))
    db.session.commit()
    posts = [forum.reply(member, thread, f"Ý kiến thứ {number} của thành viên") for number in range(6)]
    assert forum.trust_of(member) == policy.MEMBER  # six in a minute: level 1 stops at five
    moderation.decide(established(Role.MODERATOR), "warn", "post", posts[0].id, "spam")
    assert forum.trust_of(member) == policy.BASIC


def test_moderator_sets_a_trust_level_by_hand_and_it_is_logged(client, login_as):
    from app.moderation import policy
    from app.moderation.models import Decision
    person = newcomer()
    moderator = established(Role.MODERATOR)
    login_as(moderator)
    page = f"/kiem-duyet/nguoi-dung/{person.id}"
    response = post_form(client, page + "/tin-cay", {"trust-level": "3", "trust-note": "Chuyên gia quen thuộc"},
                         page=page)
    assert response.status_code == 303
    assert forum.trust_of(person) == policy.REGULAR
    entry = db.session.query(Decision).filter_by(kind="trust").one()
    assert (entry.moderator_id, entry.subject_id) == (moderator.id, person.id) and "Chuyên gia" in entry.note
    post_form(client, page + "/tin-cay", {"trust-level": ""}, page=page)
    assert forum.trust_of(person) == policy.NEW
    login_as(established())
    assert client.get(page).status_code == 403


# 7. A person as moderators see them; silence beside suspension.

def test_person_page_gathers_posts_flags_and_decisions(client, login_as):
    thread = make_thread()
    person = established(full_name="Trần Hay Cãi")
    post = forum.reply(person, thread, "Bài bị báo cáo vì lạc đề")
    other = forum.reply(established(), thread, "Bài người khác")
    moderation.flag(established(), "post", post.id, "off_topic")
    moderation.flag(person, "post", other.id, "spam")
    moderation.decide(established(Role.MODERATOR), "warn", "post", post.id, "off_topic", "Giữ đúng chủ đề")
    login_as(established(Role.MODERATOR))
    html = client.get(f"/kiem-duyet/nguoi-dung/{person.id}").get_data(as_text=True)
    for section, text in (("person-posts", "Bài bị báo cáo"), ("flags-received", "Lạc đề"),
                          ("flags-raised", "Tin rác"), ("person-decisions", "Giữ đúng chủ đề")):
        part = html.split(f'id="{section}"')[1].split("</ul>")[0]
        assert text in part, section


def test_a_silenced_person_reads_votes_and_flags_but_cannot_post(client, login_as):
    thread = make_thread()
    person = established()
    post = forum.reply(established(), thread, "Một bài để bình chọn")
    login_as(established(Role.MODERATOR))
    page = f"/kiem-duyet/nguoi-dung/{person.id}"
    response = post_form(client, page + "/han-che", {"restrict-kind": "silence", "restrict-days": "3",
                                                     "restrict-rule": "offensive", "restrict-note": "Bình tĩnh lại"},
                         page=page)
    assert response.status_code == 303
    login_as(person)
    url = f"/dien-dan/thao-luan/{thread.id}"
    refused = post_form(client, url + "/tra-loi", {"body": "Tôi vẫn muốn nói"}, page=url)
    assert refused.status_code == 422 and "Tôi vẫn muốn nói" in refused.get_data(as_text=True)
    assert post_form(client, f"/dien-dan/bai/{post.id}/binh-chon", page=url).status_code == 303
    assert reload(post).score == 1


def test_restricting_needs_days_and_a_rule(client, login_as):
    person = established()
    login_as(established(Role.MODERATOR))
    page = f"/kiem-duyet/nguoi-dung/{person.id}"
    response = post_form(client, page + "/han-che", {"restrict-kind": "suspend", "restrict-days": ""}, page=page)
    assert response.status_code == 422


# The new moderator pages are held to the page budget of DESIGN.md (bench/pages.py's figure;
# that table's pages are fetched anonymously or as a submitter, these need a moderator).

def test_moderator_pages_fit_the_page_budget(client, login_as):
    import gzip

    from bench.pages import PAGE_GZIP_BUDGET
    thread = make_thread(replies=9)
    person = established(Role.MODERATOR, full_name="Nguyễn Văn Dài Dòng")  # never rate-limited
    for number in range(20):
        post = forum.reply(person, thread, f"Ý kiến khá dài số {number}: " + "mở dữ liệu giao thông " * 20)
        moderation.flag(established(), "post", post.id, "off_topic", "")
    login_as(established(Role.MODERATOR))
    for url in (f"/kiem-duyet/nguoi-dung/{person.id}", f"/dien-dan/thao-luan/{thread.id}", "/kiem-duyet/tu-cam",
                "/kiem-duyet"):
        response = client.get(url)
        assert response.status_code == 200, url
        size = len(gzip.compress(response.get_data()))
        assert size <= PAGE_GZIP_BUDGET, f"{url}: {size} bytes gzipped"


# 6. The moderation form: actions that say what they do, only those that apply, each with its own fields.

def _buttons(html: str) -> list[str]:
    import re
    return re.findall(r'name="decision" value="([a-z_]+)"', html)


def test_a_post_is_offered_post_actions_and_a_thread_its_own(client, login_as):
    thread = make_thread(replies=1)
    login_as(established(Role.MODERATOR))
    html = client.get(f"/dien-dan/thao-luan/{thread.id}").get_data(as_text=True)
    post_menu = html.split("Kiểm duyệt bài này")[1].split("</details>")[0]
    post_actions = _buttons(html.split("Kiểm duyệt bài này")[1].split("Kiểm duyệt chủ đề này")[0])
    assert set(post_actions) == {"hide", "delete", "dismiss", "warn", "silence", "suspend"}
    thread_actions = _buttons(html.split("Kiểm duyệt chủ đề này")[1])
    assert {"lock", "pin", "move", "slow_mode"} <= set(thread_actions) and "approve" not in thread_actions
    assert ">Ẩn<" in post_menu and "Đã ẩn" not in post_menu and ">Khoá chủ đề<" in html
    # Days belong to silence and suspension only; minutes to slow mode; a board to moving.
    plain = post_menu.split("<details")[0]
    assert 'name="days"' not in plain and 'name="minutes"' not in plain and 'name="board_id"' not in plain


def test_moderator_acts_on_a_single_post_from_the_thread_page(client, login_as):
    thread = make_thread()
    post = forum.reply(established(), thread, "Quảng cáo bán hàng giá rẻ")
    login_as(established(Role.MODERATOR))
    url = f"/dien-dan/thao-luan/{thread.id}"
    response = post_form(client, f"/kiem-duyet/quyet-dinh/bai/{post.id}",
                         {"decision": "hide", "rule": "spam", "back": url}, page=url)
    assert response.status_code == 303 and reload(post).status == "hidden"
    login_as(established())
    assert "Kiểm duyệt bài này" not in client.get(url).get_data(as_text=True)


def test_a_held_post_offers_approval_not_restore(client, login_as):
    thread = make_thread()
    held = forum.reply(newcomer(), thread, "Bài đầu tiên chờ duyệt")
    login_as(established(Role.MODERATOR))
    html = client.get(f"/dien-dan/thao-luan/{thread.id}").get_data(as_text=True)
    menu = html.split(f'id="p{held.id}"')[1].split("</article>")[0]
    assert "approve" in _buttons(menu) and "restore" not in _buttons(menu)


def test_a_saved_reply_fills_the_note(client, login_as):
    thread = make_thread()
    author = established()
    post = forum.reply(author, thread, "Bài lạc đề về bóng đá")
    moderator = established(Role.MODERATOR)
    login_as(moderator)
    page = "/kiem-duyet/mau-tra-loi"
    assert post_form(client, page, {"title": "Lạc đề", "text": "Bài này không bàn về chủ đề của luồng."},
                     page=page).status_code == 303
    saved = moderation.canned_replies()[0]
    url = f"/dien-dan/thao-luan/{thread.id}"
    assert "Lạc đề</option>" in client.get(url).get_data(as_text=True)
    post_form(client, f"/kiem-duyet/quyet-dinh/bai/{post.id}",
              {"decision": "hide", "rule": "off_topic", "canned": str(saved.id)}, page=url)
    from app.moderation.models import Decision
    assert db.session.query(Decision).filter_by(kind="hide").one().note == "Bài này không bàn về chủ đề của luồng."


# 7. Earlier versions of an edited post, shown to moderators as a diff.

def test_moderators_see_what_an_edit_changed(client, login_as):
    thread = make_thread()
    author = established()
    post = forum.reply(author, thread, "Giá cước 4G ở thôn là 50 nghìn một tháng.")
    forum.edit_post(author, post, "Giá cước 4G ở thôn là 70 nghìn một tháng.")
    login_as(established(Role.MODERATOR))
    html = client.get(f"/kiem-duyet/bai/{post.id}/lich-su").get_data(as_text=True)
    assert "<del>50 </del>" in html and "<ins>70 </ins>" in html
    login_as(author)
    assert client.get(f"/kiem-duyet/bai/{post.id}/lich-su").status_code == 403
