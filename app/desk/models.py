"""The desk's own records: each agency's answer templates."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.common.time import utcnow
from app.extensions import db


class ResponseTemplate(db.Model):
    """A standard answer an agency's leads keep; its placeholders ({xung_ho}, {ma_so},
    {can_cu}...) are filled from the submission when an officer drafts with it."""

    __tablename__ = "response_template"
    __table_args__ = (UniqueConstraint("agency_id", "title", name="uq_response_template_agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
