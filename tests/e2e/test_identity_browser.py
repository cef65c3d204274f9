"""Sign-in with the national digital identity in a real browser, with JavaScript on and off:
the button on the sign-in page, the provider's own page (oidc-provider-mock on loopback),
and back to the account page with the assurance level shown."""
import pytest

from tests import oidc_support


@pytest.fixture(scope="module")
def vneid(live_server):
    with oidc_support.provider() as issuer:
        saved = live_server.app.config["OIDC_PROVIDERS"]
        live_server.app.config["OIDC_PROVIDERS"] = {"vneid": oidc_support.settings(issuer)}
        yield issuer
        live_server.app.config["OIDC_PROVIDERS"] = saved


@pytest.mark.parametrize(("javascript", "subject", "mark"), [
    (True, "vneid-001", "Đã xác minh danh tính"),
    (False, "vneid-002", "mức 1"),
])
def test_sign_in_through_the_provider_page(live_server, vneid, open_page, javascript, subject, mark):
    page = open_page(javascript=javascript)
    page.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())  # the mock's stylesheet; no network here
    page.goto(f"{live_server.url}/dang-nhap")
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    page.wait_for_url(f"{vneid}/oauth2/authorize**")
    page.get_by_role("button", name=subject).click()
    page.wait_for_url(f"{live_server.url}/tai-khoan/gop-y")
    page.goto(f"{live_server.url}/tai-khoan")
    text = page.locator("main").inner_text()
    assert "Định danh điện tử" in text and mark in text
    if javascript:
        assert page.locator(".app-badge--verified").count() == 1
    else:
        assert page.locator(".app-badge--verified").count() == 0


def test_cancelled_at_the_provider_shows_a_clear_page(live_server, vneid, open_page):
    page = open_page(javascript=False)
    page.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
    page.goto(f"{live_server.url}/dang-nhap")
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    page.wait_for_url(f"{vneid}/oauth2/authorize**")
    with page.expect_response(lambda response: "/ve?" in response.url) as answer:
        page.get_by_role("button", name="Deny").click()
    assert answer.value.status == 403
    assert "Đăng nhập không thành công" in page.locator("h1").inner_text()
