"""A refusal answered to an htmx request (too many tries, not allowed) is shown above the
page; htmx alone would swap nothing and leave the click without an answer."""
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from tests.e2e.conftest import LiveConfig, screenshot


@pytest.fixture(scope="module")
def limited_server():
    """The app with a lookup limit of two a minute; no database is needed to refuse a code."""
    workdir = Path(tempfile.mkdtemp(prefix="gopy-e2e-limits-"))
    config = type("LimitedLive", (LiveConfig,), {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'e2e.sqlite3'}", "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": f"gopy+sqlite://{workdir / 'limits.sqlite3'}", "RATELIMIT_STORAGE_OPTIONS": {},
        "TRACKING_LOOKUP_LIMIT": "2 per minute"})
    server = make_server("127.0.0.1", 0, create_app(config), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    shutil.rmtree(workdir, ignore_errors=True)


def test_too_many_lookups_with_htmx_show_a_notice(limited_server, open_page):
    page = open_page(javascript=True)
    page.goto(f"{limited_server}/tra-cuu")
    for _ in range(3):
        page.fill("input[name=code]", "1234567890")
        page.click("#lookup button")
        page.wait_for_timeout(300)
    notice = page.locator("#app-alert [role=alert]")
    notice.wait_for(timeout=5000)
    assert "Bạn đã thử quá nhiều lần" in notice.inner_text()
    assert page.locator("#lookup").count() == 1  # the form is still there to try again later
    screenshot(page, "htmx-429-notice")
