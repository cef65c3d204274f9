"""End-to-end fixtures: the real app served over HTTP from a thread, on a SQLite file built
by the migrations, and Debian's Chromium driven by Playwright."""
import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.config import TestConfig
from app.extensions import db

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
# Without these Chromium dials out at start-up, and this machine's closed network refuses it.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS", Path(tempfile.gettempdir()) / "gopy-e2e"))
FEATURE_PHONE = {"width": 240, "height": 320}


class LiveConfig(TestConfig):
    WTF_CSRF_ENABLED = True


@pytest.fixture(scope="session")
def live_server():
    """The app on a random local port, its schema made by `flask db upgrade` (Alembic)."""
    from flask_migrate import upgrade

    from app.seeds.reference import seed_reference

    workdir = Path(tempfile.mkdtemp(prefix="gopy-e2e-"))
    config = type("E2EConfig", (LiveConfig,), {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'e2e.sqlite3'}",
        "UPLOAD_DIR": workdir / "uploads",
        "SMS_FILE": str(workdir / "sms.log"),
    })
    app = create_app(config)
    with app.app_context():
        upgrade()
        seed_reference()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.app = app
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    with app.app_context():
        db.engine.dispose()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def open_page(browser):
    """A fresh browser context: Vietnamese, JavaScript on or off, phone or desktop viewport."""
    contexts = []

    def _open(javascript: bool = True, viewport: dict | None = None, locale: str = "vi-VN"):
        context = browser.new_context(java_script_enabled=javascript, viewport=viewport or {"width": 1024,
                                                                                            "height": 768},
                                      locale=locale, extra_http_headers={"Accept-Language": locale})
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
