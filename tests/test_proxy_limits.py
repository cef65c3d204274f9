"""Behind a proxy: the real client is the address a trusted proxy reports, limits count per
client and per account across workers, and a store that is down lets everyone through."""
import logging
import re
import threading
from contextlib import contextmanager

import pytest

from app import create_app
from app.common.proxy import TrustedNetworks, parse_networks
from app.common.ratelimit import SQLiteStorage
from app.extensions import db as _db
from app.seeds.reference import seed_reference
from tests.conftest import SuiteConfig, csrf_token
from tests.factories import PASSWORD, make_user
from tests.test_feedback import _form_data


def _app(tmp_path, **settings):
    config = type("Limited", (SuiteConfig,), {
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": f"gopy+sqlite://{tmp_path / 'limits.sqlite3'}",
        "RATELIMIT_STORAGE_OPTIONS": {}, "TRACKING_LOOKUP_LIMIT": "3 per minute", **settings})
    return create_app(config)


@contextmanager
def _with_data(app):
    """A second app has its own engine (on SQLite, its own in-memory database): give it the
    schema and reference data; on PostgreSQL the shared database is cleaned by the db fixture."""
    with app.app_context():
        _db.create_all()
        seed_reference()
        try:
            yield
        finally:
            _db.session.remove()
            _db.engine.dispose()


def _lookups(client, n, address="203.0.113.9", forwarded=None, path="/tra-cuu?code=1234567890"):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return [client.get(path, headers=headers, environ_base={"REMOTE_ADDR": address}).status_code
            for _ in range(n)]


def test_forwarded_clients_from_a_trusted_proxy_have_separate_limits(tmp_path):
    client = _app(tmp_path, TRUSTED_PROXIES="127.0.0.1/32").test_client()
    assert _lookups(client, 4, "127.0.0.1", "198.51.100.1")[-1] == 429
    assert _lookups(client, 1, "127.0.0.1", "198.51.100.2") == [422]  # another citizen, same proxy


def test_forwarded_header_from_an_untrusted_peer_is_ignored(tmp_path):
    client = _app(tmp_path, TRUSTED_PROXIES="127.0.0.1/32").test_client()
    statuses = [_lookups(client, 1, "203.0.113.7", f"198.51.100.{n}")[0] for n in range(4)]
    assert statuses == [422, 422, 422, 429]  # a new forged address each time changes nothing


def test_without_trusted_proxies_the_header_is_ignored(tmp_path):
    client = _app(tmp_path).test_client()
    statuses = [_lookups(client, 1, "127.0.0.1", f"198.51.100.{n}")[0] for n in range(4)]
    assert statuses[-1] == 429


def test_a_count_of_hops_trusts_that_many_proxies(tmp_path):
    client = _app(tmp_path, TRUSTED_PROXIES="1").test_client()
    assert _lookups(client, 4, "10.0.0.2", "198.51.100.1")[-1] == 429
    assert _lookups(client, 1, "10.0.0.2", "198.51.100.2") == [422]


def test_trusted_chain_is_read_from_the_right():
    middleware = TrustedNetworks(None, parse_networks("127.0.0.1/32, 10.0.0.0/8"))
    # The client forged its first entry; our load balancer (10.0.0.5) and nginx appended the rest.
    assert middleware.client("127.0.0.1", "1.2.3.4, 198.51.100.7, 10.0.0.5") == "198.51.100.7"
    assert middleware.client("127.0.0.1", "") == "127.0.0.1"
    assert middleware.client("127.0.0.1", "not-an-ip, 10.0.0.5") == "10.0.0.5"
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        parse_networks("127.0.0.1, nginx")


def test_lookup_by_path_shares_the_lookup_limit(tmp_path):
    client = _app(tmp_path).test_client()
    statuses = _lookups(client, 2) + _lookups(client, 2, path="/tra-cuu/1234567890")
    assert statuses == [422, 422, 404, 429]
    assert _lookups(client, 1, path="/tra-cuu/1234567891") == [429]


def test_limits_are_counted_together_by_every_worker(tmp_path):
    """Two apps stand for two gunicorn workers: one SQLite file counts for both."""
    first, second = _app(tmp_path).test_client(), _app(tmp_path).test_client()
    assert _lookups(first, 2) + _lookups(second, 2) == [422, 422, 422, 429]


def test_sqlite_store_counts_exactly_under_threads(tmp_path):
    storage = SQLiteStorage(f"gopy+sqlite://{tmp_path / 'hits.sqlite3'}")
    threads = [threading.Thread(target=lambda: [storage.incr("k", 60) for _ in range(50)]) for _ in range(4)]
    [thread.start() for thread in threads]
    [thread.join() for thread in threads]
    assert storage.get("k") == 200 and storage.get_expiry("k") > 0
    storage.clear("k")
    assert storage.get("k") == 0


def _sign_in(client, identifier, password, address):
    page = client.get("/dang-nhap", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    return client.post("/dang-nhap", data={"csrf_token": csrf_token(page), "identifier": identifier,
                                           "password": password}, environ_base={"REMOTE_ADDR": address})


def test_failed_sign_ins_to_one_account_are_limited_from_any_address(tmp_path, db):
    app = _app(tmp_path, WTF_CSRF_ENABLED=True, LOGIN_LIMIT="100 per minute", LOGIN_ACCOUNT_LIMIT="3 per minute")
    client = app.test_client()
    with _with_data(app):
        make_user(email="owner@example.vn")
        statuses = [_sign_in(client, "Owner@Example.vn ", "wrong", f"198.51.100.{n}").status_code for n in range(4)]
        assert statuses == [422, 422, 422, 429]
        other = _sign_in(app.test_client(), "someone@example.vn", "wrong", "198.51.100.50")
        assert other.status_code == 422  # another account is not slowed


def test_successful_sign_ins_do_not_count_against_the_account(tmp_path, db):
    app = _app(tmp_path, WTF_CSRF_ENABLED=True, LOGIN_ACCOUNT_LIMIT="2 per minute")
    with _with_data(app):
        make_user(email="owner@example.vn")
        for _ in range(3):
            assert _sign_in(app.test_client(), "owner@example.vn", PASSWORD, "198.51.100.1").status_code == 303


def test_over_the_limit_without_a_session_answers_the_friendly_page(tmp_path, db):
    app = _app(tmp_path, WTF_CSRF_ENABLED=True, LOGIN_LIMIT="2 per minute")
    client = app.test_client()
    statuses = []
    for _ in range(3):
        client.delete_cookie("session")
        statuses.append(client.post("/dang-nhap", data={"identifier": "a@example.vn", "password": "x"}))
    assert statuses[-1].status_code == 429
    assert "Bạn đã thử quá nhiều lần" in statuses[-1].get_data(as_text=True)


def test_htmx_request_over_the_limit_gets_a_short_message(tmp_path):
    client = _app(tmp_path).test_client()
    _lookups(client, 3)
    response = client.get("/tra-cuu?code=1234567890", headers={"HX-Request": "true"},
                          environ_base={"REMOTE_ADDR": "203.0.113.9"})
    body = response.get_data(as_text=True)
    assert response.status_code == 429 and 'role="alert"' in body and "<html" not in body
    assert "Bạn đã thử quá nhiều lần" in body


def test_redis_down_fails_open_with_a_log_line(tmp_path, db, caplog):
    app = _app(tmp_path, RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0", LOGIN_LIMIT="1 per minute",
               RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 0.2})
    client = app.test_client()
    with caplog.at_level(logging.WARNING):
        assert _lookups(client, 5) == [422] * 5
        assert [client.post("/dang-nhap", data={"identifier": "a@example.vn", "password": "x"}).status_code
                for _ in range(3)] == [422] * 3
    assert any(re.search("rate limit", record.getMessage(), re.IGNORECASE) for record in caplog.records)


def test_redis_down_breaks_no_page(tmp_path, db):
    """The whole citizen path with a Redis URL that nothing answers: limits and the broker."""
    app = _app(tmp_path, RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0", REDIS_URL="redis://127.0.0.1:9/0",
               RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 0.2})
    client = app.test_client()
    with _with_data(app):
        page = client.get("/gop-y/moi").get_data(as_text=True)
        sent = client.post("/gop-y/moi", data=_form_data(page))
        assert sent.status_code == 303
        for path in ("/", "/tra-cuu", "/tra-cuu?code=1234567890", "/gop-y", "/dien-dan", "/dang-nhap",
                     sent.headers["Location"]):
            assert client.get(path).status_code < 500, path


def test_only_anonymous_public_pages_may_be_micro_cached(client, db, app):
    from tests.factories import make_submission

    submission, token = make_submission()
    assert client.get("/").headers.get("X-Accel-Expires") == "1"
    assert client.get(f"/tra-cuu/{submission.code}").headers.get("X-Accel-Expires") == "1"
    assert "X-Accel-Expires" not in client.get(f"/tra-cuu/rieng/{token}").headers  # personal
    assert "X-Accel-Expires" not in client.get("/gop-y/moi").headers  # a CSRF token, a new session
    assert "X-Accel-Expires" not in client.get("/dang-nhap").headers
    assert "X-Accel-Expires" not in client.get("/khong-co-trang-nay").headers  # not a 200
    assert "X-Accel-Expires" not in client.get("/readyz").headers  # not a page
    app.config["MICRO_CACHE_SECONDS"] = 0
    try:
        assert "X-Accel-Expires" not in client.get("/").headers
    finally:
        app.config["MICRO_CACHE_SECONDS"] = 1


def test_signed_in_readers_are_never_micro_cached(client, db):
    user = make_user(email="reader@example.vn")
    page = client.get("/dang-nhap").get_data(as_text=True)
    client.post("/dang-nhap", data={"csrf_token": csrf_token(page), "identifier": user.email, "password": PASSWORD})
    assert "X-Accel-Expires" not in client.get("/").headers
    assert "X-Accel-Expires" not in client.get("/dien-dan").headers
