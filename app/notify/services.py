"""Enqueue a message with the change that causes it; deliver it after the commit, through
RQ when a Redis broker is configured, in this process otherwise."""
from datetime import timedelta

from flask import Flask, after_this_request, current_app, g, has_request_context, url_for
from flask_babel import force_locale
from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import aliased

from app.common.text import sms_text
from app.common.time import utcnow
from app.extensions import db
from app.notify import backends
from app.notify.models import Channel, MessageStatus, Notification, OutboxMessage

MAX_ATTEMPTS = 8
# A claimed message not marked sent within this time belongs to a worker that died.
CLAIM_LEASE = timedelta(minutes=5)
# A persistent message (a webhook) is retried for as long as it takes, at least this often.
PERSISTENT_MAX_BACKOFF = timedelta(hours=6)


def register_sender(app: Flask, channel: str, send) -> None:
    """Let another area deliver a channel notify does not know (the API's webhooks):
    `send(message)` gets the OutboxMessage and raises on any failure."""
    app.extensions.setdefault("notify_senders", {})[channel] = send


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


def inbox_page(user, page: int, per_page: int = 20):
    query = select(Notification).where(Notification.user_id == user.id).order_by(
        Notification.created_at.desc(), Notification.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


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


def deliver_soon() -> None:
    """Messages were put back in line (a resend, an endpoint on again): send them once the
    answer is out, as a step's own messages are."""
    if has_request_context():
        _deliver_after_response()


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
        .where(OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.next_attempt_at <= utcnow(),
               _not_behind_an_earlier_one())
        .order_by(OutboxMessage.id).limit(limit)
    ).all()


def _not_behind_an_earlier_one():
    """A persistent message waits while an earlier one to the same recipient about the same
    submission is still undelivered: a receiver gets a submission's events in order."""
    earlier = aliased(OutboxMessage)
    waiting = exists().where(earlier.channel == OutboxMessage.channel, earlier.recipient == OutboxMessage.recipient,
                             earlier.submission_id == OutboxMessage.submission_id, earlier.id < OutboxMessage.id,
                             earlier.status.in_((MessageStatus.PENDING, MessageStatus.SENDING)))
    return or_(OutboxMessage.channel.not_in(Channel.PERSISTENT), ~waiting)


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
        _send(message)
    except Exception as error:  # any transport fault: retry later with back-off
        current_app.logger.warning("delivery of message %s failed: %s", message_id, type(error).__name__)
        message.last_error = str(error)[:500]
        message.status = MessageStatus.PENDING if _keeps_trying(message) else MessageStatus.FAILED
        message.next_attempt_at = utcnow() + _backoff(message)
        db.session.commit()
        return False
    message.status, message.sent_at, message.last_error = MessageStatus.SENT, utcnow(), None
    db.session.commit()
    return True


def _send(message: OutboxMessage) -> None:
    if message.channel == Channel.EMAIL:
        backends.send_email(message.recipient, message.subject or "", message.body, message.html,
                            message_id=f"<outbox-{message.id}@gopy.local>")
    elif message.channel == Channel.SMS:
        backends.send_sms(message.recipient, message.body)
    else:
        current_app.extensions["notify_senders"][message.channel](message)


def _keeps_trying(message: OutboxMessage) -> bool:
    return message.channel in Channel.PERSISTENT or message.attempts < MAX_ATTEMPTS


def _backoff(message: OutboxMessage) -> timedelta:
    delay = timedelta(minutes=2 ** min(message.attempts, 12))
    return min(delay, PERSISTENT_MAX_BACKOFF) if message.channel in Channel.PERSISTENT else delay


def messages_to(recipient: str, limit: int = 100) -> list[OutboxMessage]:
    """The latest messages to one recipient, newest first (a webhook's delivery log)."""
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == recipient)
                                   .order_by(OutboxMessage.id.desc()).limit(limit)))


def send_again(message_id: int, recipient: str) -> bool:
    """Put a message (sent, failed or waiting) back in line to go now, keeping its identity so
    the receiver can tell a repeat; only for the recipient named, never one mid-send."""
    return bool(_change(recipient, status=MessageStatus.PENDING, next_attempt_at=utcnow(), only_id=message_id))


def retry_now(recipient: str) -> int:
    """Every message still waiting for this recipient is due now (after an outage ended)."""
    return _change(recipient, next_attempt_at=utcnow())


def give_up(recipient: str) -> int:
    """An administrator gives up on a recipient: what still waits for it is marked failed."""
    return _change(recipient, status=MessageStatus.FAILED, last_error="given up by an administrator")


def _change(recipient: str, only_id: int | None = None, **values) -> int:
    """Update this recipient's waiting messages (or the one named, whatever its state but
    mid-send), commit, and say how many changed."""
    query = update(OutboxMessage).where(OutboxMessage.recipient == recipient)
    if only_id is None:
        query = query.where(OutboxMessage.status == MessageStatus.PENDING)
    else:
        query = query.where(OutboxMessage.id == only_id, OutboxMessage.status != MessageStatus.SENDING)
    changed = db.session.execute(query.values(**values)).rowcount
    db.session.commit()
    return changed
