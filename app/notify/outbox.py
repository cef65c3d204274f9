"""Delivering the outbox: claim a due message, send it, record the outcome. Each message is
claimed by one UPDATE before it is sent, so two workers never send it twice, and a claim
lapses after a lease, so a worker that died loses nothing."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from app.common.time import utcnow
from app.extensions import db
from app.notify import backends
from app.notify.models import Channel, MessageStatus, OutboxMessage

MAX_ATTEMPTS = 8
# A claimed message not marked sent within this time belongs to a worker that died.
CLAIM_LEASE = timedelta(minutes=5)


def due_ids(limit: int = 100) -> list[int]:
    release_dead_claims()
    return db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.next_attempt_at <= utcnow())
        .order_by(OutboxMessage.id).limit(limit)
    ).all()


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
