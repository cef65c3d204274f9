"""Delivery that never gives up silently: a mail server down for (compressed) days, then
back; the circuit breaker; a hard bounce and an invalid number shown to the person; the
administrator's outbox page; the worker's periodic jobs; a hung mail server costs no page."""
import json
import socket
import threading
import time
from datetime import datetime, timedelta
from datetime import time as clock_time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app import create_app
from app.common.roles import Role
from app.common.time import utcnow
from app.extensions import db as ext_db
from app.notify import backends, background, outbox, schedule
from app.notify import services as notify
from app.notify.models import Channel, Failure, MessageStatus, Notification, OutboxMessage, PeriodicRun
from app.seeds.reference import seed_reference
from app.submissions import codes, messages, workflow
from tests.conftest import SuiteConfig, csrf_token
from tests.factories import Clock, make_staff, make_submission, make_user
from tests.test_notify import Inbox, _free_port


@pytest.fixture()
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(outbox, "utcnow", fake)
    return fake


class BouncingInbox(Inbox):
    """A mail server that knows no mailbox whose name starts with "gone"."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802  (aiosmtpd's hook)
        if address.startswith("gone"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture()
def mail_port(app, monkeypatch):
    port = _free_port()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    return port


def _count_sends(monkeypatch) -> list:
    calls = []
    real = backends.send_email

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)
    monkeypatch.setattr(backends, "send_email", counting)
    return calls


def test_smtp_down_three_days_then_every_message_delivered_once_in_order(app, db, clock, mail_port, monkeypatch):
    calls = _count_sends(monkeypatch)
    enqueued = []
    for n in range(6):
        message = notify.enqueue(Channel.EMAIL, ("an@example.vn", "binh@example.vn")[n % 2], f"Nội dung {n}",
                                 subject=f"Tin {n}")
        db.session.commit()
        enqueued.append(message.id)
    # Three days of refused connections, the sweep passing every ten minutes.
    while clock.offset < timedelta(days=3):
        outbox.deliver_pending()
        clock.advance(minutes=10)
        if clock.offset == timedelta(days=2):  # a step during the outage adds one more
            enqueued.append(notify.enqueue(Channel.EMAIL, "an@example.vn", "Nội dung 6", subject="Tin 6").id)
            db.session.commit()
    db.session.expire_all()
    waiting = db.session.scalars(select(OutboxMessage)).all()
    assert {message.status for message in waiting} == {MessageStatus.PENDING}  # none given up
    # Tried all along, never more than half an hour apart...
    assert len(calls) > 3 * 24 * 2 - 10
    assert max(message.next_attempt_at for message in waiting) <= clock() + outbox.BACKOFF_CAP
    # ...and the breaker kept the outage from costing an attempt per message per try.
    assert len(calls) < 3 * 24 * 2 + 30
    assert sorted(message.attempts for message in waiting)[:-2] == [0] * 5
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=mail_port)
    server.start()
    try:
        clock.advance(minutes=30)
        assert outbox.deliver_pending() == 7
        assert outbox.deliver_pending() == 0
    finally:
        server.stop()
    db.session.expire_all()
    assert {message.status for message in db.session.scalars(select(OutboxMessage))} == {MessageStatus.SENT}
    received = [(mail["To"], mail["Subject"]) for mail in inbox.messages]
    assert len(received) == 7  # each once
    assert [subject for to, subject in received if to == "an@example.vn"] == ["Tin 0", "Tin 2", "Tin 4", "Tin 6"]
    assert [subject for to, subject in received if to == "binh@example.vn"] == ["Tin 1", "Tin 3", "Tin 5"]


def test_back_off_doubles_from_a_minute_to_half_an_hour():
    assert [outbox.backoff(Channel.EMAIL, n).total_seconds() / 60 for n in range(1, 9)] == [1, 2, 4, 8, 16, 30, 30,
                                                                                             30]
    assert outbox.backoff(Channel.SMS, 500) == timedelta(minutes=30)


def test_a_hard_bounce_is_given_up_and_the_person_is_told(app, db, client, mail_port, login_as):
    server = Controller(BouncingInbox(), hostname="127.0.0.1", port=mail_port)
    server.start()
    try:
        citizen = make_user(Role.CITIZEN, email="gone@example.vn")
        submission, token = make_submission(user=citizen, contact_phone=None)
        workflow.reject(submission, make_staff(Role.COORDINATOR), submission.version, "abusive")
        outbox.deliver_pending()
    finally:
        server.stop()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "gone@example.vn")
                                .order_by(OutboxMessage.id).limit(1))  # the receipt, tried first
    assert message.status == MessageStatus.FAILED and message.failure == Failure.BOUNCED
    assert outbox.deliver_pending() == 0  # never tried again
    login_as(citizen)
    page = client.get("/tai-khoan").get_data(as_text=True)
    assert "Chúng tôi không gửi được thư điện tử tới g…@example.vn" in page
    assert "gone@example.vn" not in page.split("<form")[0]
    citizen.email = "moi@example.vn"  # a new address: the old one's failure is over
    db.session.commit()
    assert "Chúng tôi không gửi được" not in client.get("/tai-khoan").get_data(as_text=True)


def test_the_private_page_says_an_invalid_number_could_not_be_reached(app, db, client, monkeypatch):
    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802  (http.server's hook)
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps({"error": "invalid_number"}).encode())

        def log_message(self, *args):
            pass

    gateway = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", f"http://127.0.0.1:{gateway.server_port}/send")
    try:
        submission, token = make_submission(contact_phone="0912345678", contact_email=None)
        workflow.reject(submission, make_staff(Role.COORDINATOR), submission.version, "abusive")
        outbox.deliver_pending()
    finally:
        gateway.shutdown()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.channel == Channel.SMS)
                                .order_by(OutboxMessage.id).limit(1))  # the receipt, tried first
    assert message.status == MessageStatus.FAILED and message.failure == Failure.INVALID_NUMBER
    with app.test_request_context():
        from flask import url_for  # here: url_for needs the request context opened just above
        url = url_for("tracking.private", token=token)
    page = client.get(url).get_data(as_text=True)
    assert "Chúng tôi không gửi được tin nhắn SMS tới 091…678" in page


def test_a_gateway_that_is_down_keeps_the_sms_waiting(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", f"http://127.0.0.1:{_free_port()}/send")
    submission, _token = make_submission(contact_phone="0912345678", contact_email=None)
    workflow.reject(submission, make_staff(Role.COORDINATOR), submission.version, "abusive")
    outbox.deliver_pending()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.channel == Channel.SMS)
                                .order_by(OutboxMessage.id).limit(1))  # the receipt, tried first
    assert message.status == MessageStatus.PENDING and message.attempts == 1 and message.failure is None


def _outbox_with_three(db):
    for recipient in ("dan.nguyen@example.vn", "lan.tran@example.vn"):
        notify.enqueue(Channel.EMAIL, recipient, "Mã bí mật 4242 của bạn", subject="Mã")
    sms = notify.enqueue(Channel.SMS, "0987654321", "Ma 4242")
    db.session.commit()
    waiting = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    waiting[1].attempts, waiting[1].next_attempt_at = 3, utcnow() + timedelta(minutes=20)
    sms.next_attempt_at = utcnow() + timedelta(minutes=25)
    db.session.commit()
    return waiting


def test_the_outbox_page_counts_and_masks(app, db, client, login_as):
    first, retrying, sms = _outbox_with_three(db)
    assert outbox.counts() == {"email": {"queued": 1, "retrying": 1, "sending": 0, "failed": 0},
                               "sms": {"queued": 1, "retrying": 0, "sending": 0, "failed": 0}}
    login_as(make_user(Role.ADMIN))
    page = client.get("/quan-tri/hop-thu-di").get_data(as_text=True)
    assert "d…@example.vn" in page and "098…321" in page
    for secret in ("dan.nguyen@example.vn", "0987654321", "4242"):
        assert secret not in page
    assert f"#{retrying.id}" in page and "/quan-tri/hop-thu-di/kenh/email/gui-lai" in page
    filtered = client.get("/quan-tri/hop-thu-di?state=retrying", headers={"HX-Request": "true"})
    text = filtered.get_data(as_text=True)
    assert f"#{retrying.id}" in text and f"#{first.id}<" not in text and f"#{sms.id}<" not in text
    assert "<html" not in text  # the list alone, for htmx
    assert "admin/hop-thu-di" not in client.get("/quan-tri").get_data(as_text=True)
    assert "/quan-tri/hop-thu-di" in client.get("/quan-tri").get_data(as_text=True)


def test_the_administrator_gives_up_and_retries(app, db, client, login_as):
    first, retrying, sms = _outbox_with_three(db)
    admin = login_as(make_user(Role.ADMIN))
    token = csrf_token(client.get("/quan-tri/hop-thu-di").get_data(as_text=True))
    answer = client.post(f"/quan-tri/hop-thu-di/{retrying.id}/bo-qua", data={"csrf_token": token})
    assert answer.status_code == 303
    db.session.expire_all()
    given_up = db.session.get(OutboxMessage, retrying.id)
    assert given_up.status == MessageStatus.FAILED and given_up.failure == Failure.ADMIN
    assert given_up.given_up_by_id == admin.id and given_up.given_up_at is not None
    assert db.session.get(OutboxMessage, first.id).status == MessageStatus.PENDING  # only that one
    client.post(f"/quan-tri/hop-thu-di/{retrying.id}/gui-lai", data={"csrf_token": token})
    db.session.expire_all()
    again = db.session.get(OutboxMessage, retrying.id)
    assert again.status == MessageStatus.PENDING and again.next_attempt_at <= utcnow() and again.failure is None
    assert client.post("/quan-tri/hop-thu-di/kenh/sms/gui-lai", data={"csrf_token": token}).status_code == 303
    db.session.expire_all()
    assert db.session.get(OutboxMessage, sms.id).next_attempt_at <= utcnow()
    assert client.post("/quan-tri/hop-thu-di/kenh/fax/gui-lai", data={"csrf_token": token}).status_code == 404


def test_periodic_jobs_run_when_due_once_and_a_failure_stops_none(app, db, monkeypatch):
    ran = []

    def failing():
        raise RuntimeError("boom")
    jobs = {job.name: job for job in (
        schedule.Periodic("often", lambda: ran.append("often"), every=timedelta(minutes=15)),
        schedule.Periodic("broken", failing, every=timedelta(minutes=15)),
        schedule.Periodic("daily", lambda: ran.append("daily"), daily_at=clock_time(7, 0)),
    )}
    monkeypatch.setitem(app.extensions, "periodic_jobs", jobs)
    start = datetime(2026, 12, 1, 1, 0)  # 08:00 in Hà Nội: today's 07:00 has passed
    assert schedule.run_due(start) == ["often", "broken", "daily"]
    assert ran == ["often", "daily"]
    assert db.session.get(PeriodicRun, "broken").last_error == "RuntimeError: boom"
    assert schedule.run_due(start + timedelta(minutes=5)) == []
    assert schedule.run_due(start + timedelta(minutes=16)) == ["often", "broken"]
    assert schedule.run_due(start + timedelta(hours=22, minutes=59)) == ["often", "broken"]  # 06:59 tomorrow
    assert schedule.run_due(start + timedelta(hours=23, minutes=1)) == ["daily"]  # 07:01 tomorrow
    assert ran.count("daily") == 2


def test_the_worker_runs_the_registered_jobs_no_cron(app, db, monkeypatch):
    assert {"notify-sweep", "desk-reminders", "stats-refresh", "opendata-dump"} <= set(app.extensions["periodic_jobs"])
    ran = []
    monkeypatch.setitem(app.extensions, "periodic_jobs", {"probe": schedule.Periodic(
        "probe", lambda: ran.append(1), every=timedelta(minutes=1))})
    monkeypatch.setitem(app.config, "REDIS_URL", "")
    result = app.test_cli_runner().invoke(args=["notify", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert ran == [1]


def test_a_periodic_job_is_either_every_or_daily():
    with pytest.raises(ValueError):
        schedule.Periodic("both", print, every=timedelta(minutes=1), daily_at=clock_time(1, 0))
    with pytest.raises(ValueError):
        schedule.Periodic("neither", print)


def test_in_a_request_delivery_is_handed_to_the_background_thread(app, db, monkeypatch):
    woken = []
    monkeypatch.setitem(app.config, "NOTIFY_DELIVERY", "thread")
    monkeypatch.setattr(background, "wake", woken.append)
    monkeypatch.setattr(outbox, "deliver_pending", lambda *a: pytest.fail("sent inside the request"))
    with app.test_request_context():
        notify.enqueue(Channel.EMAIL, "a@example.vn", "Nội dung", subject="Tin")
        db.session.commit()
        response = app.process_response(app.response_class("ok"))
        response.close()
    assert woken == [app]


def test_a_hung_mail_server_does_not_delay_a_page(tmp_path):
    """Timed on purpose (the brief allows this one): a generous bound, the real background
    thread, a mail server that accepts the connection and never says a word."""
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(5)
    accepted, held = threading.Event(), []

    def accept():
        try:
            while True:
                held.append(hung.accept()[0])
                accepted.set()
        except OSError:
            pass
    threading.Thread(target=accept, daemon=True).start()

    class HungConfig(SuiteConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'hung.sqlite3'}"
        SQLALCHEMY_ENGINE_OPTIONS = {}
        MAIL_SERVER, MAIL_PORT, MAIL_TIMEOUT = "127.0.0.1", hung.getsockname()[1], 4
        NOTIFY_DELIVERY = "thread"

    app = create_app(HungConfig)
    try:
        with app.app_context():
            ext_db.create_all()
            seed_reference()
            session_id = make_user(Role.CITIZEN, email="an@example.vn").get_id()
            ext_db.session.remove()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = session_id, True
        token = csrf_token(client.get("/tai-khoan").get_data(as_text=True))
        timings = []
        for _round in range(2):  # the first wakes the thread, the second comes while it hangs
            started = time.monotonic()
            # Closed as a server closes it: what runs after the response runs now.
            with client.post("/tai-khoan/xac-minh/email", data={"csrf_token": token}) as answer:
                assert answer.status_code == 303
            timings.append(time.monotonic() - started)
            assert accepted.wait(10), "the background thread never reached the mail server"
        started = time.monotonic()
        assert client.get("/tai-khoan").status_code == 200
        timings.append(time.monotonic() - started)
        assert max(timings) < 1.0, timings  # the mail server's 4 s silence is in no answer
        assert background.wait_idle(30)
        with app.app_context():
            messages = ext_db.session.scalars(select(OutboxMessage)).all()
            assert len(messages) == 2 and {message.status for message in messages} == {MessageStatus.PENDING}
            assert any("timed out" in (message.last_error or "") for message in messages)  # waits, not lost
    finally:
        hung.close()
        for connection in held:
            connection.close()


def test_subjects_group_the_code_and_links_follow_the_public_address(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://gopy.example.gov.vn/")
    citizen = make_user(Role.CITIZEN, email="an@example.vn")
    submission, _token = make_submission(user=citizen, contact_phone=None)
    workflow.reject(submission, make_staff(Role.COORDINATOR), submission.version, "abusive")
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.channel == Channel.EMAIL))
    grouped = codes.display(submission.code)
    assert grouped != submission.code and grouped in message.subject and grouped in message.body
    assert "https://gopy.example.gov.vn/tra-cuu/" in message.body and "127.0.0.1" not in message.body


def test_an_inbox_line_about_a_step_links_to_the_submitters_case(app, db, client, login_as):
    citizen = make_user(Role.CITIZEN)
    submission, _token = make_submission(user=citizen)
    workflow.reject(submission, make_staff(Role.COORDINATOR), submission.version, "abusive")
    line = db.session.scalar(select(Notification).where(Notification.user_id == citizen.id))
    assert line.link == f"/tai-khoan/gop-y/{submission.code}/rieng"
    login_as(citizen)
    inbox = client.get("/tai-khoan/thong-bao").get_data(as_text=True)
    assert f'href="{line.link}"' in inbox
    assert client.get(line.link).status_code == 303  # on to the private page
    with app.test_request_context():
        assert messages.desk_link(submission) == f"/can-bo/ho-so/{submission.id}"


def test_through_rq_a_recipients_messages_go_in_order(app, db, mail_port, monkeypatch):
    from redis import Redis

    from app.notify import tasks

    url = "redis://127.0.0.1:6379/4"
    Redis.from_url(url).ping()
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    monkeypatch.setitem(app.extensions, "periodic_jobs", {})  # the queue alone
    tasks._queue().empty()
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=mail_port)
    server.start()
    try:
        for n in range(3):
            notify.enqueue(Channel.EMAIL, "an@example.vn", f"Nội dung {n}", subject=f"Tin {n}")
        db.session.commit()
        assert tasks.dispatch_pending() == 1  # only the first: the others wait behind it
        tasks.run_worker(burst=True)  # each delivered job hands over the next
    finally:
        server.stop()
        tasks._queue().empty()
    assert [mail["Subject"] for mail in inbox.messages] == ["Tin 0", "Tin 1", "Tin 2"]
