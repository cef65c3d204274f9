"""Accessibility and reach in a real browser: axe-core over every page type of
bench/pages.py in Vietnamese and English, no sideways scrolling at 240 px, a submission and
a lookup done with the keyboard alone, and a focus outline one can see."""
import re
from pathlib import Path

import pytest

from bench.pages import PAGES as ALL_PAGES
from bench.pages import SUBMITTER
from tests.e2e.conftest import FEATURE_PHONE, screenshot

# The pages one opens anonymously or as the submitter (the staff and administrators' pages of
# the table are measured by tests/test_budgets.py; their browser checks are still to come).
PAGES = [page for page in ALL_PAGES if page.login in (None, SUBMITTER)]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def site(live_server):
    """A signed-up submitter with one published submission, made through the services."""
    from app.accounts.models import Organisation, OrganisationStatus
    from app.extensions import db
    from tests.factories import PASSWORD, agency_id, make_submission, make_user

    with live_server.app.app_context():
        user = make_user(email="a11y@example.vn", full_name="Lò Thị Tiếp Cận")
        submission, token = make_submission(user=user, province_code=1, consent_publish=True)
        organisation = Organisation(owner_id=user.id, name="Hợp tác xã Tiếp Cận", tax_code="0100109106",
                                    status=OrganisationStatus.VERIFIED, verified_by="administrator")
        db.session.add(organisation)
        db.session.commit()
        return {"values": {"code": submission.code, "token": token, "agency": agency_id("BKHCN"),
                           "organisation": organisation.id},
                "email": user.email, "password": PASSWORD}


@pytest.fixture(scope="module")
def axe_counts(request):
    """Collects what axe calls moderate or minor, and what it could not decide ("needs
    review", e.g. contrast over a focus ring), and prints the counts at the end."""
    counts: dict[str, dict[str, int]] = {"moderate/minor": {}, "needs review": {}}
    yield counts
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        for kind, found in counts.items():
            detail = ", ".join(f"{rule} {n}" for rule, n in sorted(found.items())) or "none"
            print(f"\naxe-core over every page type in vi and en, {kind}: {sum(found.values())} ({detail})", end="")


def _context(browser, lang: str, javascript: bool = True, viewport=None):
    locale = "vi-VN" if lang == "vi" else "en-GB"
    # bypass_csp: our CSP (rightly) refuses the inline axe script the test injects.
    return browser.new_context(java_script_enabled=javascript, viewport=viewport or {"width": 1024, "height": 768},
                               locale=locale, extra_http_headers={"Accept-Language": locale}, bypass_csp=True)


def _sign_in(page, live_server, site) -> None:
    page.goto(f"{live_server.url}/dang-nhap")
    page.fill("#identifier", site["email"])
    page.fill("#password", site["password"])
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/tai-khoan"))


@pytest.fixture(scope="module")
def contexts(browser, live_server, site):
    """One browser context per language, and one signed in, reused across pages."""
    made = {}
    for lang in ("vi", "en"):
        made[lang] = _context(browser, lang)
        made[f"{lang}-signed-in"] = _context(browser, lang)
        _sign_in(made[f"{lang}-signed-in"].new_page(), live_server, site)
    yield made
    for context in made.values():
        context.close()


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("page_type", PAGES, ids=[p.name for p in PAGES])
def test_no_serious_accessibility_violation(page_type, lang, contexts, live_server, site, axe_counts):
    page = contexts[f"{lang}-signed-in" if page_type.login else lang].new_page()
    try:
        response = page.goto(live_server.url + page_type.url(**site["values"]))
        assert response.status == page_type.status
        assert page.locator("html").get_attribute("lang") == lang
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations', 'incomplete']})")
    finally:
        page.close()
    blocking = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
                for v in result["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"{page_type.name} ({lang}):\n" + "\n".join(blocking)
    for kind, found in (("moderate/minor", result["violations"]), ("needs review", result["incomplete"])):
        for item in found:
            axe_counts[kind][item["id"]] = axe_counts[kind].get(item["id"], 0) + len(item["nodes"])


@pytest.mark.parametrize("page_type", PAGES, ids=[p.name for p in PAGES])
def test_no_sideways_scrolling_at_240_px(page_type, browser, live_server, site):
    context = _context(browser, "vi", javascript=False, viewport=FEATURE_PHONE)
    try:
        page = context.new_page()
        if page_type.login:
            _sign_in(page, live_server, site)
        page.goto(live_server.url + page_type.url(**site["values"]))
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > FEATURE_PHONE["width"]:
            screenshot(page, f"too-wide-{page_type.name.replace(' ', '-')}")
        assert width <= FEATURE_PHONE["width"], f"{page_type.name} is {width} px wide at 240 px"
    finally:
        context.close()


def _tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element is focused, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _focus_is_visible(page) -> bool:
    style = page.evaluate("""() => {
        const s = getComputedStyle(document.activeElement);
        return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), shadow: s.boxShadow};
    }""")
    return (style["style"] != "none" and style["width"] >= 2) or style["shadow"] not in ("", "none")


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_keyboard_alone_sends_feedback_and_looks_it_up(javascript, browser, live_server):
    context = _context(browser, "vi", javascript=javascript)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        _tab_to(page, "main a.app-button")
        assert _focus_is_visible(page), "the focused link shows no outline"
        page.keyboard.press("Enter")
        page.wait_for_selector("#title")
        _tab_to(page, "#kind-0")
        assert _focus_is_visible(page), "the focused radio shows no outline"
        page.keyboard.press("Space")
        _tab_to(page, "#topic_id")
        page.keyboard.press("ArrowDown")
        _tab_to(page, "#title")
        assert _focus_is_visible(page), "the focused input shows no outline"
        page.keyboard.type("Không có sóng di động")
        _tab_to(page, "#content")
        page.keyboard.type("Cả thôn không có sóng di động, không gọi được cấp cứu.")
        _tab_to(page, "#contact_name")
        page.keyboard.type("Sùng A Tủa")
        _tab_to(page, "#contact_phone")
        page.keyboard.type("0912345678")
        _tab_to(page, "#consent_processing")
        page.keyboard.press("Space")
        _tab_to(page, "form[enctype] button[type=submit]:not([name])")
        assert _focus_is_visible(page), "the focused button shows no outline"
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/tra-cuu/rieng/"))
        code = re.sub(r"\D", "", page.locator(".app-panel__code").inner_text())
        assert len(code) == 10

        page.goto(live_server.url + "/")
        _tab_to(page, "#code")
        page.keyboard.type(code)
        page.keyboard.press("Enter")
        page.wait_for_selector("#status")
        assert "Đã tiếp nhận" in page.locator("#status").inner_text()
    finally:
        context.close()
