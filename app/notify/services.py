"""Enqueue a message with the change that causes it; deliver it after the commit, through
RQ when a Redis broker is configured, in this process otherwise."""
from datetime import timedelta

from flask import after_this_request, current_app, g, has_request_context, url_for
from flask_babel import force_locale
from sqlalchemy import func, select, update

from app.common import paging
from app.common.paging import Page
from app.common.text import sms_text
from app.common.time import utcnow
from app.extensions import db
from app.notify import backends
from app.notify.models import Channel, MessageStatus, Notification, OutboxMessage

MAX_ATTEMPTS = 8
# A claimed message not marked sent within this time belongs to a worker that died.
CLAIM_LEASE = timedelta(minutes=5)


def enqueue(channel: str, recipient: str, body: str, subject: str | None = None, html: str | None = None,
            user_id: int | None = None, submission_id: int | None = None) -> OutboxMessage:
    """Add a message to the session; the caller's commit stores it with the change itself."""
    if channel == Channel.SMS:
        body = sms_text(body)[:160]
    message = OutboxMessage(channel=channel, recipient=recipient, subject=subject, body=body, html=html,
                            user_id=user_id, submission_id=submission_id)
    db.session.add(message)
    if has_request_context():
        _deliver_after_response()
    return message


def notify_users(recipients, body, link: str | None = None, submission_id: int | None = None) -> None:
    """Put a line in each recipient's inbox, written in their own language: pass `body` as a
    lazy_gettext string, rendered here once per recipient; `link` is a local path to open.
    A recipient is anything with an `id` and a `locale` (an account). Added to the session:
    the caller's commit stores it with the change that caused it."""
    if link is not None and (not link.startswith("/") or link.startswith("//")):
        raise ValueError("an inbox link is a local path")
    seen = set()
    for recipient in sorted(recipients, key=lambda r: r.id):
        if recipient.id in seen:
            continue
        seen.add(recipient.id)
        with force_locale(recipient.locale or "vi"):
            text = str(body)
        db.session.add(Notification(user_id=recipient.id, submission_id=submission_id, body=text[:500], link=link))


def unread_count(user) -> int:
    """How many lines of the inbox this person has not seen yet (0 for a guest)."""
    if not user or not user.is_authenticated:
        return 0
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)))


def inbox_page(user, page: int, per_page: int = 20) -> Page:
    query = select(Notification).where(Notification.user_id == user.id).order_by(
        Notification.created_at.desc(), Notification.id.desc())
    return paging.fetch(query, page, per_page)


def mark_inbox_read(user) -> None:
    db.session.execute(update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
                       .values(read_at=utcnow()))
    db.session.commit()


def public_url(endpoint: str, **values) -> str:
    """An absolute link for a message, built the same way inside or outside a request."""
    base = current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000"
    scheme, _sep, host = base.partition("://")
    return current_app.url_map.bind(host, url_scheme=scheme).build(endpoint, values, force_external=True)


def local_url(endpoint: str, **values) -> str:
    """A path inside the site for an inbox link, built the same way inside or outside a request."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _deliver_after_response() -> None:
    """Once the response is out (and the step committed), hand the messages to the broker,
    or with none configured send them in this process."""
    app = current_app._get_current_object()
    if g.get("delivery_scheduled"):
        return
    g.delivery_scheduled = True

    @after_this_request
    def schedule(response):
        def run():
            with app.app_context():
                dispatch_pending()
        response.call_on_close(run)
        return response


def dispatch_pending() -> int:
    """Send what is due now: through RQ when REDIS_URL is set, else here and now."""
    from app.notify import tasks

    if current_app.config.get("REDIS_URL"):
        return tasks.enqueue_pending()
    return deliver_pending()


def due_ids(limit: int = 100) -> list[int]:
    release_dead_claims()
    return db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.next_attempt_at <= utcnow())
        .order_by(OutboxMessage.id).limit(limit)
    ).all()


def deliver_pending(limit: int = 100) -> int:
    """Send what is due; each message is claimed first so two workers never send it twice."""
    return sum(1 for message_id in due_ids(limit) if deliver(message_id))


def release_dead_claims() -> int:
    """A worker that died mid-send left its claim: after the lease, the message is due again."""
    released = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.SENDING, OutboxMessage.next_attempt_at < utcnow())
        .values(status=MessageStatus.PENDING)
    ).rowcount
    db.session.commit()
    return released


def claim(message_id: int) -> bool:
    """Take a message for sending; only one worker's UPDATE can match the pending row."""
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == MessageStatus.PENDING)
        .values(status=MessageStatus.SENDING, attempts=OutboxMessage.attempts + 1,
                next_attempt_at=utcnow() + CLAIM_LEASE)
    ).rowcount
    db.session.commit()
    return bool(claimed)


def deliver(message_id: int) -> bool:
    if not claim(message_id):
        return False
    message = db.session.get(OutboxMessage, message_id)
    try:
        if message.channel == Channel.EMAIL:
            backends.send_email(message.recipient, message.subject or "", message.body, message.html,
                                message_id=f"<outbox-{message.id}@gopy.local>")
        else:
            backends.send_sms(message.recipient, message.body)
    except Exception as error:  # any transport fault: retry later with back-off
        current_app.logger.warning("delivery of message %s failed: %s", message_id, type(error).__name__)
        message.last_error = str(error)[:500]
        message.status = MessageStatus.FAILED if message.attempts >= MAX_ATTEMPTS else MessageStatus.PENDING
        message.next_attempt_at = utcnow() + timedelta(minutes=2 ** message.attempts)
        db.session.commit()
        return False
    message.status, message.sent_at = MessageStatus.SENT, utcnow()
    db.session.commit()
    return True
