"""Enqueue a message with the change that causes it; deliver it after the commit."""
from datetime import timedelta

from flask import after_this_request, current_app, has_request_context
from sqlalchemy import select, update

from app.common.text import sms_text
from app.common.time import utcnow
from app.extensions import db
from app.notify import backends
from app.notify.models import Channel, MessageStatus, OutboxMessage

MAX_ATTEMPTS = 8


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


def _deliver_after_response() -> None:
    """With no broker configured the delivery runs in this process, once the response is out."""
    app = current_app._get_current_object()

    @after_this_request
    def schedule(response):
        def run():
            with app.app_context():
                deliver_pending()
        response.call_on_close(run)
        return response


def deliver_pending(limit: int = 100) -> int:
    """Send what is due; each message is claimed first so two workers never send it twice."""
    now = utcnow()
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id).limit(limit)
    ).all()
    return sum(1 for message_id in ids if deliver(message_id))


def deliver(message_id: int) -> bool:
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == MessageStatus.PENDING)
        .values(status=MessageStatus.SENDING, attempts=OutboxMessage.attempts + 1)
    ).rowcount
    db.session.commit()
    if not claimed:
        return False
    message = db.session.get(OutboxMessage, message_id)
    try:
        if message.channel == Channel.EMAIL:
            backends.send_email(message.recipient, message.subject or "", message.body, message.html)
        else:
            backends.send_sms(message.recipient, message.body)
    except Exception as error:  # any transport fault: retry later with back-off
        current_app.logger.warning("delivery of message %s failed: %s", message_id, error)
        message.last_error = str(error)[:500]
        message.status = MessageStatus.FAILED if message.attempts >= MAX_ATTEMPTS else MessageStatus.PENDING
        message.next_attempt_at = utcnow() + timedelta(minutes=2 ** message.attempts)
        db.session.commit()
        return False
    message.status, message.sent_at = MessageStatus.SENT, utcnow()
    db.session.commit()
    return True
