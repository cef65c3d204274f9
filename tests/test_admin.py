"""The one administration area: administrators only, a start page that links every section,
and the rules its services keep (the last administrator stays one)."""
import re

from app.common.roles import Role
from tests.factories import make_staff


def _admin_pages(app) -> set[str]:
    """The admin area's GET pages that take no value in their address."""
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("admin.") and "GET" in rule.methods and not rule.arguments}


def test_start_page_links_to_every_section(app, client, db, login_as):
    login_as(make_staff(Role.ADMIN, email="start@example.vn"))
    html = client.get("/quan-tri").get_data(as_text=True)
    linked = set(re.findall(r'href="(/quan-tri/[^"?#]+)"', html))
    with app.test_request_context():
        from flask import url_for

        expected = {url_for(endpoint) for endpoint in _admin_pages(app) - {"admin.index", "admin.old_topics_address"}}
    assert expected and expected <= linked


def test_only_administrators_reach_the_area(app, client, db, login_as):
    for role in (Role.CITIZEN, Role.COORDINATOR, Role.LEAD, Role.MODERATOR):
        each = app.test_client()
        login_as(make_staff(role, email=f"{role}@example.vn"), client=each)
        assert each.get("/quan-tri/can-bo").status_code == 403, role
    assert client.get("/quan-tri/han-xu-ly").status_code == 303


def test_the_last_administrator_cannot_demote_themself(app, client, db, monkeypatch, login_as):
    admin = make_staff(Role.ADMIN, email="only@example.vn")
    login_as(admin)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    form = {"full_name": admin.full_name, "email": admin.email, "role": Role.OFFICER, "agency_id": "", "active": "y"}
    response = client.post(f"/quan-tri/can-bo/{admin.id}", data=form)
    assert response.status_code == 422
    db.session.refresh(admin)
    assert admin.role == Role.ADMIN
    make_staff(Role.ADMIN, email="second@example.vn")
    assert client.post(f"/quan-tri/can-bo/{admin.id}", data=form).status_code == 303


def test_old_topics_address_redirects(client, db, login_as):
    login_as(make_staff(Role.ADMIN, email="old@example.vn"))
    response = client.get("/quan-tri/chu-de")
    assert response.status_code == 301 and response.headers["Location"] == "/quan-tri/linh-vuc"


def test_the_forums_administration_moved_into_the_area(client, db, login_as):
    login_as(make_staff(Role.ADMIN, email="forum-admin@example.vn"))
    for old, new in (("/dien-dan/quan-tri/chuyen-muc", "/quan-tri/chuyen-muc"),
                     ("/dien-dan/quan-tri/huy-hieu", "/quan-tri/huy-hieu"),
                     ("/dien-dan/quan-tri/hoi-dap", "/quan-tri/doi-thoai")):
        response = client.get(old)
        assert (response.status_code, response.headers["Location"]) == (301, new)
        assert client.get(new).status_code == 200
    assert "/quan-tri/" not in client.get("/dien-dan").get_data(as_text=True).split("</header>")[1]
