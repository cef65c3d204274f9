"""The desk through HTTP: queue with filters and search, the submission page, steps as
plain forms (303) and as htmx fragments, errors that keep input, sizes on the wire."""
import gzip
import io
import re

import pytest
from sqlalchemy import event
from werkzeug.datastructures import FileStorage

from app.common.roles import Role
from app.desk import services
from app.extensions import db as ext_db
from app.submissions import intake, workflow
from app.submissions.states import Status
from tests.conftest import FreshContextClient, csrf_token
from tests.desk_helpers import desk_url, post_step
from tests.factories import agency_id, any_topic_id, make_staff, make_submission, make_user, pdf_bytes, submission_input

PAGE_LIMIT, FRAGMENT_LIMIT = 14600, 2048


@pytest.fixture()
def coordinator(db):
    return make_staff(Role.COORDINATOR, email="dieuphoi@example.vn")


@pytest.fixture()
def officer(db):
    return make_staff(Role.OFFICER, "BKHCN", email="chuyenvien@example.vn")


@pytest.fixture()
def lead(db):
    return make_staff(Role.LEAD, "BKHCN", email="lanhdao@example.vn")


def _gz(response) -> int:
    return len(gzip.compress(response.get_data()))


def _assigned(coordinator, **values):
    submission, _token = make_submission(**values)
    workflow.assign(submission, coordinator, submission.version, agency_id("BKHCN"))
    return submission


def test_queue_page_and_fragment(client, coordinator, htmx_headers, login_as):
    make_submission(title="Chuyển đổi số ở xã vùng cao")
    login_as(coordinator)
    page = client.get("/can-bo")
    assert page.status_code == 200 and "Chuyển đổi số ở xã vùng cao" in page.get_data(as_text=True)
    assert _gz(page) <= PAGE_LIMIT
    fragment = client.get("/can-bo?q=chuyen+doi+so", headers=htmx_headers)
    html = fragment.get_data(as_text=True)
    assert html.startswith('<div id="queue">') and "<html" not in html
    assert "Chuyển đổi số ở xã vùng cao" in html
    assert _gz(fragment) <= FRAGMENT_LIMIT
    assert "HX-Request" in fragment.headers["Vary"]


def test_search_ignores_diacritics_and_finds_codes(client, coordinator, login_as):
    wanted, _t = make_submission(title="Cổng dịch vụ công báo lỗi")
    make_submission(title="Sóng di động yếu")
    login_as(coordinator)
    html = client.get("/can-bo?q=CONG+DICH+VU").get_data(as_text=True)
    assert "Cổng dịch vụ công báo lỗi" in html and "Sóng di động yếu" not in html
    html = client.get(f"/can-bo?q={wanted.code[:3]}+{wanted.code[3:]}").get_data(as_text=True)
    assert "Cổng dịch vụ công báo lỗi" in html and "Sóng di động yếu" not in html
    html = client.get("/can-bo?q=%25_%5C").get_data(as_text=True)  # LIKE wildcards are text
    assert "Không có kết quả" in html


def test_officer_sees_only_the_agency_queue(client, coordinator, officer, login_as):
    mine = _assigned(coordinator, title="Hồ sơ của Bộ Khoa học")
    other, _t = make_submission(title="Hồ sơ của Bộ Tài chính")
    workflow.assign(other, coordinator, other.version, agency_id("BTC"))
    login_as(officer)
    html = client.get("/can-bo").get_data(as_text=True)
    assert mine.title in html and other.title not in html
    assert client.get(desk_url(other)).status_code == 404


def test_filters_due_mine_unassigned_and_status(client, coordinator, officer, db, login_as):
    overdue = _assigned(coordinator, title="Quá hạn rồi")
    overdue.due_date = overdue.due_date.replace(year=2020)
    db.session.commit()
    taken = _assigned(coordinator, title="Đã nhận xử lý")
    workflow.take(taken, officer, taken.version)
    login_as(officer)
    assert "Quá hạn rồi" in client.get("/can-bo?due=overdue").get_data(as_text=True)
    assert "Đã nhận xử lý" not in client.get("/can-bo?due=overdue").get_data(as_text=True)
    html = client.get("/can-bo?mine=y").get_data(as_text=True)
    assert "Đã nhận xử lý" in html and "Quá hạn rồi" not in html
    html = client.get("/can-bo?unassigned=y").get_data(as_text=True)
    assert "Quá hạn rồi" in html and "Đã nhận xử lý" not in html
    html = client.get(f"/can-bo?status={Status.IN_PROGRESS}").get_data(as_text=True)
    assert "Đã nhận xử lý" in html and "Quá hạn rồi" not in html
    assert client.get("/can-bo?status=bogus&topic=abc&province=x&page=-3").status_code == 200


def test_queue_makes_no_query_per_row(app, client, coordinator, login_as):
    for index in range(30):
        make_submission(title=f"Góp ý số {index}")
    login_as(coordinator)
    statements = []

    def count(*_args):
        statements.append(1)

    engine = ext_db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get("/can-bo?sort=new")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('href="/can-bo/ho-so/') == 25
    assert len(statements) <= 8, len(statements)  # user, count, page, topics; never 25 more


def test_pagination_keeps_filters(client, coordinator, login_as):
    for index in range(30):
        make_submission(title=f"Chuyển đổi số {index}")
    login_as(coordinator)
    html = client.get("/can-bo?q=chuyen&sort=old").get_data(as_text=True)
    link = re.search(r'href="([^"]+)" rel="next"', html).group(1)
    assert "q=chuyen" in link and "sort=old" in link and "page=2" in link


def test_submission_page_shows_contact_and_steps(client, coordinator, login_as):
    submission, _t = make_submission()
    login_as(coordinator)
    page = client.get(desk_url(submission))
    html = page.get_data(as_text=True)
    assert "0912345678" in html and "Lò Văn Thử" in html
    assert f'action="/can-bo/ho-so/{submission.id}/assign"' in html
    assert "/take" not in html  # a coordinator does not process
    assert page.headers["Cache-Control"] == "private, no-store"
    assert _gz(page) <= PAGE_LIMIT


def test_assign_as_plain_form_redirects(client, coordinator, db, login_as):
    submission, _t = make_submission()
    login_as(coordinator)
    response = post_step(client, submission, "assign", agency_id=str(agency_id("BKHCN")), note="")
    assert response.status_code == 303 and response.headers["Location"].endswith(desk_url(submission))
    db.session.refresh(submission)
    assert submission.status == Status.ASSIGNED and submission.due_date is not None


def test_step_as_htmx_returns_the_case_fragment(client, coordinator, officer, htmx_headers, db, login_as):
    submission = _assigned(coordinator)
    login_as(officer)
    response = post_step(client, submission, "take", headers=htmx_headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.startswith('<section id="case"') and "<html" not in html
    assert "Đang xử lý" in html
    assert _gz(response) <= FRAGMENT_LIMIT
    page_fragment = client.get(desk_url(submission), headers=htmx_headers)
    assert page_fragment.get_data(as_text=True).startswith('<section id="case"')


def test_invalid_step_keeps_input_with_422(client, coordinator, officer, db, login_as):
    submission = _assigned(coordinator)
    workflow.take(submission, officer, submission.version)
    login_as(officer)
    response = post_step(client, submission, "draft", body="   ")
    assert response.status_code == 422
    long_text = "Nội dung trả lời rất dài " * 500
    response = post_step(client, submission, "draft", body=long_text)
    assert response.status_code == 422 and "Nội dung trả lời rất dài" in response.get_data(as_text=True)


def test_stale_version_gives_conflict_and_keeps_text(client, coordinator, officer, lead, db, login_as):
    submission = _assigned(coordinator)
    workflow.take(submission, officer, submission.version)
    stale = submission.version
    workflow.note(submission, lead, submission.version, "Lãnh đạo ghi chú trước")
    login_as(officer)
    response = post_step(client, submission, "draft", version=stale, body="Bản trả lời của tôi, gõ rất lâu")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Bản trả lời của tôi, gõ rất lâu" in html and "Lãnh đạo ghi chú trước" in html
    assert "Người khác" in html
    # The form now carries the latest version, so sending it again is a deliberate overwrite.
    db.session.refresh(submission)
    assert f'name="draft-version" type="hidden" value="{submission.version}"' in html
    assert workflow.current_draft(submission) is None


def test_lead_approves_from_the_desk(client, coordinator, officer, lead, db, login_as):
    submission = _assigned(coordinator)
    workflow.take(submission, officer, submission.version)
    workflow.draft(submission, officer, submission.version, "Câu trả lời chính thức")
    login_as(lead)
    response = post_step(client, submission, "answer")
    assert response.status_code == 303
    db.session.refresh(submission)
    assert submission.status == Status.ANSWERED


def test_unknown_step_and_wrong_role_are_refused(client, coordinator, officer, db, login_as):
    submission = _assigned(coordinator)
    login_as(officer)
    assert post_step(client, submission, "explode").status_code in (400, 404)
    response = post_step(client, submission, "answer")
    assert response.status_code in (403, 409, 422)
    db.session.refresh(submission)
    assert submission.status == Status.ASSIGNED


def test_transfer_away_returns_to_queue(client, coordinator, lead, db, login_as):
    submission = _assigned(coordinator)
    login_as(lead)
    response = post_step(client, submission, "transfer", agency_id=str(agency_id("BTC")),
                         reason="Không thuộc thẩm quyền")
    assert response.status_code == 303 and response.headers["Location"].endswith("/can-bo")
    assert client.get(desk_url(submission)).status_code == 404


def test_classify_then_reject_from_the_desk(client, coordinator, db, login_as):
    submission, _t = make_submission()
    login_as(coordinator)
    response = post_step(client, submission, "classify", kind="policy", topic_id=str(any_topic_id()), note="")
    assert response.status_code == 303
    response = post_step(client, submission, "reject", reason="out_of_scope", note="")
    assert response.status_code == 303
    db.session.refresh(submission)
    assert submission.status == Status.REJECTED and submission.kind == "policy"


def test_on_time_rates(client, coordinator, officer, lead, db, login_as):
    submission = _assigned(coordinator)
    workflow.take(submission, officer, submission.version)
    workflow.draft(submission, officer, submission.version, "Trả lời")
    workflow.answer(submission, lead, submission.version)
    login_as(lead)
    html = client.get("/can-bo/dung-han").get_data(as_text=True)
    assert "Bộ Khoa học và Công nghệ" in html and "100%" in html


def test_count_stops_at_the_cap_and_next_still_works(client, coordinator, monkeypatch, login_as):
    monkeypatch.setattr(services, "COUNT_CAP", 20)
    for index in range(30):
        make_submission(title=f"Góp ý {index}")
    login_as(coordinator)
    html = client.get("/can-bo").get_data(as_text=True)
    assert "Hơn 20 góp ý" in html and 'rel="next"' in html and "Trang 1</span>" in html
    second = client.get("/can-bo?page=2").get_data(as_text=True)
    assert second.count('href="/can-bo/ho-so/') == 5 and 'rel="next"' not in second


def test_every_desk_page_fits_one_window(client, db, coordinator, login_as):
    submission, _t = make_submission()
    for index in range(40):
        make_submission(title=f"Góp ý kiểm tra kích thước số {index}")
    login_as(coordinator)
    for url in ("/can-bo", f"/can-bo/ho-so/{submission.id}", "/can-bo/dung-han"):
        response = client.get(url)
        assert response.status_code == 200 and _gz(response) <= PAGE_LIMIT, url
    fragment = client.get("/can-bo?page=2", headers={"HX-Request": "true"})
    assert _gz(fragment) <= FRAGMENT_LIMIT
    admin_client = client.application.test_client()
    login_as(client=admin_client, who=make_user(Role.ADMIN, email="admin-size@example.vn"))
    for url in ("/quan-tri", "/quan-tri/can-bo", "/quan-tri/han-xu-ly", "/quan-tri/co-quan", "/quan-tri/linh-vuc"):
        response = admin_client.get(url)
        assert response.status_code == 200 and _gz(response) <= PAGE_LIMIT, url


def test_a_step_without_its_version_is_refused(client, coordinator, db, login_as):
    submission, _t = make_submission()
    login_as(coordinator)
    response = post_step(client, submission, "note", version="", text="Ghi chú không có phiên bản")
    assert response.status_code == 422
    assert "Ghi chú không có phiên bản" in response.get_data(as_text=True)
    assert [e.action for e in submission.events] == ["submit"]


def test_officer_without_agency_sees_an_empty_queue(client, db, login_as):
    make_submission(title="Chưa chuyển cho ai")
    login_as(make_staff(Role.OFFICER, email="lac@example.vn"))
    assert "Chưa chuyển cho ai" not in client.get("/can-bo").get_data(as_text=True)


@pytest.mark.parametrize("url,fields,taken", [
    ("/quan-tri/co-quan", {"code": "bkhcn", "name": "Bộ trùng mã", "level": "central"}, "Bộ trùng mã"),
    ("/quan-tri/linh-vuc", {"slug": "DU-LIEU", "name": "Chủ đề trùng mã", "parent_id": ""}, "Chủ đề trùng mã"),
])
def test_admin_refuses_a_code_already_used_and_keeps_the_form(client, db, url, fields, taken, login_as):
    login_as(make_user(Role.ADMIN, email="admin-dup@example.vn"))
    html = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_token(html), **fields})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Mã này đã được dùng" in page and taken in page
    fresh = dict(fields, **({"code": "MOI-01"} if "code" in fields else {"slug": "chu-de-moi"}))
    assert client.post(url, data={"csrf_token": csrf_token(page), **fresh}).status_code == 303


def test_only_the_staff_handling_it_open_a_case_or_its_attachment(app, coordinator, officer, db, login_as):
    """One rule (permissions.handles) for both: an administrator handles no submission (403
    at the desk, 404 for the file); an officer of another agency finds neither (404)."""
    upload = FileStorage(io.BytesIO(pdf_bytes()), filename="ho-so.pdf")
    submission, _t = intake.submit_feedback(submission_input(), files=[upload])
    workflow.assign(submission, coordinator, submission.version, agency_id("BKHCN"))
    case, attachment = desk_url(submission), f"/tep/{submission.attachments[0].id}"
    app.test_client_class = FreshContextClient
    people = [(coordinator, 200, 200), (officer, 200, 200), (make_user(Role.ADMIN, email="qt@example.vn"), 403, 404),
              (make_staff(Role.OFFICER, "BTC", email="btc@example.vn"), 404, 404)]
    for user, case_status, file_status in people:
        client = app.test_client()
        login_as(user, client=client)
        opened, downloaded = client.get(case), client.get(attachment)
        assert (opened.status_code, downloaded.status_code) == (case_status, file_status), user.email
        if case_status != 200:
            assert "0912345678" not in opened.get_data(as_text=True)
            assert not downloaded.get_data().startswith(b"%PDF")
