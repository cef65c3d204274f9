"""Sign-in with the national digital identity (OpenID Connect), end to end against a real
provider on loopback: a new account from the ID token, an existing account linked, the
assurance level shown, and every way a sign-in can go wrong answered with a clear page."""
import socket

import pytest
import requests
from joserfc.jwk import RSAKey
from sqlalchemy import select

from app.accounts import oidc
from app.accounts.models import Identity, User
from tests import oidc_support
from tests.conftest import csrf_token
from tests.factories import make_user


@pytest.fixture(scope="module")
def issuer():
    with oidc_support.provider() as url:
        yield url


@pytest.fixture()
def vneid(app, issuer):
    saved = app.config["OIDC_PROVIDERS"]
    app.config["OIDC_PROVIDERS"] = {"vneid": oidc_support.settings(issuer)}
    yield issuer
    app.config["OIDC_PROVIDERS"] = saved


def _start(client, url="/dang-nhap/dinh-danh/vneid"):
    response = client.get(url)
    assert response.status_code == 302, response.status_code
    return response.headers["Location"]


def _sign_in(client, sub, **changes):
    back = oidc_support.approve(_start(client), sub, **changes)
    return client.get(oidc_support.local(back))


def test_sign_in_creates_an_account_from_the_id_token(client, db, vneid):
    authorize = _start(client)
    request = oidc_support.query_of(authorize)
    assert authorize.startswith(vneid)
    assert request["code_challenge_method"] == "S256" and request["code_challenge"]  # PKCE
    assert request["state"] and request["nonce"]
    response = client.get(oidc_support.local(oidc_support.approve(authorize, "vneid-001")))
    assert response.status_code == 303 and response.headers["Location"] == "/tai-khoan/gop-y"
    user = db.session.scalar(select(User).where(User.email == "dinh@example.vn"))
    assert user.full_name == "Nguyễn Văn Định" and user.phone == "0912345678"
    assert user.email_verified_at is not None
    identity = db.session.scalar(select(Identity).where(Identity.user_id == user.id))
    assert (identity.provider, identity.subject, identity.assurance_level, identity.acr) == ("vneid", "vneid-001",
                                                                                            2, "2")
    page = client.get("/tai-khoan").get_data(as_text=True)
    assert "app-badge--verified" in page
    # Signing in again opens the same account, with no second one made.
    client.post("/dang-xuat", data={"csrf_token": csrf_token(page)})
    assert _sign_in(client, "vneid-001").status_code == 303
    assert db.session.scalar(select(db.func.count(User.id))) == 1


def test_level_one_identity_shows_no_verified_mark_and_unverified_email_is_not_kept(client, db, vneid):
    assert _sign_in(client, "vneid-002").status_code == 303
    identity = db.session.scalar(select(Identity).where(Identity.subject == "vneid-002"))
    assert identity.assurance_level == 1
    assert identity.user.email is None  # the provider did not vouch for it
    page = client.get("/tai-khoan").get_data(as_text=True)
    assert "app-badge--verified" not in page and "mức 1" in page


def test_signed_in_account_links_the_identity(client, db, login_as, vneid):
    user = login_as(make_user(email="chu@example.vn", full_name="Chủ Tài Khoản"))
    page = client.get("/tai-khoan").get_data(as_text=True)
    assert "/tai-khoan/dinh-danh/vneid" in page
    response = client.post("/tai-khoan/dinh-danh/vneid", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    back = client.get(oidc_support.local(oidc_support.approve(response.headers["Location"], "vneid-001")))
    assert back.status_code == 303 and back.headers["Location"] == "/tai-khoan"
    identity = db.session.scalar(select(Identity).where(Identity.subject == "vneid-001"))
    assert identity.user_id == user.id and identity.assurance_level == 2
    assert db.session.scalar(select(db.func.count(User.id))) == 1  # linked, not a new account
    assert "app-badge--verified" in client.get("/tai-khoan").get_data(as_text=True)


def test_identity_linked_elsewhere_is_refused(client, db, login_as, vneid):
    owner = make_user(email="a@example.vn")
    db.session.add(Identity(user_id=owner.id, provider="vneid", subject="vneid-001", assurance_level=2))
    db.session.commit()
    other = login_as(make_user(email="b@example.vn"))
    page = client.get("/tai-khoan").get_data(as_text=True)
    response = client.post("/tai-khoan/dinh-danh/vneid", data={"csrf_token": csrf_token(page)})
    back = client.get(oidc_support.local(oidc_support.approve(response.headers["Location"], "vneid-001")))
    assert back.status_code == 409
    assert "đã được liên kết với một tài khoản khác" in back.get_data(as_text=True)
    assert db.session.scalar(select(Identity.user_id).where(Identity.subject == "vneid-001")) == owner.id != other.id


def test_verified_email_of_an_existing_account_opens_it(client, db, vneid):
    existing = make_user(email="dinh@example.vn", full_name="Định Cũ")
    existing.email_verified_at = db.func.now()
    db.session.commit()
    assert _sign_in(client, "vneid-001").status_code == 303
    assert db.session.scalar(select(Identity.user_id).where(Identity.subject == "vneid-001")) == existing.id


def test_unproved_email_of_an_existing_account_is_not_taken_over(client, db, vneid):
    squatter = make_user(email="dinh@example.vn", full_name="Người Chiếm Chỗ")  # never proved it
    assert _sign_in(client, "vneid-001").status_code == 303
    identity = db.session.scalar(select(Identity).where(Identity.subject == "vneid-001"))
    assert identity.user_id != squatter.id and identity.user.email is None


def test_tampered_state_is_refused(client, db, vneid):
    back = oidc_support.approve(_start(client), "vneid-001", state="gia-mao")
    response = client.get(oidc_support.local(back))
    assert response.status_code == 400
    assert "Hãy bắt đầu đăng nhập lại" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Identity.id))) == 0


def test_replayed_callback_is_refused(client, db, vneid):
    back = oidc_support.approve(_start(client), "vneid-001")
    assert client.get(oidc_support.local(back)).status_code == 303
    assert client.get(oidc_support.local(back)).status_code == 400  # the state was spent


def test_tampered_nonce_is_refused(client, db, vneid):
    back = oidc_support.approve(_start(client), "vneid-001", nonce="nonce-cua-ke-gian")
    response = client.get(oidc_support.local(back))
    assert response.status_code == 400
    assert "không thể kiểm chứng" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(User.id))) == 0


def test_replayed_nonce_is_refused(client, db, vneid):
    """An ID token minted for an earlier sign-in (its nonce) does not open a new one."""
    earlier = oidc_support.query_of(_start(client))["nonce"]
    back = oidc_support.approve(_start(client), "vneid-001", nonce=earlier)
    assert client.get(oidc_support.local(back)).status_code == 400
    assert db.session.scalar(select(db.func.count(User.id))) == 0


def test_code_for_another_client_is_refused(client, db, vneid):
    back = oidc_support.approve(_start(client), "vneid-001", client_id="ung-dung-khac")
    assert client.get(oidc_support.local(back)).status_code == 400
    assert db.session.scalar(select(db.func.count(User.id))) == 0


def test_denied_at_the_provider(client, db, vneid):
    back = oidc_support.deny(_start(client))
    response = client.get(oidc_support.local(back))
    assert response.status_code == 403 and "đã bị huỷ" in response.get_data(as_text=True)


def test_provider_down_gets_a_clear_page(app, client, db):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    saved = app.config["OIDC_PROVIDERS"]
    app.config["OIDC_PROVIDERS"] = {"vneid": oidc_support.settings(f"http://127.0.0.1:{port}")}
    try:
        response = client.get("/dang-nhap/dinh-danh/vneid")
    finally:
        app.config["OIDC_PROVIDERS"] = saved
    assert response.status_code == 502
    assert "Dịch vụ định danh không phản hồi" in response.get_data(as_text=True)


def test_unknown_provider_is_not_found(client, vneid):
    assert client.get("/dang-nhap/dinh-danh/khac").status_code == 404
    assert client.get("/dang-nhap/dinh-danh/khac/ve?code=x&state=y").status_code == 404


def test_one_button_per_provider_and_none_without(app, client, issuer):
    assert "/dang-nhap/dinh-danh/" not in client.get("/dang-nhap").get_data(as_text=True)
    saved = app.config["OIDC_PROVIDERS"]
    app.config["OIDC_PROVIDERS"] = {"vneid": oidc_support.settings(issuer),
                                    "khac": oidc_support.settings(issuer, label="Định danh khác")}
    try:
        page = client.get("/dang-nhap").get_data(as_text=True)
    finally:
        app.config["OIDC_PROVIDERS"] = saved
    assert page.count('href="/dang-nhap/dinh-danh/') == 2
    assert "Đăng nhập bằng VNeID" in page and "Đăng nhập bằng Định danh khác" in page


def test_a_staff_account_is_not_opened_by_an_identity(client, db, vneid):
    officer = make_user("officer", email="dinh@example.vn")
    officer.email_verified_at = db.func.now()
    db.session.add(Identity(user_id=officer.id, provider="vneid", subject="vneid-002", assurance_level=1))
    db.session.commit()
    for sub in ("vneid-001", "vneid-002"):  # matched by e-mail, and linked
        response = _sign_in(client, sub)
        assert response.status_code == 403 and "mật khẩu" in response.get_data(as_text=True)
    assert client.get("/tai-khoan").status_code == 303  # still signed out


def test_id_token_with_a_bad_signature_is_refused(app, client, db, vneid):
    """The provider's keys are swapped for a forger's under the same key id: the genuine ID
    token no longer verifies, and nothing is signed in."""
    authorize = _start(client)
    genuine = requests.get(f"{vneid}/jwks", timeout=10).json()["keys"][0]
    forged = RSAKey.generate_key(2048, parameters={"kid": genuine.get("kid", "k"), "alg": "RS256", "use": "sig"})
    with app.app_context():
        oidc.client("vneid").server_metadata["jwks"] = {"keys": [forged.as_dict(private=False)]}
    back = oidc_support.approve(authorize, "vneid-001")
    response = client.get(oidc_support.local(back))
    assert response.status_code == 400 and "không thể kiểm chứng" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(User.id))) == 0
    with app.app_context():
        oidc.client("vneid").server_metadata.pop("jwks")  # the next test fetches the real keys again


def test_id_token_for_another_audience_is_refused(app, client, db, vneid, monkeypatch):
    """The genuine ID token names gopy-test as its audience; a relying party registered as
    another client must refuse it (the token exchange itself is left untouched)."""
    authorize = _start(client)
    with app.app_context():
        registered = oidc.client("vneid")
    exchange = registered.fetch_access_token

    def exchange_then_become_another_client(**params):
        token = exchange(**params)
        monkeypatch.setattr(registered, "client_id", "ung-dung-khac")
        return token

    monkeypatch.setattr(registered, "fetch_access_token", exchange_then_become_another_client)
    back = oidc_support.approve(authorize, "vneid-001")
    response = client.get(oidc_support.local(back))
    assert response.status_code == 400 and "không thể kiểm chứng" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(User.id))) == 0
