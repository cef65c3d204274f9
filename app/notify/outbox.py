"""Delivering the outbox: claim a due message, send it, record the outcome. Each message is
claimed by one UPDATE before it is sent, so two workers never send it twice, and a claim
lapses after a lease, so a worker that died loses nothing."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import aliased

from app.common.time import utcnow
from app.extensions import db
from app.notify import backends
from app.notify.models import Channel, MessageStatus, OutboxMessage

MAX_ATTEMPTS = 8
# A claimed message not marked sent within this time belongs to a worker that died.
CLAIM_LEASE = timedelta(minutes=5)
# A persistent message (a webhook) is retried for as long as it takes, at least this often.
PERSISTENT_MAX_BACKOFF = timedelta(hours=6)


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
    """Send what is due, here and now."""
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


def attempts(message_id: int) -> int:
    return db.session.get(OutboxMessage, message_id).attempts


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
