"""Public oversight in a real browser: "is it one of these?" as htmx hints while typing
(JavaScript on) and as a step page (off), and supporting with htmx without a reload."""
import re

import pytest

from tests.e2e.conftest import FEATURE_PHONE, screenshot


@pytest.fixture(scope="module")
def look_alike(live_server):
    from tests.factories import make_submission

    with live_server.app.app_context():
        submission, _token = make_submission(consent_publish=True, title="Đèn tín hiệu giao thông thông minh hỏng")
        return submission.code


def _fill(page, live_server, title: str) -> None:
    page.goto(f"{live_server.url}/gop-y/moi")
    page.check("#kind-0")
    page.select_option("#topic_id", index=1)
    page.fill("#title", title)
    page.fill("#content", "Đèn tín hiệu ở ngã tư trung tâm hỏng cả tuần, xe đi lại rất nguy hiểm.")
    page.fill("#contact_name", "Đinh Thị Đèn")
    page.fill("#contact_phone", "0987 444 555")
    page.check("#consent_processing")


def test_with_javascript_the_hints_appear_while_typing(open_page, live_server, look_alike):
    page = open_page(javascript=True)
    _fill(page, live_server, "")
    page.locator("#title").press_sequentially("Đèn tín hiệu giao thông hỏng", delay=20)
    page.wait_for_selector(f'#similar a[href="/gop-y/{look_alike}"]', timeout=10_000)
    assert page.locator("#similar").get_attribute("aria-live") == "polite"
    screenshot(page, "similar-hints-js")
    page.click("form[enctype] button[type=submit]:not([name])")
    page.wait_for_url(re.compile(r"/tra-cuu/rieng/"))  # seen already: no step page


def test_without_javascript_the_step_page_keeps_every_value(open_page, live_server, look_alike):
    page = open_page(javascript=False, viewport=FEATURE_PHONE)
    _fill(page, live_server, "Đèn tín hiệu giao thông thông minh bị hỏng")
    page.click("form[enctype] button[type=submit]:not([name])")
    page.wait_for_selector("text=Có phải một trong các góp ý này?")
    assert page.locator(f'a[href="/gop-y/{look_alike}"]').count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= FEATURE_PHONE["width"]
    screenshot(page, "similar-step-nojs")
    page.click("button[name=edit]")
    assert page.input_value("#title") == "Đèn tín hiệu giao thông thông minh bị hỏng"
    assert page.input_value("#contact_phone") == "0987 444 555"  # as typed
    page.check("#consent_processing")
    page.click("form[enctype] button[type=submit]:not([name])")
    page.wait_for_url(re.compile(r"/tra-cuu/rieng/"))


def test_a_signed_in_reader_supports_and_follows_without_a_reload(open_page, live_server, look_alike):
    from tests.factories import PASSWORD, make_user

    with live_server.app.app_context():
        make_user(email="ung-ho@example.vn")
    page = open_page(javascript=True)
    page.goto(f"{live_server.url}/dang-nhap")
    page.fill("#identifier", "ung-ho@example.vn")
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/tai-khoan"))
    page.goto(f"{live_server.url}/gop-y/{look_alike}")
    page.evaluate("document.body.setAttribute('data-marker', 'same-page')")
    page.click("#actions button:has-text('Tôi cũng quan tâm')")
    page.wait_for_selector("#actions >> text=Bạn đã ủng hộ góp ý này.")
    page.click("#actions button:has-text('Theo dõi')")
    page.wait_for_selector("#actions >> text=Bỏ theo dõi")
    assert page.get_attribute("body", "data-marker") == "same-page"
