"""Verified organisations: a request with a document, an administrator's review, one verified
organisation per tax code (in the database too), members who act for it and see what it sent,
and the forum badge that follows verification only."""
import io

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts import organisations
from app.accounts.models import Identity, Organisation, OrganisationMember, OrganisationStatus
from app.common.errors import Conflict
from app.common.validators import normalize_tax_code
from app.forum import services as forum
from tests.conftest import csrf_token
from tests.factories import make_submission, make_user

TAX_CODE = "0100109106"


def _photo() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    out.seek(0)
    return out


def _ask(client, name="Công ty Sông Hồng", tax_code=TAX_CODE, with_document=True):
    page = client.get("/tai-khoan/to-chuc").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "name": name, "tax_code": tax_code}
    if with_document:
        data["document"] = (_photo(), "giay-phep.png")
    return client.post("/tai-khoan/to-chuc", data=data, content_type="multipart/form-data")


def _review(client, organisation_id, decision="approve"):
    url = f"/quan-tri/to-chuc/{organisation_id}"
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(page), "decision": decision, "note": ""})


def test_tax_codes_are_checked_by_stdnum_and_the_example_is_valid():
    assert normalize_tax_code("0101234567") is None  # the old example: its check digit is wrong
    assert normalize_tax_code("0100109106") == "0100109106"
    assert normalize_tax_code("0100109106001") == "0100109106-001"
    assert normalize_tax_code("0100 109 106-001") == "0100109106-001"
    assert normalize_tax_code("0100109107") is None


def test_request_review_and_badge(app, client, db, login_as):
    owner = login_as(make_user(email="chu@example.vn", full_name="Vũ Thị Doanh"))
    bad = _ask(client, tax_code="0101234567")
    assert bad.status_code == 422
    assert "0101234567" in bad.get_data(as_text=True)  # what was typed stays
    assert _ask(client, with_document=False).status_code == 422
    assert _ask(client).status_code == 303
    organisation = db.session.scalar(select(Organisation))
    assert organisation.status == OrganisationStatus.PENDING and organisation.document_key
    assert organisations.verified_names([owner.id]) == {}  # no badge before the review

    login_as("admin")
    listing = client.get("/quan-tri/to-chuc").get_data(as_text=True)
    assert "Công ty Sông Hồng" in listing
    document = client.get(f"/quan-tri/to-chuc/{organisation.id}/giay-to")
    assert document.status_code == 200 and document.mimetype == "image/jpeg"
    assert _review(client, organisation.id).status_code == 303
    db.session.refresh(organisation)
    assert organisation.verified and organisation.verified_by == "administrator"
    assert organisations.verified_names([owner.id]) == {owner.id: "Công ty Sông Hồng"}
    assert "/quan-tri/to-chuc" in client.get("/quan-tri").get_data(as_text=True)


def test_a_second_account_cannot_get_the_badge_of_a_verified_tax_code(client, db, login_as):
    first = make_user(email="dau@example.vn")
    verified = Organisation(owner_id=first.id, name="Công ty Sông Hồng", tax_code=TAX_CODE,
                            status=OrganisationStatus.VERIFIED)
    db.session.add(verified)
    db.session.commit()
    second = login_as(make_user(email="sau@example.vn"))
    response = _ask(client, name="Sông Hồng giả", tax_code="0100.109.106")
    assert response.status_code == 422
    assert "đã được xác minh" in response.get_data(as_text=True)
    # Even a request sent before the first was verified cannot be approved now.
    late = Organisation(owner_id=second.id, name="Sông Hồng giả", tax_code=TAX_CODE)
    db.session.add(late)
    db.session.commit()
    admin = make_user("admin")
    with pytest.raises(Conflict):
        organisations.review(admin, late.id, approve=True)
    assert organisations.verified_names([second.id]) == {}


def test_the_database_keeps_one_verified_organisation_per_tax_code(db):
    people = [make_user(), make_user()]
    db.session.add_all(Organisation(owner_id=person.id, name="A", tax_code=TAX_CODE, status=OrganisationStatus.VERIFIED)
                       for person in people)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # Pending and refused requests for the same code may coexist.
    db.session.add_all(Organisation(owner_id=person.id, name="A", tax_code=TAX_CODE) for person in people)
    db.session.commit()


def test_members_act_for_the_organisation_and_see_its_submissions(client, db, login_as):
    declared = {"kind": "organisation", "org_name": "Công ty Sông Hồng", "tax_code": TAX_CODE}
    owner = make_user(email="chu@example.vn", full_name="Vũ Thị Doanh", **declared)
    member = make_user(email="nv@example.vn", full_name="Lê Văn Nhân")
    outsider = make_user(email="ngoai@example.vn", **declared)  # declares the same code, never verified
    organisation = Organisation(owner_id=owner.id, name="Công ty Sông Hồng", tax_code=TAX_CODE,
                                status=OrganisationStatus.VERIFIED)
    db.session.add(organisation)
    db.session.commit()
    sent, _token = make_submission(user=owner, title="Góp ý của công ty về chữ ký số")
    other, _token = make_submission(user=outsider, title="Gửi bằng mã số thuế của người khác")
    url = f"/tai-khoan/to-chuc/{organisation.id}"

    login_as(owner)
    page = client.get(url).get_data(as_text=True)
    added = client.post(url, data={"csrf_token": csrf_token(page), "identifier": "NV@example.vn"})
    assert added.status_code == 303
    unknown = client.post(url, data={"csrf_token": csrf_token(page), "identifier": "khong-co@example.vn"})
    assert unknown.status_code == 422

    login_as(member)
    page = client.get(url).get_data(as_text=True)
    assert "Góp ý của công ty về chữ ký số" in page
    assert "Gửi bằng mã số thuế của người khác" not in page
    assert organisations.verified_names([member.id]) == {member.id: "Công ty Sông Hồng"}
    # A member cannot add or remove people.
    assert client.post(url, data={"csrf_token": csrf_token(page), "identifier": "ngoai@example.vn"}).status_code == 403

    login_as(outsider)
    assert client.get(url).status_code == 404

    login_as(owner)
    row = db.session.scalar(select(OrganisationMember))
    page = client.get(url).get_data(as_text=True)
    removed = client.post(f"{url}/thanh-vien/{row.id}/xoa", data={"csrf_token": csrf_token(page)})
    assert removed.status_code == 303
    assert db.session.scalar(select(OrganisationMember)) is None
    login_as(member)
    assert client.get(url).status_code == 404
    assert other.id  # the outsider's submission exists, and was never shown


def test_strong_identity_verifies_at_once_when_configured(app, client, db, login_as):
    user = login_as(make_user(email="manh@example.vn"))
    db.session.add(Identity(user_id=user.id, provider="vneid", subject="s-1", assurance_level=2))
    db.session.commit()
    app.config["ORGANISATION_AUTO_VERIFY_LEVEL"] = 2
    try:
        assert _ask(client, with_document=False).status_code == 303
    finally:
        app.config["ORGANISATION_AUTO_VERIFY_LEVEL"] = 0
    organisation = db.session.scalar(select(Organisation))
    assert organisation.verified and organisation.verified_by == "identity"


def test_required_level_refuses_a_request_without_a_strong_identity(app, client, db, login_as):
    login_as(make_user(email="yeu@example.vn"))
    app.config["ORGANISATION_REQUIRED_LEVEL"] = 2
    try:
        response = _ask(client)
    finally:
        app.config["ORGANISATION_REQUIRED_LEVEL"] = 0
    assert response.status_code == 422
    assert db.session.scalar(select(Organisation)) is None


def test_forum_badge_needs_a_verified_organisation(client, db):
    declared = make_user(kind="organisation", org_name="Công ty Tự Xưng", tax_code=TAX_CODE)
    verified_owner = make_user(email="that@example.vn")
    db.session.add(Organisation(owner_id=verified_owner.id, name="Công ty Thật", tax_code=TAX_CODE,
                                status=OrganisationStatus.VERIFIED))
    db.session.commit()
    badges = forum.badges_for([declared, verified_owner])
    assert badges[declared.id] == []
    assert badges[verified_owner.id] == [("organisation", "Công ty Thật")]


def test_panel_seat_can_require_a_strong_identity(app, db):
    from datetime import timedelta

    from app.common.errors import ValidationError
    from app.common.time import utcnow
    from tests.forum_support import make_board

    admin = make_user("admin")
    weak = make_user(email="ban@example.vn")
    board = make_board()
    app.config["PANEL_REQUIRED_LEVEL"] = 2
    try:
        with pytest.raises(ValidationError):
            forum.create_dialogue(admin, board.id, "Đối thoại", "Nội dung đối thoại", utcnow(),
                                  utcnow() + timedelta(hours=1), ["ban@example.vn"])
        db.session.rollback()
        db.session.add(Identity(user_id=weak.id, provider="vneid", subject="s-2", assurance_level=2))
        db.session.commit()
        thread = forum.create_dialogue(admin, board.id, "Đối thoại", "Nội dung đối thoại", utcnow(),
                                       utcnow() + timedelta(hours=1), ["ban@example.vn"])
    finally:
        app.config["PANEL_REQUIRED_LEVEL"] = 0
    assert forum.panelist_ids(thread) == [weak.id]


def test_a_refused_request_gives_no_badge_and_can_be_sent_again(client, db, login_as):
    owner = login_as(make_user(email="chu@example.vn"))
    assert _ask(client).status_code == 303
    organisation = db.session.scalar(select(Organisation))
    login_as("admin")
    assert _review(client, organisation.id, decision="reject").status_code == 303
    db.session.refresh(organisation)
    assert organisation.status == OrganisationStatus.REJECTED and organisations.verified_names([owner.id]) == {}
    again = _review(client, organisation.id)  # decided: refused again, nothing changes
    assert again.status_code == 422 and "đã được quyết định" in again.get_data(as_text=True)
    db.session.refresh(organisation)
    assert organisation.status == OrganisationStatus.REJECTED
    login_as(owner)
    assert _ask(client).status_code == 303  # a new request, with a new document
    assert db.session.scalar(select(db.func.count(Organisation.id))) == 2
