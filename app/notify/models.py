"""The outbox: a message is a row before it is anything else, so none is lost."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.common.time import utcnow
from app.extensions import db


class Channel:
    EMAIL = "email"
    SMS = "sms"
    # A machine's address; the area that registered the webhook delivers it (see
    # services.register_sender): notify keeps, orders and retries it without knowing it.
    WEBHOOK = "webhook"
    # Kept and retried until an administrator gives up, never dropped after MAX_ATTEMPTS,
    # and delivered in order per recipient and submission.
    PERSISTENT = (WEBHOOK,)


class MessageStatus:
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    # An e-mail address, a phone number, or a webhook endpoint ("webhook:12").
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(8), default=MessageStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    # Extra e-mail headers (RFC 8058's List-Unsubscribe and List-Unsubscribe-Post), added by
    # notify.preferences; the SMTP backend writes them as they are.
    headers: Mapped[dict | None] = mapped_column(JSON)


class Notification(db.Model):
    """An account holder's one in-app inbox: steps of their submissions, forum replies in what they
    follow, moderators' decisions; the body is written in the recipient's language when it is sent."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(String(500))
    # A local path to open (a forum post, an appeal page); notify stores it without knowing the area.
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
