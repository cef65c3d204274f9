"""Policy dialogues: questions and votes before and during, panel answers, a closed session."""
from datetime import timedelta

from app.common.roles import Role
from app.common.time import utcnow
from app.extensions import db
from app.forum import services as forum
from app.forum.models import Post
from tests.forum_support import established, make_board, post_form, reload


def _dialogue(starts_in=timedelta(hours=-1), ends_in=timedelta(hours=2)):
    board = make_board()
    admin = established(Role.ADMIN)
    official = established(Role.OFFICER, agency_code="BKHCN", full_name="Thứ Trưởng Trả Lời")
    thread = forum.create_dialogue(admin, board.id, "Đối thoại về dữ liệu mở", "Mời người dân đặt câu hỏi.",
                                   utcnow() + starts_in, utcnow() + ends_in, [official.email])
    return thread, official


def test_admin_schedules_a_dialogue_with_a_panel(client, login_as):
    board = make_board()
    official = established(Role.OFFICER, agency_code="BKHCN")
    login_as(established(Role.ADMIN))
    page = "/quan-tri/doi-thoai"
    response = post_form(client, page, {
        "board_id": str(board.id), "title": "Đối thoại chính sách số", "body": "Giới thiệu phiên",
        "starts_at": "2026-12-01T09:00", "ends_at": "2026-12-01T11:00", "panel": official.email}, page=page)
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đối thoại chính sách" in html and official.display_name in html


def test_dialogue_with_end_before_start_is_refused(client, login_as):
    board = make_board()
    official = established(Role.OFFICER, agency_code="BKHCN")
    login_as(established(Role.ADMIN))
    page = "/quan-tri/doi-thoai"
    response = post_form(client, page, {
        "board_id": str(board.id), "title": "Đối thoại ngược giờ", "body": "Giới thiệu",
        "starts_at": "2026-12-01T11:00", "ends_at": "2026-12-01T09:00", "panel": official.email}, page=page)
    assert response.status_code == 422
    assert "Thời điểm kết thúc phải sau thời điểm bắt đầu." in response.get_data(as_text=True)


def test_questions_are_posted_voted_answered_and_sorted(client, htmx_headers, login_as):
    thread, official = _dialogue()
    asker, voter_a, voter_b = established(), established(), established()
    login_as(asker)
    url = f"/dien-dan/thao-luan/{thread.id}"
    assert post_form(client, url + "/tra-loi", {"body": "Khi nào công bố dữ liệu xe buýt?"},
                     page=url).status_code == 303
    assert post_form(client, url + "/tra-loi", {"body": "Dữ liệu đất đai có được mở không?"},
                     page=url).status_code == 303
    first, second = db.session.query(Post).filter_by(thread_id=thread.id, is_opening=False).order_by(Post.id).all()
    for voter in (voter_a, voter_b):
        login_as(voter)
        post_form(client, f"/dien-dan/bai/{second.id}/binh-chon", page=url)
    login_as(voter_a)
    again = post_form(client, f"/dien-dan/bai/{second.id}/binh-chon", page=url, headers=htmx_headers)
    assert "(1)" in again.get_data(as_text=True)  # a second vote by the same account takes the first back
    post_form(client, f"/dien-dan/bai/{second.id}/binh-chon", page=url)
    assert reload(second).score == 2
    html = client.get(url).get_data(as_text=True)
    assert html.index("Dữ liệu đất đai") < html.index("Khi nào công bố")
    login_as(official)
    response = post_form(client, f"/dien-dan/bai/{first.id}/tra-loi-cau-hoi", {"body": "Quý I năm sau, thưa bạn."},
                         page=url)
    assert response.status_code == 303
    assert reload(first).answered_at is not None
    assert "Quý I năm sau" in client.get(url).get_data(as_text=True)


def test_only_the_panel_answers(client, login_as):
    thread, _official = _dialogue()
    question = forum.reply(established(), thread, "Câu hỏi của tôi về dữ liệu")
    login_as(established())
    response = post_form(client, f"/dien-dan/bai/{question.id}/tra-loi-cau-hoi", {"body": "Tôi trả lời thay"})
    assert response.status_code == 403
    assert db.session.query(Post).filter(Post.answer_to_id == question.id).count() == 0


def test_closed_dialogue_refuses_questions_and_shows_answered_first(client, login_as):
    thread, official = _dialogue(starts_in=timedelta(hours=-3), ends_in=timedelta(hours=2))
    popular = forum.reply(established(), thread, "Câu hỏi được nhiều người quan tâm")
    answered = forum.reply(established(), thread, "Câu hỏi đã được trả lời")
    for _ in range(3):
        forum.toggle_vote(established(), popular)
    forum.answer_question(official, answered, "Đây là câu trả lời.")
    url = f"/dien-dan/thao-luan/{thread.id}"
    before = client.get(url).get_data(as_text=True)
    assert before.index("nhiều người quan tâm") < before.index("đã được trả lời")
    thread.dialogue_ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    after = client.get(url).get_data(as_text=True)
    assert after.index("đã được trả lời") < after.index("nhiều người quan tâm")
    assert "Phiên đối thoại đã kết thúc" in after
    login_as(established())
    response = post_form(client, url + "/tra-loi", {"body": "Câu hỏi muộn sau giờ"}, page=url)
    assert response.status_code == 422 and "không thể đặt thêm câu hỏi" in response.get_data(as_text=True)
    assert "Câu hỏi muộn sau giờ" in response.get_data(as_text=True)


def test_dialogue_questions_fragment_for_htmx(client, htmx_headers):
    thread, _official = _dialogue()
    forum.reply(established(), thread, "Một câu hỏi ngắn")
    response = client.get(f"/dien-dan/thao-luan/{thread.id}", headers=htmx_headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and "Một câu hỏi ngắn" in html
