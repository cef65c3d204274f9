"""Telling the submitter: inbox, e-mail through a real SMTP server (aiosmtpd), SMS through
the file backend; RQ on a real Redis; a broker that is down, a worker that dies."""
import json
import socket
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.common.roles import Role
from app.common.time import utcnow
from app.notify import outbox, tasks
from app.notify.models import MessageStatus, Notification, OutboxMessage
from app.submissions import codes, messages, workflow
from tests.factories import agency_id, make_staff, make_submission, make_user

REDIS_TEST_URL = "redis://127.0.0.1:6379/1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


@pytest.fixture()
def smtp(app, monkeypatch):
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    yield handler
    controller.stop()


@pytest.fixture()
def sms(app, tmp_path, monkeypatch):
    path = tmp_path / "sms.log"
    monkeypatch.setitem(app.config, "SMS_FILE", str(path))

    def read():
        return [json.loads(line) for line in path.read_text("utf-8").splitlines()] if path.exists() else []
    return read


@pytest.fixture(autouse=True)
def _steps_only(monkeypatch):
    """These tests count the messages of the submitter's steps: the receipt at submission and
    the staff's notices are tested in tests/test_alerts.py."""
    monkeypatch.setattr(messages, "send_receipt", lambda submission: None)
    monkeypatch.setattr(messages, "tell_staff", lambda submission, event: None)


@pytest.fixture()
def staff(db):
    return make_staff(Role.COORDINATOR), make_staff(Role.OFFICER, "BKHCN")


def _sent(db):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == MessageStatus.SENT)).all()


def test_public_step_sends_email_sms_and_inbox(app, db, smtp, sms, staff):
    citizen = make_user(Role.CITIZEN, email="dan@example.vn", phone="0987654321")
    submission, _token = make_submission(user=citizen)
    coordinator, _officer = staff
    with app.test_request_context():
        workflow.assign(submission, coordinator, submission.version, agency_id("BKHCN"))
    assert db.session.scalar(select(OutboxMessage.id)) is not None  # written with the step
    assert outbox.deliver_pending() == 2
    mail = smtp.messages[0]
    assert mail["To"] == "dan@example.vn" and codes.display(submission.code) in mail["Subject"]
    assert "Đã chuyển xử lý" in mail["Subject"]
    assert mail.get_body(("plain",)).get_content().count("Bộ Khoa học và Công nghệ") == 1
    assert mail.get_body(("html",)) is not None
    [text] = sms()
    assert text["to"] == "0987654321" and len(text["text"]) <= 160
    assert submission.code in text["text"] and text["text"].isascii()
    inbox = db.session.scalars(select(Notification).where(Notification.user_id == citizen.id)).all()
    assert len(inbox) == 1 and codes.display(submission.code) in inbox[0].body


def test_internal_steps_tell_nobody(app, db, staff):
    submission, _token = make_submission(contact_email="a@example.vn")
    coordinator, _officer = staff
    workflow.note(submission, coordinator, submission.version, "Chỉ nội bộ")
    workflow.classify(submission, coordinator, submission.version, "concern", None)
    assert db.session.scalar(select(OutboxMessage.id)) is None


def test_english_submitter_gets_english_mail(app, db, smtp, staff):
    submission, _token = make_submission(contact_email="en@example.com", contact_phone=None, locale="en")
    coordinator, _officer = staff
    workflow.reject(submission, coordinator, submission.version, "duplicate")
    outbox.deliver_pending()
    assert "Not eligible for processing" in smtp.messages[0]["Subject"]


def test_duplicate_submitter_follows_the_original(app, db, sms, staff):
    coordinator, _officer = staff
    original, _t = make_submission(contact_phone="0911111111")
    duplicate, _t2 = make_submission(contact_phone="0922222222")
    workflow.merge(duplicate, coordinator, duplicate.version, original.code)
    workflow.assign(original, coordinator, original.version, agency_id("BKHCN"))
    outbox.deliver_pending()
    recipients = [line["to"] for line in sms()]
    assert recipients.count("0922222222") == 2 and recipients.count("0911111111") == 1


def test_smtp_down_delays_and_retries_with_back_off(app, db, staff, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)  # nothing listens there
    submission, _t = make_submission(contact_email="a@example.vn", contact_phone=None)
    coordinator, _officer = staff
    workflow.reject(submission, coordinator, submission.version, "abusive")
    assert outbox.deliver_pending() == 0
    message = db.session.scalar(select(OutboxMessage))
    assert message.status == MessageStatus.PENDING and message.attempts == 1
    assert message.next_attempt_at > utcnow() + timedelta(seconds=50)
    assert outbox.deliver_pending() == 0 and message.attempts == 1  # not due yet


def test_worker_dying_mid_send_neither_loses_nor_doubles(app, db, smtp, staff):
    submission, _t = make_submission(contact_email="a@example.vn", contact_phone=None)
    coordinator, _officer = staff
    workflow.reject(submission, coordinator, submission.version, "abusive")
    message_id = db.session.scalar(select(OutboxMessage.id))
    assert outbox.claim(message_id)  # a worker claims the message, then dies before sending
    assert outbox.deliver_pending() == 0 and smtp.messages == []  # its claim still holds
    db.session.get(OutboxMessage, message_id).next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()  # the lease runs out
    assert outbox.deliver_pending() == 1
    assert outbox.deliver_pending() == 0
    assert len(smtp.messages) == 1 and smtp.messages[0]["Message-ID"] == f"<outbox-{message_id}@gopy.local>"


def test_two_workers_claiming_send_once(app, db, smtp, staff):
    submission, _t = make_submission(contact_email="a@example.vn", contact_phone=None)
    coordinator, _officer = staff
    workflow.reject(submission, coordinator, submission.version, "abusive")
    message_id = db.session.scalar(select(OutboxMessage.id))
    assert outbox.deliver(message_id) is True
    assert outbox.deliver(message_id) is False
    assert len(smtp.messages) == 1


@pytest.fixture()
def redis_queue(app, monkeypatch):
    from redis import Redis

    redis = Redis.from_url(REDIS_TEST_URL)
    try:
        redis.ping()
    except Exception:  # pragma: no cover - the suite expects Redis, say so plainly
        pytest.fail("Redis at 127.0.0.1:6379 is needed for the task queue tests")
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_TEST_URL)
    tasks._queue().empty()
    yield tasks
    tasks._queue().empty()


def test_rq_worker_delivers_once(app, db, smtp, sms, staff, redis_queue):
    submission, _t = make_submission(contact_email="a@example.vn")
    coordinator, _officer = staff
    workflow.reject(submission, coordinator, submission.version, "abusive")
    assert tasks.dispatch_pending() == 2
    assert tasks.dispatch_pending() == 2  # handed over twice: still sent once
    redis_queue.run_worker(burst=True)
    assert len(smtp.messages) == 1 and len(sms()) == 1
    assert len(_sent(db)) == 2


def test_broker_down_then_back_delivers_everything_once(app, db, smtp, staff, redis_queue, monkeypatch):
    submission, _t = make_submission(contact_email="a@example.vn", contact_phone=None)
    coordinator, _officer = staff
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6390/1")  # broker down
    workflow.reject(submission, coordinator, submission.version, "abusive")
    assert tasks.dispatch_pending() == 0
    assert db.session.scalar(select(OutboxMessage.status)) == MessageStatus.PENDING
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_TEST_URL)  # the broker is back
    redis_queue.run_worker(burst=True)  # the worker sweeps the outbox as it starts
    assert len(smtp.messages) == 1 and len(_sent(db)) == 1


def test_overdue_reminder_every_seven_working_days(app, db, sms, staff):
    from datetime import date

    from app.submissions.reminders import send_overdue_reminders

    coordinator, _officer = staff
    submission, _t = make_submission()
    workflow.assign(submission, coordinator, submission.version, agency_id("BKHCN"))
    submission.due_date = date(2026, 8, 20)
    db.session.commit()
    # Saturday 22 August 2026 is worked (in exchange for the 31 August bridge day).
    assert send_overdue_reminders(date(2026, 8, 27)) == 0   # 21, 22, 24–27 Aug: 6 working days
    assert send_overdue_reminders(date(2026, 8, 28)) == 1   # the 7th
    assert send_overdue_reminders(date(2026, 9, 3)) == 0   # not again: 31 Aug–2 Sep off, 3 Sep is 1
    events = [e.action for e in submission.events]
    assert events.count("reminder") == 1
    outbox.deliver_pending()
    assert any("Bo Khoa hoc" in line["text"] or submission.code in line["text"] for line in sms())


def test_forum_reply_and_submission_step_share_one_inbox_in_each_recipients_language(app, client, db, staff, login_as):
    from app.forum import services as forum
    from tests.forum_support import established, make_thread

    english, vietnamese = established(locale="en"), established()
    submission, _token = make_submission(user=english, locale="en")
    thread = make_thread(title="Sóng 4G ở vùng cao")
    for reader in (english, vietnamese):
        forum.toggle_follow(reader, thread=thread)
    db.session.commit()
    reply = forum.reply(established(Role.MODERATOR), thread, "Đã có trạm phát sóng mới")
    with app.test_request_context():
        workflow.assign(submission, staff[0], submission.version, agency_id("BKHCN"))

    bodies = {}  # the thread's author follows it too
    for line in db.session.scalars(select(Notification).order_by(Notification.id)):
        bodies.setdefault(line.user_id, []).append(line.body)
    assert len(bodies[english.id]) == 2
    assert bodies[vietnamese.id] == ["Bài mới trong “Sóng 4G ở vùng cao”"]
    assert bodies[english.id][0] == "New post in “Sóng 4G ở vùng cao”"
    step_line = bodies[english.id][1]
    assert step_line.startswith(f"Submission {codes.display(submission.code)}: ") and "Status: " in step_line

    login_as(english)
    html = client.get("/tai-khoan/thong-bao").get_data(as_text=True)
    assert f'<a href="/dien-dan/bai/{reply.id}">New post in “Sóng 4G ở vùng cao”</a>' in html
    assert bodies[english.id][1] in html and html.index(bodies[english.id][1]) < html.index("New post in")
    assert "Bài mới" not in html and "Góp ý " + submission.code not in html


def _signed_in_with_lines(client, db, count: int, login_as):
    """A signed-in account with `count` lines in its inbox."""
    user = make_user(email="hop-thu@example.vn")
    db.session.add_all(Notification(user_id=user.id, body=f"Dòng thông báo số {number:02d}",
                                    created_at=utcnow() + timedelta(seconds=number)) for number in range(count))
    db.session.commit()
    login_as(user)
    return user


@pytest.mark.parametrize("page", [0, -1, 2**31, 2**63, 10**30])
def test_any_page_of_the_inbox_answers_a_page(client, db, page, login_as):
    _signed_in_with_lines(client, db, 3, login_as)
    assert client.get(f"/tai-khoan/thong-bao?page={page}").status_code == 200


def test_the_inbox_pages_through_newest_first_and_shows_unread_once(client, db, login_as):
    _signed_in_with_lines(client, db, 21, login_as)
    first = client.get("/tai-khoan/thong-bao").get_data(as_text=True)
    assert "<strong>" in first and "Dòng thông báo số 20" in first and "Dòng thông báo số 00" not in first
    second = client.get("/tai-khoan/thong-bao?page=2").get_data(as_text=True)
    assert "Dòng thông báo số 00" in second and 'rel="prev"' in second and 'rel="next"' not in second
    assert "<strong>" not in second  # read now: the first visit marked every line
