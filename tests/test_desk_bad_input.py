"""Nothing a person sends to the desk, the admin area or the private page answers 500."""
import inspect

import pytest

from app.common.roles import Role
from app.desk.forms import STEP_FORMS
from app.submissions import workflow
from tests.factories import agency_id, make_staff, make_submission

GARBAGE = ["", " ", "abc", "-1", "0", "99999999999999999999", "1.5", "<script>x</script>", "ﾠ", "\x00", "%", "'; --"]


@pytest.mark.parametrize("role", ["coordinator", "lead"])
def test_garbage_to_every_step_never_500(app, client, db, role, monkeypatch, login_as):
    coordinator = make_staff(Role.COORDINATOR, email="c@example.vn")
    user = coordinator if role == "coordinator" else make_staff(Role.LEAD, "BKHCN", email="l@example.vn")
    submission, _token = make_submission()
    if role == "lead":
        workflow.assign(submission, coordinator, submission.version, agency_id("BKHCN"))
    login_as(user)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    for step, form_class in STEP_FORMS.items():
        names = _field_names(form_class)
        for value in GARBAGE:
            data = {f"{step}-{name}": value for name in names}
            response = client.post(f"/can-bo/ho-so/{submission.id}/{step}", data=data)
            assert response.status_code < 500, (step, value, response.status_code)


def test_each_step_form_holds_the_arguments_of_its_workflow_function(app):
    """The desk passes a step's form data to the workflow function of the same name as it is."""
    assert set(STEP_FORMS) == set(workflow.DESK_STEPS)
    with app.test_request_context():
        for step, form_class in STEP_FORMS.items():
            parameters = list(inspect.signature(getattr(workflow, step)).parameters)
            assert parameters[:3] == ["submission", "user", "version"], step
            assert set(form_class(meta={"csrf": False}).arguments) == set(parameters[3:]), step


HUGE = [0, 2**31, 2**63, 10**20, 10**30]


@pytest.mark.parametrize("number", HUGE)
def test_ids_outside_the_database_range_are_not_found_at_the_desk(app, client, db, number, monkeypatch, login_as):
    login_as(make_staff(Role.COORDINATOR, email="id@example.vn"))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # the route's own answer, not the token's
    assert client.get(f"/can-bo/ho-so/{number}").status_code == 404
    assert client.get(f"/can-bo/ho-so/-{number}").status_code == 404
    assert client.post(f"/can-bo/ho-so/{number}/note", data={"note-text": "x"}).status_code == 404
    submission, _token = make_submission()
    assert client.post(f"/can-bo/ho-so/{submission.id}/{number}").status_code == 404


@pytest.mark.parametrize("number", HUGE + [-(2**63)])
def test_any_integer_in_a_desk_query_answers_200(client, db, number, login_as):
    login_as(make_staff(Role.COORDINATOR, email="qi@example.vn"))
    make_submission()
    for key in ("topic", "province", "page", "status", "kind", "due", "sort", "mine", "unassigned", "q"):
        for url in (f"/can-bo?{key}={number}", f"/can-bo/dung-han?{key}={number}"):
            assert client.get(url).status_code == 200, url
        assert client.get(f"/can-bo?{key}={number}", headers={"HX-Request": "true"}).status_code == 200, key


def _field_names(form_class) -> list[str]:
    """The form's own fields, plus every field name any step uses."""
    return [name for name, value in vars(form_class).items() if hasattr(value, "field_class")] + [
        "version", "kind", "topic_id", "note", "reason", "agency_id"]


@pytest.mark.parametrize("query", ["status=%00", "topic=-1", "province=abc", "page=99999999999999999999",
                                   "page=-5", "due=x&sort=y&kind=z", "q=" + "a" * 500, "q=%25%5F%5C",
                                   "mine=1&unassigned=1"])
def test_garbage_queue_filters_never_500(client, db, query, login_as):
    login_as(make_staff(Role.COORDINATOR, email="q@example.vn"))
    assert client.get(f"/can-bo?{query}").status_code == 200


def test_garbage_to_admin_forms_never_500(app, client, db, monkeypatch, login_as):
    login_as(make_staff(Role.ADMIN, email="a@example.vn"))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    posts = {
        "/quan-tri/can-bo": {"full_name": "x", "email": "a@example.vn", "role": "emperor", "agency_id": "abc"},
        "/quan-tri/han-xu-ly": {"kind": "concern", "concern-classify_days": "-3", "concern-answer_days": "x"},
        "/quan-tri/co-quan": {"code": "BKHCN", "name": "Trùng", "level": "galaxy"},
        "/quan-tri/linh-vuc": {"slug": "ha-tang-so", "name": "Trùng", "parent_id": "99999"},
    }
    for url, data in posts.items():
        response = client.post(url, data=data)
        assert response.status_code == 422, (url, response.status_code)
    assert client.get("/quan-tri/can-bo/99999").status_code == 404


def test_admin_creates_staff_and_changes_rules(app, client, db, monkeypatch, login_as):
    from sqlalchemy import select

    from app.accounts.models import User
    from app.submissions import deadlines

    login_as(make_staff(Role.ADMIN, email="a2@example.vn"))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    response = client.post("/quan-tri/can-bo", data={"full_name": "Cán Bộ Mới", "email": "Moi@Example.vn",
                                                     "role": "officer", "agency_id": str(agency_id("BTC")),
                                                     "password": "mat-khau-dai-du", "active": "y"})
    assert response.status_code == 303
    created = db.session.scalar(select(User).where(User.email == "moi@example.vn"))
    assert created.role == "officer" and created.agency_id == agency_id("BTC")
    assert created.check_password("mat-khau-dai-du")
    response = client.post("/quan-tri/han-xu-ly", data={"kind": "policy", "policy-classify_days": "2",
                                                         "policy-answer_days": "15"})
    assert response.status_code == 303 and deadlines.answer_days("policy") == 15


def test_nul_and_control_characters_never_reach_the_database(app, client, db, monkeypatch, login_as):
    coordinator = make_staff(Role.COORDINATOR, email="n@example.vn")
    officer = make_staff(Role.OFFICER, "BKHCN", email="o@example.vn")
    submission, token = make_submission()
    workflow.assign(submission, coordinator, submission.version, agency_id("BKHCN"))
    workflow.take(submission, officer, submission.version)
    workflow.request_info(submission, officer, submission.version, "Câu hỏi")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    assert client.get("/tra-cuu/%00").status_code == 400  # a NUL in the path is refused up front
    response = client.post(f"/tra-cuu/rieng/{token}/bo-sung", data={"reply": "Trả\x00 lời\x07"})
    assert response.status_code == 303
    ext_note = [e.internal_note for e in submission.events if e.action == "provide_info"]
    assert ext_note == ["Trả lời"]
    login_client = client.application.test_client()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login_as(client=login_client, who=coordinator)
    assert login_client.get("/can-bo?q=%00s%C3%B3ng").status_code == 200
