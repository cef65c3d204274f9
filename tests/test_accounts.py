"""Accounts: register as a person or an organisation, sign in by e-mail or phone, profile,
verify a contact and claim what was sent as a guest."""
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.submissions.models import Submission
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_submission, make_user


def _post_form(client, url, **fields):
    html = client.get(url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(html), **fields})


def _sign_in(client, identifier, password=PASSWORD):
    """Through the real form: these tests are about signing in (others use login_as)."""
    return _post_form(client, "/dang-nhap", identifier=identifier, password=password)


def test_register_individual_with_phone_then_sign_in_with_other_spelling(client, db):
    response = _post_form(client, "/dang-ky", kind="individual", full_name="Đinh Thị Mai",
                          identifier="0912.345.678", password="mat-khau-123", confirm="mat-khau-123")
    assert response.status_code == 303 and response.headers["Location"] == "/dang-ky/da-gui"
    user = db.session.scalar(select(User).where(User.phone == "0912345678"))
    assert user and user.full_name == "Đinh Thị Mai"
    assert client.get("/tai-khoan").status_code == 303  # registering does not sign in: see test_account_security
    assert _sign_in(client, "+84 912 345 678", "mat-khau-123").status_code == 303
    assert "Đinh Thị Mai" not in client.get("/").get_data(as_text=True)  # names stay off shared pages
    assert client.get("/tai-khoan").status_code == 200


def test_register_organisation_needs_valid_tax_code(client, db):
    bad = _post_form(client, "/dang-ky", kind="organisation", full_name="Vũ Thị Doanh", identifier="dn@example.vn",
                     org_name="Công ty Sông Hồng", tax_code="0100109107", password="mat-khau-123",
                     confirm="mat-khau-123")
    assert bad.status_code == 422 and "mã số thuế hợp lệ" in bad.get_data(as_text=True)
    assert 'value="Công ty Sông Hồng"' in bad.get_data(as_text=True)
    good = _post_form(client, "/dang-ky", kind="organisation", full_name="Vũ Thị Doanh", identifier="dn@example.vn",
                      org_name="Công ty Sông Hồng", tax_code="0100109106-001", password="mat-khau-123",
                      confirm="mat-khau-123")
    assert good.status_code == 303
    user = db.session.scalar(select(User).where(User.email == "dn@example.vn"))
    assert (user.kind, user.tax_code, user.org_name) == ("organisation", "0100109106-001", "Công ty Sông Hồng")


def test_duplicate_account_is_answered_like_a_new_one_and_told_by_message(client, db):
    from app.notify.models import OutboxMessage

    make_user(email="trung@example.vn")
    fresh = _post_form(client, "/dang-ky", kind="individual", full_name="Ai Mới", identifier="moi@example.vn",
                       password="mat-khau-123", confirm="mat-khau-123")
    known = _post_form(client, "/dang-ky", kind="individual", full_name="Ai Đó", identifier="Trung@Example.vn",
                       password="mat-khau-123", confirm="mat-khau-123")
    assert (known.status_code, known.headers["Location"]) == (fresh.status_code, fresh.headers["Location"])
    assert db.session.scalar(select(User.full_name).where(User.email == "trung@example.vn")) == "Nguyễn Văn Thử"
    told = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "trung@example.vn"))
    assert told is not None and "/tai-khoan/quen-mat-khau" in told.body


def test_wrong_password_is_refused_without_saying_which_part(client, db):
    make_user(email="mai@example.vn")
    response = _sign_in(client, "mai@example.vn", "sai-mat-khau")
    assert response.status_code == 422
    assert "không khớp" in response.get_data(as_text=True)


def test_login_redirect_only_to_local_pages(client, db):
    make_user(email="mai@example.vn")
    html = client.get("/dang-nhap").get_data(as_text=True)
    response = client.post("/dang-nhap?next=https://evil.example/x",
                           data={"csrf_token": csrf_token(html), "identifier": "mai@example.vn", "password": PASSWORD})
    assert response.headers["Location"] == "/tai-khoan/gop-y"


def test_signed_in_submission_uses_account_details(client, db, login_as):
    user = login_as(make_user(email="co@example.vn", full_name="Trần Văn Có"))
    html = client.get("/gop-y/moi").get_data(as_text=True)
    assert 'name="contact_name"' not in html
    from tests.test_feedback import _form_data

    data = _form_data(html, contact_name=None, contact_phone=None)
    assert client.post("/gop-y/moi", data=data).status_code == 303
    listing = client.get("/tai-khoan/gop-y").get_data(as_text=True)
    assert "Sóng di động yếu tại thôn" in listing and "Đã tiếp nhận" in listing
    assert db.session.scalar(select(Submission.user_id)) == user.id


def test_verify_email_then_claim_guest_submissions(client, db, app, login_as):
    guest, _token = make_submission(contact_email="khach@example.vn", contact_phone=None)
    other, _token = make_submission(contact_email="nguoi-khac@example.vn", contact_phone=None)
    login_as(make_user(email="khach@example.vn"))
    assert "Thêm vào tài khoản" not in client.get("/tai-khoan/gop-y").get_data(as_text=True)  # not verified yet

    html = client.get("/tai-khoan").get_data(as_text=True)
    response = client.post("/tai-khoan/xac-minh/email", data={"csrf_token": csrf_token(html)})
    assert response.status_code == 303
    mail_dir = Path(app.instance_path) / "mail"
    newest = max(mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime)
    code = re.search(r"\b(\d{6})\b", newest.read_text()).group(1)

    wrong = _post_form(client, "/tai-khoan/xac-minh/email/nhap-ma", code="000000" if code != "000000" else "111111")
    assert wrong.status_code == 422
    assert _post_form(client, "/tai-khoan/xac-minh/email/nhap-ma", code=code).status_code == 303
    listing = client.get("/tai-khoan/gop-y").get_data(as_text=True)
    assert "Thêm vào tài khoản" in listing
    client.post("/tai-khoan/gop-y/nhan", data={"csrf_token": csrf_token(listing)})
    db.session.expire_all()
    assert guest.user_id is not None and other.user_id is None


def test_changing_email_drops_its_verification(client, db, login_as):
    user = make_user(email="cu@example.vn")
    from app.common.time import utcnow

    user.email_verified_at = utcnow()
    db.session.commit()
    login_as(user)
    response = _post_form(client, "/tai-khoan", kind="individual", full_name="Tên Mới", email="moi@example.vn",
                          phone="", locale="vi")
    assert response.status_code == 303
    db.session.expire_all()
    assert user.email == "moi@example.vn" and user.email_verified_at is None


@pytest.mark.parametrize("url", ["/tai-khoan", "/tai-khoan/gop-y", "/tai-khoan/xac-minh/email/nhap-ma"])
def test_account_pages_need_sign_in(client, url, htmx_headers):
    response = client.get(url)
    assert response.status_code == 303 and "/dang-nhap" in response.headers["Location"]
    fragment = client.get(url, headers=htmx_headers)
    assert fragment.headers.get("HX-Redirect", "").startswith("/dang-nhap")


def test_post_without_csrf_token_changes_nothing(client, db):
    make_user(email="mai@example.vn")
    response = client.post("/dang-nhap", data={"identifier": "mai@example.vn", "password": PASSWORD})
    assert response.status_code == 422
    assert "/tai-khoan" not in response.headers.get("Location", "")
    logout = client.post("/dang-xuat")
    assert logout.status_code == 400


def test_asking_a_code_for_a_contact_the_account_lacks_says_so_on_the_profile(client, db):
    make_user(email="chi-thu@example.vn")
    _sign_in(client, "chi-thu@example.vn")
    profile = client.get("/tai-khoan").get_data(as_text=True)
    assert "chi-thu@example.vn" in profile and "/tai-khoan/xac-minh/sms" not in profile  # no phone to verify
    response = client.post("/tai-khoan/xac-minh/sms", data={"csrf_token": csrf_token(profile)})
    assert response.status_code == 303 and response.headers["Location"] == "/tai-khoan"
    assert "Hãy thêm thông tin liên hệ này vào tài khoản trước." in client.get("/tai-khoan").get_data(as_text=True)


@pytest.mark.parametrize("channel", ["fax", "EMAIL", "1"])
def test_an_unknown_verification_channel_is_not_found(client, db, channel):
    make_user(email="kenh@example.vn")
    _sign_in(client, "kenh@example.vn")
    assert client.get(f"/tai-khoan/xac-minh/{channel}/nhap-ma").status_code == 404
    html = client.get("/tai-khoan").get_data(as_text=True)
    assert client.post(f"/tai-khoan/xac-minh/{channel}", data={"csrf_token": csrf_token(html)}).status_code == 404


def test_the_code_page_names_the_channel_it_was_sent_by(client, db):
    make_user(email="kenh@example.vn")
    _sign_in(client, "kenh@example.vn")
    assert "qua thư điện tử" in client.get("/tai-khoan/xac-minh/email/nhap-ma").get_data(as_text=True)
    assert "qua tin nhắn SMS" in client.get("/tai-khoan/xac-minh/sms/nhap-ma").get_data(as_text=True)


def test_a_refused_profile_change_keeps_the_saved_contacts(client, db):
    make_user(email="dang-dung@example.vn")
    make_user(email="cua-nguoi-khac@example.vn")
    _sign_in(client, "dang-dung@example.vn")
    response = _post_form(client, "/tai-khoan", kind="individual", full_name="Tên", email="cua-nguoi-khac@example.vn",
                          phone="", locale="vi")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Một tài khoản khác đã dùng thông tin này." in page
    assert 'value="cua-nguoi-khac@example.vn"' in page  # what was typed stays in the form
    contacts = page.split("<h2>")[-1]  # the verified-contacts list shows what is saved
    assert "dang-dung@example.vn" in contacts and "cua-nguoi-khac@example.vn" not in contacts


@pytest.mark.parametrize("page", [0, -1, 2**31, 2**63, 10**30])
def test_any_page_of_my_submissions_answers_a_page(client, db, page):
    user = make_user(email="trang@example.vn")
    make_submission(user=user)
    _sign_in(client, "trang@example.vn")
    response = client.get(f"/tai-khoan/gop-y?page={page}")
    assert response.status_code == 200


def test_my_submissions_page_through_without_counting(client, db):
    user = make_user(email="nhieu@example.vn")
    for index in range(21):
        make_submission(user=user, title=f"Góp ý thứ {index:02d} của tôi")
    _sign_in(client, "nhieu@example.vn")
    first = client.get("/tai-khoan/gop-y").get_data(as_text=True)
    assert "Góp ý thứ 20" in first and "Góp ý thứ 00" not in first and 'rel="next"' in first
    second = client.get("/tai-khoan/gop-y?page=2").get_data(as_text=True)
    assert "Góp ý thứ 00" in second and 'rel="prev"' in second and 'rel="next"' not in second
    assert "Trang 2" in second
