"""Running in production: health and readiness, metrics, logs free of personal data,
start-up checks, the administrator and demo commands, private files."""
import logging
import os
import re
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy import select

from app import config as config_module
from app.accounts.models import User
from app.cli import create_admin_command, password_problem, seed_demo_command
from app.common.logs import JsonFormatter, scrub
from app.notify.services import dispatch_pending
from app.ops import settings
from app.submissions.models import Submission
from tests.conftest import SuiteConfig, csrf_token
from tests.factories import make_staff, make_submission, make_user
from tests.test_feedback import _form_data


def test_healthz_answers_without_asking_anything(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_checks_database_and_storage(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "storage": "ok"}


def test_readyz_is_503_when_redis_does_not_answer(app, client):
    app.config["REDIS_URL"] = "redis://127.0.0.1:9/0"
    try:
        response = client.get("/readyz")
    finally:
        app.config["REDIS_URL"] = ""
    assert response.status_code == 503 and response.json["checks"]["redis"] == "ConnectionError"


def test_metrics_count_by_route_pattern_and_report_the_outbox(client, db):
    submission, _token = make_submission(contact_email="a@example.vn")
    client.get(f"/tra-cuu/{submission.code}")
    client.get("/tra-cuu/1234567890")
    text = client.get("/metrics").get_data(as_text=True)
    assert re.search(r'gopy_http_requests_total\{method="GET",route="/tra-cuu/<code>",status="200"\} [1-9]', text)
    assert 'gopy_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/tra-cuu/<code>"}' in text
    assert submission.code not in text and "1234567890" not in text
    assert "gopy_outbox_messages" in text and "gopy_outbox_oldest_waiting_seconds" in text
    assert re.search(r"^gopy_submissions_overdue [0-9.]+$", text, re.MULTILINE)


def test_request_id_is_passed_through_or_made(client):
    assert client.get("/healthz", headers={"X-Request-ID": "edge-42"}).headers["X-Request-ID"] == "edge-42"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id; <script>" + "x" * 80}).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", made)


def test_error_reports_keep_the_route_and_drop_the_request():
    from app.ops.errors import scrub_event

    event = {"transaction": "/tra-cuu/rieng/<token>", "user": {"ip_address": "198.51.100.7"},
             "request": {"url": "https://gopy.example.gov.vn/tra-cuu/rieng/abc", "query_string": "t=abc",
                         "headers": {"Cookie": "session=x"}, "data": {"password": "x"}, "method": "GET"}}
    assert scrub_event(event, None) == {"transaction": "/tra-cuu/rieng/<token>", "request": {"method": "GET"}}


def test_scrubber_blanks_personal_values():
    line = scrub("sent to nguyen@example.vn and 0912 345 678, code 1234567890, token 9f86d081884c7d659a2feaa0c55ad015")
    assert "example.vn" not in line and "345" not in line and "1234567890" not in line and "9f86d0" not in line


def test_no_log_line_holds_a_token_password_code_or_phone(client, db, app, caplog):
    """The citizen's whole path, every log line as it is written, searched for what it must not hold."""
    caplog.set_level(logging.DEBUG)
    page = client.get("/gop-y/moi").get_data(as_text=True)
    sent = client.post("/gop-y/moi", data=_form_data(page, contact_email="lo.van.thu@example.vn"))
    private = sent.headers["Location"]
    token = re.search(r"/tra-cuu/rieng/([^?]+)", private).group(1)
    client.get(private)
    code = db.session.scalar(select(Submission.code).order_by(Submission.id.desc()).limit(1))
    client.get(f"/tra-cuu?code={code}")
    client.get(f"/tra-cuu/{code}", headers={"HX-Request": "true"})
    register = client.get("/dang-ky").get_data(as_text=True)
    client.post("/dang-ky", data={"csrf_token": csrf_token(register), "kind": "individual", "full_name": "Lò Văn Thử",
                                  "identifier": "0987 654 321", "password": "bi-mat-cua-thu-2026",
                                  "confirm": "bi-mat-cua-thu-2026"})
    login = client.get("/dang-nhap").get_data(as_text=True)  # registering does not sign in (no account oracle)
    client.post("/dang-nhap", data={"csrf_token": csrf_token(login), "identifier": "0987654321",
                                    "password": "bi-mat-cua-thu-2026"})
    html = client.get("/tai-khoan").get_data(as_text=True)
    client.post("/tai-khoan/xac-minh/sms", data={"csrf_token": csrf_token(html)})
    sms = Path(app.config["SMS_FILE"]).read_text(encoding="utf-8")
    verification = re.findall(r"\b(\d{6})\b", sms)[-1]
    client.post("/tai-khoan/xac-minh/sms/nhap-ma", data={"csrf_token": csrf_token(html), "code": verification})
    client.get(f"/tep/99999?t={token}")
    login = client.get("/dang-nhap").get_data(as_text=True)
    client.post("/dang-nhap", data={"csrf_token": csrf_token(login), "identifier": "0987654321",
                                    "password": "sai-mat-khau-nhe"})
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert any('"route": "/tra-cuu/rieng/<token>"' in line for line in lines)
    written = "\n".join(lines)
    for secret in (token, code, verification, "0912 345 678", "0912345678", "0987 654 321", "0987654321",
                   "lo.van.thu@example.vn", "bi-mat-cua-thu-2026", "sai-mat-khau-nhe"):
        assert secret not in written, secret


def _production(**values):
    base = {"GOPY_ENV": "production", "SECRET_KEY": "k" * 64, "SECRET_KEY_FROM_ENV": True,
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://gopy@db/gopy", "MAIL_SERVER": "smtp.example.vn",
            "SMS_GATEWAY_URL": "https://sms.example.vn/send", "PUBLIC_BASE_URL": "https://gopy.example.gov.vn",
            "SESSION_COOKIE_SECURE": True, "GOPY_ALLOW_UNSAFE": "", "PUBLIC_BASE_URL_FROM_ENV": True}
    base.update(values)
    return type("Production", (SuiteConfig,), base)


@pytest.mark.parametrize("values, problem", [
    ({"SECRET_KEY_FROM_ENV": False}, "secret-key"),
    ({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.sqlite3"}, "sqlite"),
    ({"MAIL_SERVER": ""}, "file-mail"),
    ({"SMS_GATEWAY_URL": ""}, "file-sms"),
    ({"PUBLIC_BASE_URL_FROM_ENV": False}, "public-base-url"),
    ({"PUBLIC_BASE_URL": "http://gopy.example.gov.vn"}, "public-base-url"),
    ({"SESSION_COOKIE_SECURE": False}, "insecure-cookie"),
])
def test_production_refuses_unsafe_settings_by_name(values, problem):
    from app import create_app

    with pytest.raises(settings.UnsafeSettings, match=rf"\[{problem}\]") as refused:
        create_app(_production(**values))
    assert "GOPY_ALLOW_UNSAFE=" in str(refused.value)
    create_app(_production(GOPY_ALLOW_UNSAFE=problem, **values))  # waived on purpose: it starts


def test_production_with_safe_settings_starts_and_development_allows_anything():
    from app import create_app

    assert create_app(_production()).config["GOPY_ENV"] == "production"
    unsafe = _production(GOPY_ENV="development", MAIL_SERVER="", PUBLIC_BASE_URL_FROM_ENV=False)
    assert create_app(unsafe).config["GOPY_ENV"] == "development"


def test_create_admin_without_a_terminal_reads_a_password_file(app, db, tmp_path):
    secret = tmp_path / "password"
    secret.write_text("ngựa pin ghim đúng\n")
    result = CliRunner().invoke(create_admin_command, ["--email", "Admin@Example.gov.vn", "--password-file",
                                                       str(secret)], obj=None, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "admin@example.gov.vn"))
    assert user.role == "admin" and user.check_password("ngựa pin ghim đúng")


def test_create_admin_reads_the_environment_and_refuses_weak_or_missing_passwords(app, db, monkeypatch):
    runner = CliRunner()
    no_password = runner.invoke(create_admin_command, ["--email", "a@example.gov.vn"], input="")
    assert no_password.exit_code != 0 and "GOPY_ADMIN_PASSWORD" in no_password.output
    monkeypatch.setenv("GOPY_ADMIN_PASSWORD", "12345")
    weak = runner.invoke(create_admin_command, ["--email", "a@example.gov.vn"])
    assert weak.exit_code != 0 and "12 characters" in weak.output
    monkeypatch.setenv("GOPY_ADMIN_PASSWORD", "bốn từ dễ nhớ khó đoán")
    assert runner.invoke(create_admin_command, ["--email", "a@example.gov.vn"]).exit_code == 0
    assert password_problem("password1234", "x@y.vn") and password_problem("nguyenvanan-2026!", "nguyenvanan@y.vn")


def test_seed_demo_refuses_a_database_with_real_accounts(app, db):
    make_user(email="nguoi.that@example.vn")
    result = CliRunner().invoke(seed_demo_command, ["--count", "1"])
    assert result.exit_code != 0 and "not demo accounts" in result.output
    assert db.session.scalar(select(User).where(User.email == "admin@gopy.local")) is None


def test_seed_demo_refuses_production(app, db):
    app.config["GOPY_ENV"] = "production"
    try:
        result = CliRunner().invoke(seed_demo_command, ["--count", "1"])
    finally:
        app.config["GOPY_ENV"] = "development"
    assert result.exit_code != 0 and "production" in result.output


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_files_the_app_writes_are_private(app, db, tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(config_module, "INSTANCE_DIR", tmp_path / "instance")
    config_module._secret_key()
    assert _mode(tmp_path / "instance") == 0o700 and _mode(tmp_path / "instance" / "secret_key") == 0o600
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'gopy.sqlite3'}")
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE t (x INT)"))
    engine.dispose()
    assert _mode(tmp_path / "gopy.sqlite3") == 0o600
    staff = make_staff("coordinator")
    submission, _token = make_submission(contact_phone="0912345678", contact_email=None)
    from app.submissions import workflow

    workflow.reject(submission, staff, submission.version, "duplicate")
    monkeypatch.setitem(app.config, "SMS_FILE", str(tmp_path / "sms" / "sms.log"))
    dispatch_pending()
    assert _mode(tmp_path / "sms" / "sms.log") == 0o600 and _mode(tmp_path / "sms") == 0o700
    app.config["ATTACHMENT_STORAGE"] = "disk"
    try:
        from app.submissions import storage

        storage.save("ab" * 16, b"data", "application/pdf")
        path = storage.disk_path("ab" * 16)
        assert _mode(path) == 0o600 and _mode(path.parent) == 0o700
        app.config["ATTACHMENT_ACCEL_PREFIX"] = "/_attachments/"  # nginx's group may read them
        storage.save("cd" * 16, b"data", "application/pdf")
        assert _mode(storage.disk_path("cd" * 16)) == 0o640 and _mode(storage.disk_path("cd" * 16).parent) == 0o750
    finally:
        app.config["ATTACHMENT_STORAGE"] = "database"
        app.config["ATTACHMENT_ACCEL_PREFIX"] = ""
