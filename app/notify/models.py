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
    # Given up: only by an administrator, or when the channel proved the address cannot be
    # reached (see Failure). A channel that is down keeps its messages pending.
    FAILED = "failed"


class Failure:
    """Why a message was given up (OutboxMessage.failure)."""

    # The mail server refused the recipient for good (an SMTP 5xx on RCPT TO).
    BOUNCED = "bounced"
    # The SMS gateway said the number does not exist.
    INVALID_NUMBER = "invalid"
    # An administrator decided (given_up_by_id says who).
    ADMIN = "admin"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_next", "status", "next_attempt_at"),
                      # Each recipient's messages go out in order: the due query looks for an
                      # earlier one still waiting for the same recipient.
                      Index("ix_outbox_message_channel_recipient", "channel", "recipient", "status"),
                      Index("ix_outbox_message_user_status", "user_id", "status"))

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
    failure: Mapped[str | None] = mapped_column(String(8))
    given_up_at: Mapped[datetime | None]
    given_up_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Extra e-mail headers (RFC 8058's List-Unsubscribe and List-Unsubscribe-Post), added by
    # notify.preferences; the SMTP backend writes them as they are.
    headers: Mapped[dict | None] = mapped_column(JSON)


class PeriodicRun(db.Model):
    """When each periodic job (app/schedule.py) last ran, so the worker that restarts neither
    runs a daily job twice nor forgets one."""

    __tablename__ = "periodic_run"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))


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


class SmsOptOut(db.Model):
    """A number that sent HUY (stop): no SMS goes to it any more, whichever area asks, until
    the person writes to the platform again to submit (see app/sms)."""

    __tablename__ = "sms_opt_out"

    phone: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
