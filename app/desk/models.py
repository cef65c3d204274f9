"""What the desk keeps beside a submission: deadline rules, answer drafts, ratings."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.time import utcnow
from app.extensions import db


class DeadlineRule(db.Model):
    """Working days allowed per kind of submission; administrators edit these rows."""

    __tablename__ = "deadline_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), unique=True)
    classify_days: Mapped[int] = mapped_column(default=3)
    answer_days: Mapped[int] = mapped_column(default=10)


class DraftState:
    PENDING = "pending"  # waiting for a lead's approval
    RETURNED = "returned"  # sent back for rework
    PUBLISHED = "published"


class AnswerDraft(db.Model):
    """The one answer being prepared for a submission, until a lead publishes it."""

    __tablename__ = "answer_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), unique=True)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(12), default=DraftState.PENDING)
    lead_comment: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    author = relationship("User")


class Rating(db.Model):
    """The submitter's rating of the answer: one per submission, 1 to 5 stars."""

    __tablename__ = "rating"
    __table_args__ = (
        UniqueConstraint("submission_id", name="uq_rating_submission_id"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    stars: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
