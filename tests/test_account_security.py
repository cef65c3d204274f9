"""Accounts that can be ended and recovered: sign-out and password changes end every copy of a
session, password reset and change, the password rule, two-step sign-in, no account oracle,
and the limits on the codes and links sent to a contact."""
import re
import time
from datetime import timedelta

import pyotp
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from app.accounts import models as account_models
from app.accounts import staff
from app.accounts.models import PasswordReset, RecoveryCode, User, VerificationCode
from app.cli import create_admin_command
from app.common.roles import Role
from app.common.time import utcnow
from app.notify.models import OutboxMessage
from tests.conftest import FreshContextClient, csrf_token
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "song-hong-chay-qua-ha-noi"


def _post_form(client, url, **fields):
    html = client.get(url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(html), **fields})


def _sign_in(client, identifier, password=PASSWORD, remember=True):
    fields = {"identifier": identifier, "password": password}
    if remember:
        fields["remember"] = "y"
    return _post_form(client, "/dang-nhap", **fields)


def _cookie(client, name):
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def _client_with(app, **cookies):
    app.test_client_class = FreshContextClient
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def _signed_in(client) -> bool:
    return client.get("/tai-khoan").status_code == 200


def _messages_to(db, recipient):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == recipient)
                                   .order_by(OutboxMessage.id)))


# Sessions that end.

def test_after_logout_a_copied_session_cookie_and_remember_cookie_are_refused(app, client, db):
    make_user(email="dang-xuat@example.vn")
    assert _sign_in(client, "dang-xuat@example.vn").status_code == 303
    session_cookie, remember = _cookie(client, "session"), _cookie(client, "remember_token")
    assert _signed_in(_client_with(app, session=session_cookie))
    assert _signed_in(_client_with(app, remember_token=remember))  # the copies work before sign-out

    client.post("/dang-xuat", data={"csrf_token": csrf_token(client.get("/tai-khoan").get_data(as_text=True))})
    assert not _signed_in(client)
    assert not _signed_in(_client_with(app, session=session_cookie))
    assert not _signed_in(_client_with(app, remember_token=remember))


def test_remember_token_differs_after_a_sign_out(app, client, db):
    make_user(email="nho@example.vn")
    _sign_in(client, "nho@example.vn")
    first = _cookie(client, "remember_token")
    client.post("/dang-xuat", data={"csrf_token": csrf_token(client.get("/tai-khoan").get_data(as_text=True))})
    _sign_in(client, "nho@example.vn")
    assert _cookie(client, "remember_token") != first


def test_after_a_password_change_old_cookies_are_refused_and_this_device_stays(app, client, db):
    user = make_user(email="doi-mat-khau@example.vn")
    _sign_in(client, "doi-mat-khau@example.vn")
    session_cookie, remember = _cookie(client, "session"), _cookie(client, "remember_token")
    response = _post_form(client, "/tai-khoan/mat-khau", current=PASSWORD, password=NEW_PASSWORD,
                          confirm=NEW_PASSWORD)
    assert response.status_code == 303
    assert _signed_in(client)
    assert not _signed_in(_client_with(app, session=session_cookie))
    assert not _signed_in(_client_with(app, remember_token=remember))
    db.session.expire_all()
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)


def test_a_suspension_signs_the_staff_member_out_everywhere(app, client, db, login_as):
    officer = make_user(Role.OFFICER, email="can-bo@example.vn")
    _sign_in(client, "can-bo@example.vn")
    assert _signed_in(client)
    remember = _cookie(client, "remember_token")
    staff.update_staff(officer, officer.full_name, Role.OFFICER, None, False, None)
    assert not _signed_in(client)
    assert not _signed_in(_client_with(app, remember_token=remember))


def test_an_old_style_session_without_version_is_refused(client, db):
    user = make_user(email="cu@example.vn")
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
    assert not _signed_in(client)


def test_remember_cookie_is_secure_with_the_session_cookie(app, client, db):
    make_user(email="bao-mat@example.vn")
    app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    try:
        response = _sign_in(client, "bao-mat@example.vn")
    finally:
        app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    remember = [header for header in response.headers.getlist("Set-Cookie") if header.startswith("remember_token=")]
    assert remember and "Secure" in remember[0] and "HttpOnly" in remember[0] and "SameSite=Lax" in remember[0]


# Password change and the rule.

def test_password_change_needs_the_current_password_and_a_strong_new_one(client, db, login_as):
    user = login_as(make_user(email="doi@example.vn", full_name="Phạm Minh Tuấn"))
    wrong = _post_form(client, "/tai-khoan/mat-khau", current="khong-phai-mat-khau", password=NEW_PASSWORD,
                       confirm=NEW_PASSWORD)
    assert wrong.status_code == 422 and "Đây không phải mật khẩu hiện tại của bạn." in wrong.get_data(as_text=True)
    for weak in ("password1234", "12345678", "phamminhtuan"):
        refused = _post_form(client, "/tai-khoan/mat-khau", current=PASSWORD, password=weak, confirm=weak)
        assert refused.status_code == 422, weak
    db.session.expire_all()
    assert user.check_password(PASSWORD)


def test_a_password_change_is_told_to_the_verified_email_in_the_account_language(client, db, login_as):
    user = login_as(make_user(email="bao@example.vn", email_verified_at=utcnow(), phone="0912000111",
                              phone_verified_at=utcnow()))
    before = len(_messages_to(db, "bao@example.vn"))
    response = _post_form(client, "/tai-khoan/mat-khau", current=PASSWORD, password=NEW_PASSWORD,
                          confirm=NEW_PASSWORD)
    assert response.status_code == 303
    told = _messages_to(db, "bao@example.vn")[before:]
    assert len(told) == 1 and told[0].channel == "email"
    assert told[0].subject == "Mật khẩu Góp Ý của bạn đã được đổi"
    assert "Nếu không phải bạn" in told[0].body and "/tai-khoan/quen-mat-khau" in told[0].body
    assert _messages_to(db, "0912000111") == [], "one message, by the e-mail address"
    user.locale = "en"
    db.session.commit()
    _post_form(client, "/tai-khoan/mat-khau", current=NEW_PASSWORD, password=NEW_PASSWORD + "-2",
               confirm=NEW_PASSWORD + "-2")
    assert _messages_to(db, "bao@example.vn")[-1].subject == "Your Góp Ý password was changed"


def test_a_wrong_current_password_tells_nobody(client, db, login_as):
    login_as(make_user(email="yen@example.vn", email_verified_at=utcnow()))
    _post_form(client, "/tai-khoan/mat-khau", current="khong-phai-mat-khau", password=NEW_PASSWORD,
               confirm=NEW_PASSWORD)
    assert _messages_to(db, "yen@example.vn") == []


def test_a_reset_by_sms_is_told_by_sms_with_the_link_first(client, db):
    make_user(email=None, phone="0912000222")
    _post_form(client, "/tai-khoan/quen-mat-khau", identifier="0912000222")
    body = _messages_to(db, "0912000222")[-1].body
    link = re.search(r"(/tai-khoan/dat-lai-mat-khau/[\w-]+)", body).group(1)
    assert _post_form(client, link, password=NEW_PASSWORD, confirm=NEW_PASSWORD).status_code == 303
    told = _messages_to(db, "0912000222")[-1]
    assert told.channel == "sms" and told.body.startswith("http") and len(told.body) <= 160
    assert "/tai-khoan/quen-mat-khau" in told.body and "mat khau" in told.body.lower()


def test_a_password_an_administrator_sets_is_told_to_the_staff_member(app, db):
    officer = make_user(Role.OFFICER, email="canbo@example.vn", email_verified_at=utcnow())
    with app.app_context(), app.test_request_context():  # its own `g`: the request's flags end with it
        staff.update_staff(officer, officer.full_name, Role.OFFICER, None, True, NEW_PASSWORD)
        staff.update_staff(officer, "Tên mới", Role.OFFICER, None, True, None)  # no new password: nothing told
    told = _messages_to(db, "canbo@example.vn")
    assert [message.subject for message in told] == ["Mật khẩu Góp Ý của bạn đã được đổi"]


def test_an_unverified_contact_is_not_told(client, db, login_as):
    login_as(make_user(email="chua@example.vn"))
    _post_form(client, "/tai-khoan/mat-khau", current=PASSWORD, password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert _messages_to(db, "chua@example.vn") == []


@pytest.mark.parametrize("weak", ["12345678", "password1234", "mai@example.vn1", "Đinh Thị Mai"])
def test_registration_refuses_weak_passwords_in_vietnamese(client, db, weak):
    response = _post_form(client, "/dang-ky", kind="individual", full_name="Đinh Thị Mai", identifier="mai@example.vn",
                          password=weak, confirm=weak)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and ("Mật khẩu này quá dễ đoán" in page or "ít nhất 10 ký tự" in page)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_create_admin_refuses_a_common_password_that_is_long_enough(app, db, monkeypatch):
    monkeypatch.setenv("GOPY_ADMIN_PASSWORD", "iloveyou2026!")
    weak = CliRunner().invoke(create_admin_command, ["--email", "quan-tri@example.gov.vn"])
    assert weak.exit_code != 0 and "password refused" in weak.output
    monkeypatch.setenv("GOPY_ADMIN_PASSWORD", "abc")
    assert CliRunner().invoke(create_admin_command, ["--email", "quan-tri@example.gov.vn"]).exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    monkeypatch.setenv("GOPY_ADMIN_PASSWORD", "may-cay-lua-tren-doi-2026")
    assert CliRunner().invoke(create_admin_command, ["--email", "quan-tri@example.gov.vn"]).exit_code == 0


def test_staff_password_set_by_an_administrator_follows_the_rule(db):
    with pytest.raises(Exception, match="quá dễ đoán|dễ đoán"):
        with_vi(lambda: staff.create_staff("moi@example.gov.vn", "Cán Bộ Mới", Role.OFFICER, None, True,
                                           "password1234"))


def with_vi(action):
    from flask_babel import force_locale

    with force_locale("vi"):
        return action()


# Password reset.

def _reset_link(db, recipient) -> str:
    body = _messages_to(db, recipient)[-1].body
    return re.search(r"(/tai-khoan/dat-lai-mat-khau/[\w-]+)", body).group(1)


def test_reset_by_email_is_single_use_and_ends_every_session(app, client, db):
    user = make_user(email="quen@example.vn")
    old = _client_with(app)
    _sign_in(old, "quen@example.vn")
    response = _post_form(client, "/tai-khoan/quen-mat-khau", identifier="Quen@Example.vn")
    assert response.status_code == 303 and response.headers["Location"] == "/tai-khoan/quen-mat-khau/da-gui"
    link = _reset_link(db, "quen@example.vn")
    token = link.rsplit("/", 1)[1]
    assert db.session.scalar(select(func.count()).select_from(PasswordReset)
                             .where(PasswordReset.token_hash.contains(token))) == 0  # only a hash is kept
    assert client.get(link).status_code == 200
    done = _post_form(client, link, password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["Location"] == "/dang-nhap"
    db.session.expire_all()
    assert user.check_password(NEW_PASSWORD) and user.email_verified_at is not None
    assert not _signed_in(old)
    again = client.get(link)
    assert "Liên kết này không còn dùng được" in again.get_data(as_text=True)
    token_page = client.get("/tai-khoan/quen-mat-khau").get_data(as_text=True)
    assert client.post(link, data={"csrf_token": csrf_token(token_page), "password": "x" * 20,
                                   "confirm": "x" * 20}).status_code == 200  # the expired page, nothing changed
    db.session.expire_all()
    assert user.check_password(NEW_PASSWORD)


def test_reset_by_sms_sends_the_link_first(client, db):
    make_user(email=None, phone="0912345678")
    _post_form(client, "/tai-khoan/quen-mat-khau", identifier="0912 345 678")
    message = _messages_to(db, "0912345678")[-1]
    assert message.channel == "sms" and message.body.startswith("http") and len(message.body) <= 160
    assert "/tai-khoan/dat-lai-mat-khau/" in message.body


def test_an_expired_reset_link_no_longer_works(client, db):
    make_user(email="het-han@example.vn")
    _post_form(client, "/tai-khoan/quen-mat-khau", identifier="het-han@example.vn")
    link = _reset_link(db, "het-han@example.vn")
    reset = db.session.scalar(select(PasswordReset))
    reset.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert "Liên kết này không còn dùng được" in client.get(link).get_data(as_text=True)


def test_reset_answers_the_same_for_an_unknown_contact_and_sends_nothing(client, db):
    make_user(email="co-that@example.vn")
    known = _post_form(client, "/tai-khoan/quen-mat-khau", identifier="co-that@example.vn")
    unknown = _post_form(client, "/tai-khoan/quen-mat-khau", identifier="khong-co@example.vn")
    assert (known.status_code, known.headers["Location"]) == (unknown.status_code, unknown.headers["Location"])
    assert _messages_to(db, "khong-co@example.vn") == []
    assert len(_messages_to(db, "co-that@example.vn")) == 1


def test_reset_links_are_limited_per_account_and_only_the_newest_works(client, db):
    make_user(email="nhieu-lan@example.vn")
    links = []
    for _ in range(5):
        assert _post_form(client, "/tai-khoan/quen-mat-khau", identifier="nhieu-lan@example.vn").status_code == 303
        links.append(_reset_link(db, "nhieu-lan@example.vn"))
    assert len(_messages_to(db, "nhieu-lan@example.vn")) == 3  # 3 an hour; the page still answers the same
    assert "Liên kết này không còn dùng được" in client.get(links[0]).get_data(as_text=True)
    assert 'name="password"' in client.get(links[-1]).get_data(as_text=True)


# No account oracle.

@pytest.fixture()
def hash_work(monkeypatch):
    """Counts every password hash computed or checked, through the functions the models use."""
    counts = {"generate": 0, "check": 0}
    real_generate, real_check = account_models.generate_password_hash, account_models.check_password_hash

    def generate(*args, **kwargs):
        counts["generate"] += 1
        return real_generate(*args, **kwargs)

    def check(*args, **kwargs):
        counts["check"] += 1
        return real_check(*args, **kwargs)

    monkeypatch.setattr(account_models, "generate_password_hash", generate)
    monkeypatch.setattr(account_models, "check_password_hash", check)
    account_models._dummy_hash.cache_clear()
    return counts


def test_login_does_the_same_hashing_work_for_known_and_unknown_accounts(app, client, db, hash_work):
    make_user(email="that@example.vn")
    with app.test_request_context():
        account_models._dummy_hash(app.config["PASSWORD_HASH_METHOD"])  # made once per process, not per sign-in
    html = client.get("/dang-nhap").get_data(as_text=True)

    def attempt(identifier):
        before = dict(hash_work)
        response = client.post("/dang-nhap", data={"csrf_token": csrf_token(html), "identifier": identifier,
                                                  "password": "sai-mat-khau-roi"})
        return response, {key: hash_work[key] - before[key] for key in hash_work}

    known, known_work = attempt("that@example.vn")
    unknown, unknown_work = attempt("khong-ton-tai@example.vn")
    assert known_work == unknown_work == {"generate": 0, "check": 1}
    assert known.status_code == unknown.status_code == 422
    message = "Địa chỉ thư điện tử hoặc số điện thoại và mật khẩu không khớp."
    assert message in known.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_registration_does_the_same_hashing_work_for_a_known_contact(client, db, hash_work):
    make_user(email="da-co@example.vn")
    html = client.get("/dang-ky").get_data(as_text=True)

    def attempt(identifier):
        before = dict(hash_work)
        response = client.post("/dang-ky", data={"csrf_token": csrf_token(html), "kind": "individual",
                                                "full_name": "Ai Đó", "identifier": identifier,
                                                "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        return response, {key: hash_work[key] - before[key] for key in hash_work}

    known, known_work = attempt("da-co@example.vn")
    new, new_work = attempt("moi-tinh@example.vn")
    assert known_work == new_work == {"generate": 1, "check": 0}
    assert known.headers["Location"] == new.headers["Location"] == "/dang-ky/da-gui"


# Verification codes.

def _ask_code(client):
    return client.post("/tai-khoan/xac-minh/sms", data={"csrf_token": csrf_token(client.get("/tai-khoan")
                                                                                  .get_data(as_text=True))})


def test_codes_are_limited_per_account_with_a_vietnamese_429(client, db, login_as):
    login_as(make_user(email=None, phone="0987654321"))
    assert [_ask_code(client).status_code for _ in range(3)] == [303, 303, 303]
    refused = _ask_code(client)
    assert refused.status_code == 429 and "tối đa 3 mã mỗi giờ" in refused.get_data(as_text=True)
    assert len(_messages_to(db, "0987654321")) == 3
    fragment = client.post("/tai-khoan/xac-minh/sms", headers={"HX-Request": "true"}, data={
        "csrf_token": csrf_token(client.get("/tai-khoan").get_data(as_text=True))})
    assert fragment.status_code == 429 and "<html" not in fragment.get_data(as_text=True)


def test_codes_are_limited_per_number_across_accounts(client, db, login_as):
    first = make_user(email=None, phone="0987654322")
    login_as(first)
    for _ in range(3):
        _ask_code(client)
    first.phone = None  # the number moves to another account: its count follows the number
    db.session.commit()
    login_as(make_user(email=None, phone="0987654322"))
    assert _ask_code(client).status_code == 429


def test_a_new_code_retires_the_old_one(app, client, db, login_as):
    login_as(make_user(email=None, phone="0987654323"))
    _ask_code(client)
    old = re.search(r"\b(\d{6})\b", _messages_to(db, "0987654323")[-1].body).group(1)
    _ask_code(client)
    new = re.search(r"\b(\d{6})\b", _messages_to(db, "0987654323")[-1].body).group(1)
    if old != new:
        assert _post_form(client, "/tai-khoan/xac-minh/sms/nhap-ma", code=old).status_code == 422
    assert _post_form(client, "/tai-khoan/xac-minh/sms/nhap-ma", code=new).status_code == 303


def test_five_wrong_codes_kill_the_code_and_ten_a_day_lock_the_account(client, db, login_as):
    user = login_as(make_user(email=None, phone="0987654324"))
    _ask_code(client)
    code = re.search(r"\b(\d{6})\b", _messages_to(db, "0987654324")[-1].body).group(1)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert _post_form(client, "/tai-khoan/xac-minh/sms/nhap-ma", code=wrong).status_code == 422
    assert _post_form(client, "/tai-khoan/xac-minh/sms/nhap-ma", code=code).status_code == 422  # dead now
    _ask_code(client)
    for _ in range(5):
        _post_form(client, "/tai-khoan/xac-minh/sms/nhap-ma", code=wrong)
    locked = _post_form(client, "/tai-khoan/xac-minh/sms/nhap-ma", code=wrong)
    assert locked.status_code == 429 and "ngày mai" in locked.get_data(as_text=True)
    assert _ask_code(client).status_code == 429
    db.session.expire_all()
    assert user.phone_verified_at is None
    assert db.session.scalar(select(func.sum(VerificationCode.attempts))) == 10


# Two-step sign-in.

def _enrol(client, db):
    page = client.get("/tai-khoan/xac-thuc-hai-buoc/bat").get_data(as_text=True)
    secret = re.search(r'<code class="app-secret">([A-Z2-7]+)</code>', page).group(1)
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", page)
    assert "<svg" in page and len(codes) == 10
    wrong = _post_form(client, "/tai-khoan/xac-thuc-hai-buoc/bat", code="000000")
    assert wrong.status_code == 422
    response = _post_form(client, "/tai-khoan/xac-thuc-hai-buoc/bat", code=pyotp.TOTP(secret).now())
    assert response.status_code == 303
    return secret, codes


def test_enrolment_keeps_only_hashes_of_the_recovery_codes(client, db, login_as):
    user = login_as(make_user(Role.MODERATOR, email="kiem-duyet@example.vn"))
    _secret, codes = _enrol(client, db)
    db.session.expire_all()
    assert user.has_two_factor
    stored = list(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)))
    assert len(stored) == 10 and not set(stored) & {code for code in codes}
    assert "10 mã dự phòng" in client.get("/tai-khoan/xac-thuc-hai-buoc").get_data(as_text=True)


def test_two_step_sign_in_half_signed_in_is_not_signed_in(app, client, db, login_as):
    user = login_as(make_user(Role.OFFICER, email="hai-buoc@example.vn"))
    secret, _codes = _enrol(client, db)
    other = _client_with(app)
    first = _sign_in(other, "hai-buoc@example.vn")
    assert first.status_code == 303 and first.headers["Location"] == "/dang-nhap/ma-xac-thuc"
    assert not _signed_in(other)  # the password alone opens nothing
    assert other.get("/can-bo").status_code in (302, 303)
    assert _post_form(other, "/dang-nhap/ma-xac-thuc", code="123456").status_code in (422, 303)
    code = pyotp.TOTP(secret).at(time.time() + 30)  # the next step: the enrolment used this one
    assert _post_form(other, "/dang-nhap/ma-xac-thuc", code=code).status_code == 303
    assert _signed_in(other)
    # The same code again, on a third device, is refused: each code opens one sign-in.
    third = _client_with(app)
    _sign_in(third, "hai-buoc@example.vn")
    assert _post_form(third, "/dang-nhap/ma-xac-thuc", code=code).status_code == 422
    assert not _signed_in(third)
    db.session.expire_all()
    assert user.totp_last_step is not None


def test_a_recovery_code_opens_one_sign_in(app, client, db, login_as):
    login_as(make_user(Role.LEAD, email="du-phong@example.vn"))
    _secret, codes = _enrol(client, db)
    first = _client_with(app)
    _sign_in(first, "du-phong@example.vn")
    assert _post_form(first, "/dang-nhap/ma-xac-thuc", code=codes[0].upper()).status_code == 303
    assert _signed_in(first)
    second = _client_with(app)
    _sign_in(second, "du-phong@example.vn")
    assert _post_form(second, "/dang-nhap/ma-xac-thuc", code=codes[0]).status_code == 422
    assert _post_form(second, "/dang-nhap/ma-xac-thuc", code=codes[1]).status_code == 303
    assert "8 mã dự phòng" in first.get("/tai-khoan/xac-thuc-hai-buoc").get_data(as_text=True)


def test_five_wrong_second_steps_send_back_to_the_password(app, client, db, login_as):
    login_as(make_user(Role.OFFICER, email="sai-ma@example.vn"))
    _enrol(client, db)
    other = _client_with(app)
    _sign_in(other, "sai-ma@example.vn")
    statuses = [_post_form(other, "/dang-nhap/ma-xac-thuc", code="000000").status_code for _ in range(5)]
    assert statuses == [422, 422, 422, 422, 303]
    assert other.get("/dang-nhap/ma-xac-thuc").headers["Location"] == "/dang-nhap"


def test_turning_two_step_off_needs_the_password(client, db, login_as):
    user = login_as(make_user(Role.MODERATOR, email="tat@example.vn"))
    _enrol(client, db)
    refused = _post_form(client, "/tai-khoan/xac-thuc-hai-buoc", password="khong-dung-dau")
    assert refused.status_code in (200, 405)  # the status page's own form posts to /tat
    page = client.get("/tai-khoan/xac-thuc-hai-buoc").get_data(as_text=True)
    wrong = client.post("/tai-khoan/xac-thuc-hai-buoc/tat", data={"csrf_token": csrf_token(page),
                                                                  "password": "khong-dung-dau"})
    assert wrong.status_code == 422
    right = client.post("/tai-khoan/xac-thuc-hai-buoc/tat", data={"csrf_token": csrf_token(page),
                                                                  "password": PASSWORD})
    assert right.status_code == 303
    db.session.expire_all()
    assert not user.has_two_factor
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0


def test_configuration_requires_two_step_for_staff_roles(app, client, db, login_as):
    login_as(make_user(Role.OFFICER, email="bat-buoc@example.vn"))
    app.config["REQUIRE_2FA_ROLES"] = "officer,lead"
    try:
        response = client.get("/can-bo")
        assert response.status_code == 303 and response.headers["Location"] == "/tai-khoan/xac-thuc-hai-buoc/bat"
        _enrol(client, db)
        assert client.get("/can-bo").status_code == 200
        page = client.get("/tai-khoan/xac-thuc-hai-buoc").get_data(as_text=True)
        assert "không thể tắt" in page
        kept = client.post("/tai-khoan/xac-thuc-hai-buoc/tat", data={"csrf_token": csrf_token(page),
                                                                     "password": PASSWORD})
        assert kept.status_code == 422
        login_as(make_user(Role.CITIZEN, email="dan@example.vn"))
        assert client.get("/tai-khoan").status_code == 200  # citizens are not asked
    finally:
        app.config["REQUIRE_2FA_ROLES"] = ""


def test_forms_that_message_a_contact_are_limited_per_contact_whether_or_not_it_has_an_account(db):
    """The registration and reset forms are limited by the contact they name (Redis, db 1 here):
    a known and an unknown contact meet the limit alike, so the limit tells nothing either."""
    from app import create_app
    from app.extensions import db as ext_db
    from tests.conftest import SuiteConfig

    limited = type("Limited", (SuiteConfig,), {
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/1",
        "RATELIMIT_KEY_PREFIX": f"test-acct-{time.time_ns()}", "CONTACT_MESSAGE_LIMIT": "3 per hour"})
    limited_app = create_app(limited)
    with limited_app.app_context():
        ext_db.create_all()  # a fresh in-memory SQLite for this app; PostgreSQL already has the tables
        make_user(email="gioi-han@example.vn")
    limited_app.test_client_class = FreshContextClient
    client = limited_app.test_client()
    for contact in ("gioi-han@example.vn", "khong-co-ai@example.vn"):
        statuses = [_post_form(client, "/tai-khoan/quen-mat-khau", identifier=contact).status_code for _ in range(4)]
        assert statuses == [303, 303, 303, 429], contact
    refused = _post_form(client, "/tai-khoan/quen-mat-khau", identifier="khong-co-ai@example.vn")
    assert refused.status_code == 429 and "Bạn đã thử quá nhiều lần" in refused.get_data(as_text=True)
    statuses = [_post_form(client, "/dang-ky", kind="individual", full_name="Ai Đó", identifier="gioi-han@example.vn",
                           password=NEW_PASSWORD, confirm=NEW_PASSWORD).status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]


def test_the_demo_password_follows_the_rule(app):
    from app.accounts.passwords import password_problem
    from app.seeds.demo import DEMO_PASSWORD

    with app.test_request_context():
        assert password_problem(DEMO_PASSWORD, "Quản trị viên", "admin@gopy.local") is None
        assert password_problem("gopy2026", "Quản trị viên", "admin@gopy.local") is not None
