"""Fixtures in the flaskr way: one app per session, a clean database per test, clients and
signed-in users for each role. TEST_DATABASE_URL picks PostgreSQL; SQLite in memory otherwise."""
import os
import re
import tempfile
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy.pool import StaticPool

os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="gopy-test-instance-"))

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db as _db  # noqa: E402
from app.extensions import limiter  # noqa: E402
from app.seeds.reference import seed_reference  # noqa: E402
from tests.factories import make_person  # noqa: E402


class SuiteConfig(TestConfig):
    UPLOAD_DIR = Path(os.environ["INSTANCE_PATH"]) / "uploads"
    SMS_FILE = str(Path(os.environ["INSTANCE_PATH"]) / "sms.log")
    if TestConfig.SQLALCHEMY_DATABASE_URI == "sqlite://":
        # One shared in-memory database for every connection of the session.
        SQLALCHEMY_ENGINE_OPTIONS = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}


@pytest.fixture(scope="session")
def app():
    app = create_app(SuiteConfig)
    with app.app_context():
        _db.drop_all()
        _db.create_all()  # tests build the schema directly; tests/test_migrations.py checks Alembic
        yield app
        _db.session.remove()
        _db.drop_all()


@pytest.fixture(autouse=True)
def _one_limiter_setting(app):
    """A few tests build an app with rate limits on, and the limiter is one object for every
    app (an extension is created once): after each test it follows the suite's setting again,
    so a later test never meets a limit it did not ask for."""
    yield
    limiter.enabled = app.config.get("RATELIMIT_ENABLED", True)


@pytest.fixture(autouse=True)
def db(app):
    """Every test starts with reference data only, and leaves nothing behind."""
    seed_reference()
    yield _db
    _db.session.rollback()
    _db.session.remove()
    for table in reversed(_db.metadata.sorted_tables):
        _db.session.execute(table.delete())
    _db.session.commit()


class FreshContextClient(FlaskClient):
    """Each request gets its own application context, as in production; otherwise the
    test's long-lived context would share `g` (CSRF token, signed-in user) across requests."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)  # closes the response, running call_on_close work
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture()
def client(app):
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture()
def login_as(client):
    """Sign a client in: `login_as("lead")` makes a new account playing that part (a name from
    tests.factories.ROLES), `login_as(user)` signs that account in, `login_as("anonymous")`
    signs out. The test's `client` unless `client=` says otherwise; returns the user (or None).

    It writes Flask-Login's session keys directly: the sign-in form itself is tested in
    tests/test_accounts.py, and every other test only needs to be someone."""

    def sign_in(who, client=client):
        user = make_person(who) if isinstance(who, str) else who
        with client.session_transaction() as session:
            session.pop("_user_id", None)
            if user is not None:
                # What Flask-Login keeps: the account's get_id(), its id and session version
                # (app/accounts/routes.py's user loader refuses any other version).
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
        return user

    return sign_in


@pytest.fixture()
def htmx_headers():
    return {"HX-Request": "true"}


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*? value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def form_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html)
    assert match, f"the page has no hidden field {name}"
    return match.group(1)
