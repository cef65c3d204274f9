"""The privacy area's tables: who on the staff read whose personal data, and each person's
"my data" export while it is built and offered for download."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.time import utcnow
from app.extensions import db


class ReadLogEntry(db.Model):
    """A member of staff was shown a submitter's personal data: who, when, which submission,
    on which page (the route's pattern, never its URL)."""

    __tablename__ = "personal_data_read"
    __table_args__ = (Index("ix_personal_data_read_created", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    # The submitter's account at the time, so the person finds the entry in their export.
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    route: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    staff = relationship("User", foreign_keys=[staff_id], lazy="joined")
    submission = relationship("Submission", lazy="joined")


class ExportStatus:
    PENDING = "pending"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"
    WAITING = (PENDING, RUNNING)


class DataExport(db.Model):
    """One "my data" ZIP: built in the background, kept in attachment storage, offered to its
    owner only, until it expires."""

    __tablename__ = "data_export"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(8), default=ExportStatus.PENDING)
    storage_key: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]

    user = relationship("User")
