"""A guest sends feedback with a photo and looks the code up, in a real browser: once as a
feature phone with no JavaScript, once as a PC with htmx."""
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from tests.e2e.conftest import FEATURE_PHONE, screenshot


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 120, 60)).save(out, "JPEG")
    return out.getvalue()


def _fill_and_send(page, live_server, javascript: bool) -> str:
    page.goto(f"{live_server.url}/gop-y/moi")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.check("#kind-0")
    page.select_option("#topic_id", index=1)
    wards_before = page.locator("#ward_code option").count()
    page.evaluate("document.body.setAttribute('data-marker', 'same-page')")  # lost on any reload
    page.select_option("#province_code", label="Lào Cai")
    if javascript:
        # htmx swaps the commune list in place: the page is not reloaded.
        page.wait_for_selector("#ward_code option:nth-child(51)", state="attached")
        assert page.get_attribute("body", "data-marker") == "same-page"
    else:
        page.wait_for_timeout(300)
        assert page.locator("#ward_code option").count() == wards_before, "no JS: nothing changes by itself"
        page.fill("#title", "Mất sóng di động ở bản")  # typed before the reload must survive it
        page.click("button[name=refresh_wards]")
        page.wait_for_load_state()
        assert page.get_attribute("body", "data-marker") is None
        assert page.input_value("#title") == "Mất sóng di động ở bản"
    assert page.locator("#ward_code option").count() > 50
    page.select_option("#ward_code", index=1)
    page.fill("#title", "Mất sóng di động ở bản")
    page.fill("#content", "Bản chúng tôi mất sóng di động cả tuần, không gọi được cấp cứu.")
    page.set_input_files("#attachments", files=[{"name": "song.jpg", "mimeType": "image/jpeg", "buffer": _photo()}])
    page.fill("#contact_name", "Giàng A Páo")
    page.fill("#contact_phone", "0987654321")
    page.check("#consent_processing")
    page.click("form[enctype] button[type=submit]:not([name])")
    page.wait_for_url(re.compile(r"/tra-cuu/rieng/"))
    code = re.sub(r"\D", "", page.locator(".app-panel__code").inner_text())
    assert len(code) == 10
    assert page.get_by_text("song.jpg").count() == 1
    return code


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js-feature-phone", "js-desktop"])
def test_guest_submits_with_photo_and_looks_code_up(open_page, live_server, javascript):
    viewport = FEATURE_PHONE if not javascript else None
    page = open_page(javascript=javascript, viewport=viewport)
    code = _fill_and_send(page, live_server, javascript)
    screenshot(page, f"confirmation-{'js' if javascript else 'nojs'}")

    page.goto(live_server.url)
    page.fill("#code", f"{code[:3]} {code[3:6]} {code[6:]}")
    page.click("#lookup button[type=submit]")
    page.wait_for_selector("#status")
    status = page.locator("#status").inner_text()
    assert "Đã tiếp nhận" in status
    assert "0987654321" not in page.content() and "Giàng A Páo" not in page.content()
    if javascript:
        # htmx pushed the lookup's own address, so Back and bookmarks find it again; it
        # encodes the spaces as %20 where a browser's plain form would write +.
        assert urlsplit(page.url).path == "/tra-cuu"
        assert parse_qs(urlsplit(page.url).query) == {"code": [f"{code[:3]} {code[3:6]} {code[6:]}"]}
    screenshot(page, f"lookup-{'js' if javascript else 'nojs'}")
    if not javascript:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= FEATURE_PHONE["width"], "no horizontal scrolling at 240 px"


def test_typo_in_code_is_caught(open_page, live_server):
    """1234567890 fails the check digit (123456789 needs a 4): the page says "typo", which a
    lookup that skipped the check would answer with "no submission has this code"."""
    page = open_page(javascript=False, viewport=FEATURE_PHONE)
    page.goto(f"{live_server.url}/tra-cuu?code=1234567890")
    assert "gõ nhầm" in page.content() and "Không có góp ý" not in page.content()
