"""Personal-data rights: the registry covers every table with a person's column, the export
holds everything about the person, erasure leaves no trace of them, retention clears guests'
details in time (dry run first), staff reads are logged, consents can be withdrawn, and no
private token reaches a log line."""
import io
import json
import logging
import re
import zipfile
from datetime import timedelta
from importlib.metadata import version

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_login.utils import _create_identifier
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.accounts.models import Identity, User
from app.common.time import utcnow
from app.forum import services as forum
from app.notify import services as notify
from app.notify.models import Channel
from app.privacy import export, services
from app.privacy.models import DataExport, ExportStatus, ReadLogEntry
from app.privacy.registry import BY_TABLE, NOT_PERSONAL, REGISTRY
from app.submissions import intake, workflow
from app.submissions.models import Attachment, Consent, Submission, SubmissionFollower, Support
from app.submissions.states import Status
from tests.conftest import csrf_token
from tests.factories import PASSWORD, agency_id, make_staff, make_submission, make_user, submission_input
from tests.forum_support import make_board, make_thread

NAME, EMAIL, PHONE, SUBJECT = "Trịnh Quang Xoá", "xoa-toi@example.vn", "0987650001", "vneid-sub-778899"
# Column names that hold, or point to, a person: a table with one must be in the registry.
PERSONAL_COLUMN = re.compile(r"(^|_)(user_id|author_id|actor_id|staff_id|moderator_id|subject_id|email|phone|ip|"
                             r"ip_address|recipient|subject|name|submitter\w*|contact\w*|by_id|tax_code)$")


def _photo() -> FileStorage:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    out.seek(0)
    return FileStorage(out, filename="nha-toi.png", content_type="image/png")


@pytest.fixture()
def person(db):
    """A citizen with something in every place the platform keeps about a person."""
    user = make_user(email=EMAIL, phone=PHONE, full_name=NAME, created_at=utcnow() - timedelta(days=60))
    db.session.add(Identity(user_id=user.id, provider="vneid", subject=SUBJECT, assurance_level=2))
    submission, _token = intake.submit_feedback(
        submission_input(contact_name=NAME, contact_email=EMAIL, contact_phone=PHONE, consent_publish=True,
                         content=f"Tôi là {NAME}, gọi {PHONE} nếu cần: đường thôn hỏng."),
        files=[_photo()], user=user)
    coordinator = make_staff("coordinator")
    workflow.assign(submission, coordinator, submission.version, agency_id("BKHCN"))
    other, _ = make_submission(consent_publish=True)
    db.session.add_all([Support(submission_id=other.id, user_id=user.id, phone=PHONE),
                        SubmissionFollower(submission_id=other.id, user_id=user.id)])
    thread = make_thread(author=user, board=make_board())
    forum.reply(user, thread, "Tôi đồng ý với ý kiến này.")
    notify.notify_users([user], "Có trả lời mới", link="/tai-khoan/gop-y", submission_id=submission.id)
    notify.enqueue(Channel.EMAIL, EMAIL, f"Chào {NAME}", subject="Góp Ý", user_id=user.id)
    db.session.commit()
    return user, submission, coordinator


def _export_json(client) -> tuple[dict, zipfile.ZipFile]:
    html = client.get("/tai-khoan/du-lieu").get_data(as_text=True)
    assert client.post("/tai-khoan/du-lieu/xuat", data={"csrf_token": csrf_token(html)}).status_code == 303
    response = client.get("/tai-khoan/du-lieu/xuat/tai-ve")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "private, no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    return json.loads(archive.read("du-lieu.json")), archive


def test_registry_covers_every_table_with_a_persons_column(db):
    """A new table with a user, contact or name column fails here until the registry says how
    export, erasure and retention treat it (or NOT_PERSONAL says why it holds no one)."""
    missing, unnamed = [], []
    for name, table in db.metadata.tables.items():
        personal = {column.name for column in table.c if PERSONAL_COLUMN.search(column.name)}
        if not personal or name in NOT_PERSONAL:
            continue
        if name not in BY_TABLE:
            missing.append(name)
        elif personal - BY_TABLE[name].columns:
            unnamed.append((name, sorted(personal - BY_TABLE[name].columns)))
    assert missing == [], "add these tables to app/privacy/registry.py"
    assert unnamed == [], "name these columns in their registry entry"


def test_registry_names_only_real_columns(db):
    for entry in REGISTRY:
        table = db.metadata.tables[entry.table]
        assert entry.columns <= set(table.c.keys()), entry.table
        assert not entry.via_submission or "submission_id" in table.c


def test_export_holds_every_table_about_the_person(client, login_as, db, person):
    user, submission, _coordinator = person
    officer = make_staff("officer", "BKHCN")
    login_as(officer)
    assert client.get(f"/can-bo/ho-so/{submission.id}").status_code == 200
    login_as(user)
    data, archive = _export_json(client)
    tables = {name: rows for name, rows in data["tables"].items() if rows}
    expected = {"user", "identity", "submission", "attachment", "consent", "submission_event", "support",
                "submission_follower", "forum_thread", "forum_post", "notification", "outbox_message",
                "personal_data_read", "data_export"}
    assert expected <= tables.keys(), expected - tables.keys()
    assert tables["user"][0]["email"] == EMAIL and "password_hash" not in tables["user"][0]
    assert tables["identity"][0]["subject"] == SUBJECT
    assert {row["purpose"] for row in tables["consent"]} >= {"processing", "publish"}
    assert tables["personal_data_read"][0]["staff_id"] == officer.id
    assert all("internal_note" not in row for row in tables["submission_event"])
    assert data["notice"]["version"] == client.application.config["PRIVACY_NOTICE_VERSION"]
    files = [name for name in archive.namelist() if name.startswith("tep-dinh-kem/")]
    attachment = db.session.scalar(select(Attachment).where(Attachment.submission_id == submission.id))
    assert len(files) == 1 and len(archive.read(files[0])) == attachment.size


def test_export_is_offered_to_its_owner_only_and_expires(client, login_as, db, person):
    user, _submission, _coordinator = person
    login_as(user)
    _export_json(client)
    login_as("citizen")
    assert client.get("/tai-khoan/du-lieu/xuat/tai-ve").status_code == 303
    item = export.latest(user)
    item.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login_as(user)
    response = client.get("/tai-khoan/du-lieu/xuat/tai-ve")
    assert response.status_code == 303 and response.headers["Location"].endswith("/tai-khoan/du-lieu/xuat")


def test_large_export_is_built_in_the_background_with_a_polled_status(app, client, login_as, db, htmx_headers,
                                                                        person, monkeypatch):
    user, _submission, _coordinator = person
    login_as(user)
    monkeypatch.setitem(app.config, "PRIVACY_EXPORT_INLINE_SUBMISSIONS", 0)
    built = []
    monkeypatch.setattr(export, "build", lambda export_id: built.append(export_id))
    html = client.get("/tai-khoan/du-lieu").get_data(as_text=True)
    client.post("/tai-khoan/du-lieu/xuat", data={"csrf_token": csrf_token(html)})
    item = export.latest(user)
    assert built == [item.id], "handed to the background once the answer was sent"
    assert item.status == ExportStatus.PENDING
    page = client.get("/tai-khoan/du-lieu/xuat").get_data(as_text=True)
    assert 'hx-trigger="every 3s"' in page and 'href="/tai-khoan/du-lieu/xuat"' in page  # polls; a no-JS link
    fragment = client.get("/tai-khoan/du-lieu/xuat", headers=htmx_headers).get_data(as_text=True)
    assert fragment.lstrip().startswith("<section") and "<html" not in fragment
    monkeypatch.undo()
    assert export.build(item.id) is True
    fragment = client.get("/tai-khoan/du-lieu/xuat", headers=htmx_headers).get_data(as_text=True)
    assert "hx-trigger" not in fragment and "/tai-khoan/du-lieu/xuat/tai-ve" in fragment


def test_export_goes_to_the_task_queue_when_redis_is_set(app, login_as, client, db, person, monkeypatch):
    from redis import Redis
    from rq import Queue

    from app import jobs
    from app.notify.tasks import QUEUE_NAME

    user, _submission, _coordinator = person
    url = "redis://127.0.0.1:6379/3"
    queue = Queue(QUEUE_NAME, connection=Redis.from_url(url))
    queue.empty()
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    monkeypatch.setitem(app.config, "PRIVACY_EXPORT_INLINE_SUBMISSIONS", 0)
    login_as(user)
    html = client.get("/tai-khoan/du-lieu").get_data(as_text=True)
    client.post("/tai-khoan/du-lieu/xuat", data={"csrf_token": csrf_token(html)})
    item = export.latest(user)
    job = queue.fetch_job(f"export-{item.id}")
    assert job is not None and job.func_name == export.BUILD_JOB and job.args == (item.id,)
    queue.empty()
    assert jobs.build_export(item.id) is True
    db.session.refresh(item)
    assert item.status == ExportStatus.READY and item.size > 0


def _every_text(db) -> str:
    """Every string of every text column of every table, one line each."""
    values = []
    for table in db.metadata.sorted_tables:
        columns = [column for column in table.c if isinstance(column.type, sa.String | sa.Text)]
        if columns:
            for row in db.session.execute(select(*columns)):
                values += [f"{table.name}.{value}" for value in row if value]
    return "\n".join(values)


def test_erase_leaves_no_trace_of_the_person(client, login_as, db, person):
    user, submission, _coordinator = person
    officer = make_staff("officer", "BKHCN")
    login_as(officer)
    client.get(f"/can-bo/ho-so/{submission.id}")
    login_as(user)
    _export_json(client)
    before = _every_text(db)
    assert all(value in before for value in (NAME, EMAIL, PHONE, SUBJECT))
    html = client.get("/tai-khoan/xoa").get_data(as_text=True)
    response = client.post("/tai-khoan/xoa", data={"csrf_token": csrf_token(html), "password": PASSWORD,
                                                   "confirm": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    after = _every_text(db)
    for value in (NAME, EMAIL, PHONE, SUBJECT):
        assert value not in after, [line for line in after.splitlines() if value in line]
    kept = db.session.get(Submission, submission.id)
    assert kept.content and kept.user_id is None and kept.attachments == [] and kept.status == Status.ASSIGNED
    assert db.session.scalar(select(sa.func.count(Attachment.id))) == 0  # the other one had no file
    assert db.session.scalar(select(sa.func.count(DataExport.id))) == 0
    gone = db.session.get(User, user.id)
    with force_locale("en"):
        assert gone.erased_at is not None and not gone.is_active and gone.display_name == "a former member"
    assert client.get("/tai-khoan").status_code == 303  # signed out
    thread_id = db.session.scalar(select(sa.text("id FROM forum_thread")))
    page = client.get(f"/dien-dan/thao-luan/{thread_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "a former member" in page


def test_erase_needs_the_password_and_the_confirmation(client, login_as, db, person):
    user, _submission, _coordinator = person
    login_as(user)
    html = client.get("/tai-khoan/xoa").get_data(as_text=True)
    response = client.post("/tai-khoan/xoa", data={"csrf_token": csrf_token(html), "password": "sai-roi-nhe",
                                                   "confirm": "y"})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, user.id).email == EMAIL
    response = client.post("/tai-khoan/xoa", data={"csrf_token": csrf_token(html), "password": PASSWORD})
    assert response.status_code == 422 and PASSWORD not in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).erased_at is None


def test_staff_cannot_erase_their_own_account(client, login_as):
    login_as("officer")
    assert client.get("/tai-khoan/xoa").status_code == 403


def _closed_guest(db, months_ago: int, **values):
    submission, _token = intake.submit_feedback(submission_input(contact_email="khach@example.vn", **values),
                                                files=[_photo()])
    submission.status, submission.closed_at = Status.CLOSED, services.months_before(utcnow(), months_ago)
    db.session.commit()
    return submission


def test_retention_dry_run_counts_and_the_real_run_anonymises(app, db):
    old = _closed_guest(db, 25, contact_name="Khách Cũ Lâu")
    recent = _closed_guest(db, 3, contact_name="Khách Mới Đây")
    account = make_user()
    mine, _ = make_submission(user=account)
    holder = mine.contact_name
    mine.status, mine.closed_at = Status.CLOSED, services.months_before(utcnow(), 30)
    expired = DataExport(user_id=account.id, status=ExportStatus.READY, expires_at=utcnow() - timedelta(hours=1))
    db.session.add(expired)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["privacy", "retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would anonymise 1 submissions, 1 attachments; expired data copies: 1" in result.output
    db.session.expire_all()
    assert db.session.get(Submission, old.id).contact_name == "Khách Cũ Lâu"
    assert db.session.get(DataExport, expired.id) is not None
    result = runner.invoke(args=["privacy", "retention"])
    assert "anonymised 1 submissions, 1 attachments; expired data copies: 1" in result.output
    db.session.expire_all()
    cleared = db.session.get(Submission, old.id)
    assert (cleared.contact_name, cleared.contact_email, cleared.attachments) == ("", None, [])
    assert cleared.content  # the case stays
    assert db.session.get(Submission, recent.id).contact_name == "Khách Mới Đây"
    assert holder and db.session.get(Submission, mine.id).contact_name == holder
    assert db.session.get(DataExport, expired.id) is None
    again = services.run_retention(dry_run=True)
    assert (again.submissions, again.attachments, again.exports) == (0, 0, 0)


def test_retention_months_come_from_the_configuration(app, db, monkeypatch):
    _closed_guest(db, 7)
    assert services.run_retention(dry_run=True).submissions == 0
    monkeypatch.setitem(app.config, "PRIVACY_RETENTION_MONTHS", 6)
    assert services.run_retention(dry_run=True).submissions == 1


def test_staff_reading_a_case_is_logged_and_shown_to_administrators(client, login_as, db, person):
    user, submission, _coordinator = person
    officer = make_staff("officer", "BKHCN", full_name="Cán Bộ Đọc")
    login_as(officer)
    client.get(f"/can-bo/ho-so/{submission.id}")
    entry = db.session.scalar(select(ReadLogEntry))
    assert (entry.staff_id, entry.submission_id, entry.subject_user_id) == (officer.id, submission.id, user.id)
    assert entry.route == "/can-bo/ho-so/<id:submission_id>"
    login_as("other_officer")
    client.get(f"/can-bo/ho-so/{submission.id}")  # not theirs: 404, nothing shown, nothing logged
    assert db.session.scalar(select(sa.func.count(ReadLogEntry.id))) == 1
    login_as("admin")
    page = client.get("/quan-tri/quyen-rieng-tu/nhat-ky-doc")
    assert page.status_code == 200 and "Cán Bộ Đọc" in page.get_data(as_text=True)
    assert "/quan-tri/quyen-rieng-tu/nhat-ky-doc" in client.get("/quan-tri").get_data(as_text=True)


def test_withdrawing_publication_unpublishes_and_is_recorded(client, login_as, db, person):
    user, submission, _coordinator = person
    login_as(user)
    html = client.get("/tai-khoan/du-lieu").get_data(as_text=True)
    assert f"/tai-khoan/du-lieu/dong-y/{submission.id}/publish" in html
    response = client.post(f"/tai-khoan/du-lieu/dong-y/{submission.id}/publish", data={"csrf_token": csrf_token(html)})
    assert response.status_code == 303
    db.session.expire_all()
    kept = db.session.get(Submission, submission.id)
    assert kept.consent_publish is False and kept.public_text == ""
    last = db.session.scalar(select(Consent).where(Consent.submission_id == submission.id,
                                                   Consent.purpose == "publish").order_by(Consent.id.desc()))
    assert last.granted is False and last.notice_version == client.application.config["PRIVACY_NOTICE_VERSION"]
    assert client.get(f"/gop-y/{kept.code}").status_code == 404


def test_withdrawing_processing_removes_the_sender_from_an_open_case(client, login_as, db, person):
    user, submission, _coordinator = person
    login_as(user)
    html = client.get("/tai-khoan/du-lieu").get_data(as_text=True)
    client.post(f"/tai-khoan/du-lieu/dong-y/{submission.id}/processing", data={"csrf_token": csrf_token(html)})
    db.session.expire_all()
    kept = db.session.get(Submission, submission.id)
    assert (kept.contact_name, kept.contact_phone, kept.user_id, kept.attachments) == ("", None, None, [])
    assert NAME not in kept.content and kept.status == Status.ASSIGNED


def test_no_one_withdraws_someone_elses_consent(client, login_as, db, person):
    _user, submission, _coordinator = person
    login_as("citizen")
    html = client.get("/tai-khoan/du-lieu").get_data(as_text=True)
    response = client.post(f"/tai-khoan/du-lieu/dong-y/{submission.id}/publish", data={"csrf_token": csrf_token(html)})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).consent_publish is True


def test_a_private_link_leaves_no_token_in_the_log(client, db, caplog):
    """The raw log records, before any scrubbing, never hold the private token."""
    submission, token = intake.submit_feedback(submission_input(), files=[_photo()])
    caplog.set_level(logging.DEBUG)
    assert client.get(f"/tra-cuu/rieng/{token}").status_code == 200
    client.get(f"/tra-cuu/rieng/{token}", headers={"HX-Request": "true"})
    assert client.get(f"/tep/{submission.attachments[0].id}?t={token}").status_code == 200
    records = [record for record in caplog.records if record.name == "gopy.access"]
    assert len(records) == 3 and {record.route for record in records} >= {"/tra-cuu/rieng/<token>"}
    for record in caplog.records:
        assert token not in record.getMessage() and token not in repr(vars(record))


def test_privacy_notice_names_controller_purposes_basis_retention_and_version(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PRIVACY_CONTROLLER_NAME", "Sở Thử Nghiệm")
    monkeypatch.setitem(app.config, "PRIVACY_RETENTION_MONTHS", 18)
    html = client.get("/quyen-rieng-tu", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for fact in ("Sở Thử Nghiệm", app.config["PRIVACY_CONTROLLER_CONTACT"], "18 months",
                 app.config["PRIVACY_NOTICE_VERSION"], "91/2025/QH15", "356/2025"):
        assert fact in html, fact


def test_an_account_without_password_erases_only_right_after_signing_in(app, client, login_as, db):
    user = make_user(full_name="Người Dùng VNeID")
    user.password_hash = None
    db.session.commit()
    login_as(user)
    html = client.get("/tai-khoan/xoa").get_data(as_text=True)
    assert 'name="password"' not in html
    # A session Flask-Login did not open in this browser just now is not fresh.
    assert client.post("/tai-khoan/xoa", data={"csrf_token": csrf_token(html), "confirm": "y"}).status_code == 422
    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1",
                                                "HTTP_USER_AGENT": f"Werkzeug/{version('werkzeug')}"}):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_fresh"], session["_id"] = True, identifier  # what login_user writes
    assert client.post("/tai-khoan/xoa", data={"csrf_token": csrf_token(html), "confirm": "y"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, user.id).erased_at is not None
