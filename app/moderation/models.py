"""Moderation tables: flags, moderators' decisions (the log), appeals, suspensions and the word filter."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.time import utcnow
from app.extensions import db


class Flag(db.Model):
    __tablename__ = "moderation_flag"
    __table_args__ = (
        UniqueConstraint("user_id", "target_type", "target_id", name="uq_moderation_flag_user_target"),
        Index("ix_moderation_flag_open", "resolved_at", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    target_type: Mapped[str] = mapped_column(String(8))  # post, thread
    target_id: Mapped[int]
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]


class Decision(db.Model):
    """One moderator's decision. The public log shows its kind, the target's type, the rule and
    the time only. (The table and its columns keep the names they were created with.)"""

    __tablename__ = "moderation_action"
    __table_args__ = (Index("ix_moderation_action_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column("action", String(24))  # hide, lock, suspend ... (services.DECISIONS)
    target_type: Mapped[str] = mapped_column(String(8))  # post, thread, user
    target_id: Mapped[int]
    rule: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(String(300), default="")
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Appeal(db.Model):
    __tablename__ = "moderation_appeal"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column("action_id", ForeignKey("moderation_action.id", ondelete="CASCADE"),
                                             unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(String(1000))
    outcome: Mapped[str | None] = mapped_column(String(16))  # upheld, overturned
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    decision = relationship("Decision", lazy="joined")


class Suspension(db.Model):
    """A suspension (no posting, flagging or voting) or a lighter silence (no posting)."""

    __tablename__ = "moderation_suspension"
    __table_args__ = (Index("ix_moderation_suspension_user_ends", "user_id", "ends_at"),)

    SUSPEND, SILENCE = "suspend", "silence"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(8), default="suspend", server_default="suspend")
    rule: Mapped[str] = mapped_column(String(16), default="")
    reason: Mapped[str] = mapped_column(String(300), default="")  # the moderator's note
    ends_at: Mapped[datetime]
    decision_id: Mapped[int | None] = mapped_column("action_id", ForeignKey("moderation_action.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FilterWord(db.Model):
    """A word or phrase the filter holds posts for; moderators edit the list."""

    __tablename__ = "moderation_filter_word"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WordChange(db.Model):
    """Who added or removed which word of the filter list, and when."""

    __tablename__ = "moderation_word_change"
    __table_args__ = (Index("ix_moderation_word_change_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(64))
    change: Mapped[str] = mapped_column(String(8))  # add, remove
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    moderator = relationship("User", lazy="joined")


class CannedReply(db.Model):
    """A note moderators reuse for a common decision, chosen in the decision form."""

    __tablename__ = "moderation_canned_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrustOverride(db.Model):
    """A trust level a moderator set by hand; it replaces the earned one until removed."""

    __tablename__ = "moderation_trust"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    level: Mapped[int]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
