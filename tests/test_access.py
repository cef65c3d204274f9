"""Every staff route for every role: anonymous visitors are sent to sign in, everyone else
not allowed gets 403 (wrong role) or 404 (someone else's submission)."""
import pytest

from app.api import tokens, webhooks
from app.common.roles import Role
from app.extensions import db as ext_db
from app.submissions import workflow
from tests.desk_helpers import login
from tests.factories import agency_id, make_staff, make_submission, make_user

ROLES = ("anonymous", "citizen", "moderator", "other_officer", "officer", "lead", "coordinator", "admin")
DESK = {"officer", "lead", "coordinator", "other_officer"}
CASE = {"officer", "lead", "coordinator"}


def _routes(submission_id: int, staff_id: int, token_id: int, endpoint_id: int):
    """(method, url, roles allowed, what allowed roles get)."""
    case = f"/can-bo/ho-so/{submission_id}"
    webhook = f"/quan-tri/webhook/{endpoint_id}"
    return [
        ("GET", "/can-bo", DESK, 200),
        ("GET", "/can-bo?q=song&due=overdue&mine=y", DESK, 200),
        ("GET", "/can-bo/dung-han", DESK, 200),
        ("GET", case, CASE, 200),
        ("POST", f"{case}/note", CASE, 303),
        ("POST", f"{case}/take", {"officer", "lead"}, 303),
        ("POST", f"{case}/answer", set(), None),
        ("GET", "/quan-tri", {"admin"}, 200),
        ("GET", "/quan-tri/can-bo", {"admin"}, 200),
        ("GET", f"/quan-tri/can-bo/{staff_id}", {"admin"}, 200),
        ("GET", "/quan-tri/han-xu-ly", {"admin"}, 200),
        ("GET", "/quan-tri/co-quan", {"admin"}, 200),
        ("GET", "/quan-tri/linh-vuc", {"admin"}, 200),
        ("GET", "/quan-tri/api", {"admin"}, 200),
        ("GET", f"/quan-tri/api/{token_id}", {"admin"}, 200),
        ("GET", "/quan-tri/webhook", {"admin"}, 200),
        ("GET", webhook, {"admin"}, 200),
        ("POST", f"{webhook}/gui-lai/1", {"admin"}, 303),
        ("POST", f"{webhook}/tat", {"admin"}, 303),
        ("POST", f"/quan-tri/api/{token_id}/thu-hoi", {"admin"}, 303),
    ]


def _user(role: str):
    if role == "anonymous":
        return None
    if role == "other_officer":
        return make_staff(Role.OFFICER, "BTC")
    if role in ("officer", "lead"):
        return make_staff(role, "BKHCN")
    if role == "coordinator":
        return make_staff(Role.COORDINATOR)
    return make_user(role)


def _expected_refusal(role: str, url: str) -> tuple:
    if role == "anonymous":
        return (303,)
    if role == "other_officer" and url.startswith("/can-bo/ho-so/"):
        return (404,)
    return (403,)


@pytest.mark.parametrize("role", ROLES)
def test_every_staff_route_for_every_role(app, client, db, role, monkeypatch):
    coordinator = make_staff(Role.COORDINATOR, email="router@example.vn")
    submission, _token = make_submission(title="Sóng yếu ở bản")
    workflow.assign(submission, coordinator, submission.version, agency_id("BKHCN"))
    token, _value = tokens.issue(tokens.TokenRequest("Cổng một cửa", [tokens.Scope.READ_PUBLIC], "it@example.vn", 30))
    endpoint = webhooks.add_endpoint(token.id, "https://hook.example.vn/gopy", ["submission.created"])
    user = _user(role)
    if user:
        login(client, user)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # the walk tests roles, not tokens
    for method, url, allowed, status in _routes(submission.id, coordinator.id, token.id, endpoint.id):
        ext_db.session.refresh(submission)
        version = str(submission.version)
        data = {"note-version": version, "note-text": "Ghi chú", "take-version": version, "answer-version": version}
        response = client.get(url) if method == "GET" else client.post(url, data=data)
        if role in allowed:
            assert response.status_code == status, (role, method, url, response.status_code)
        elif url.endswith("/answer") and role in CASE:
            # Only a lead may approve, and only a pending draft: here there is none.
            assert response.status_code == (409 if role == "lead" else 403), (role, url)
        else:
            assert response.status_code in _expected_refusal(role, url), (role, method, url, response.status_code)
        if role in ("anonymous", "citizen", "moderator", "admin", "other_officer") and url.startswith("/can-bo/ho-so"):
            assert "0912345678" not in response.get_data(as_text=True)
        if role != "admin" and url.startswith("/quan-tri/webhook"):
            assert endpoint.secret not in response.get_data(as_text=True)


def test_walk_covers_every_desk_route(app):
    walked = {"desk.queue", "desk.on_time", "desk.show", "desk.act", "admin.index", "admin.staff",
              "admin.staff_edit", "admin.deadline_rules", "admin.agencies_page", "admin.topics_page",
              "admin.api_tokens", "admin.api_token", "admin.api_token_revoke", "admin.webhook_endpoints",
              "admin.webhook_endpoint", "admin.webhook_switch", "admin.webhook_resend"}
    skipped = {"admin.old_topics_address"}  # a 301 to admin.topics_page
    desk_endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                      if rule.endpoint.startswith(("desk.", "admin."))}
    assert desk_endpoints - skipped == walked


def test_htmx_request_without_sign_in_gets_hx_redirect(client, htmx_headers):
    response = client.get("/can-bo", headers=htmx_headers)
    assert response.status_code == 204 and "/dang-nhap" in response.headers["HX-Redirect"]


def test_submitter_routes_need_the_right_link_or_account(client, db):
    submission, _token = make_submission()
    stranger = make_user(Role.CITIZEN)
    for url in ("/tra-cuu/rieng/" + "0" * 40 + "/bo-sung", "/tra-cuu/rieng/" + "0" * 40 + "/danh-gia",
                "/tra-cuu/rieng/" + "0" * 40 + "/xem-xet-lai"):
        assert client.post(url, data={}).status_code in (400, 404)
    login(client, stranger)
    assert client.get(f"/tai-khoan/gop-y/{submission.code}/rieng").status_code == 404


def test_public_status_has_no_personal_data(client, db):
    submission, _token = make_submission(contact_email="an@example.vn")
    for headers in ({}, {"HX-Request": "true"}):
        html = client.get(f"/tra-cuu/{submission.code}", headers=headers).get_data(as_text=True)
        assert "0912345678" not in html and "an@example.vn" not in html and "Lò Văn Thử" not in html
