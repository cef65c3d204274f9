"""What the SMS area keeps: every gateway message id seen (idempotency and the per-number
limit), the parts of a long message waiting for the rest, and a submission waiting for
its sender's DONG Y."""
from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.common.time import utcnow
from app.extensions import db


class SmsInbound(db.Model):
    """One message (or one part of a long one) the gateway posted, by its own id: a second
    post of the same id is a retry and is not processed again."""

    __tablename__ = "sms_inbound"
    __table_args__ = (Index("ix_sms_inbound_phone_received", "phone", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gateway_id: Mapped[str] = mapped_column(String(64), unique=True)
    phone: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class SmsPart(db.Model):
    """A part of a concatenated message, kept until every part of its reference is here."""

    __tablename__ = "sms_part"
    __table_args__ = (UniqueConstraint("phone", "reference", "part", name="uq_sms_part_phone_reference_part"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(32))
    part: Mapped[int]
    total: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class SmsPending(db.Model):
    """A GY message waiting for its sender to agree to the privacy notice (DONG Y): nothing
    is filed before that. One per number; a newer GY replaces it."""

    __tablename__ = "sms_pending"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(16), unique=True)
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
