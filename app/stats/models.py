"""The statistics' summary tables: two cubes of counts by month of receipt (one by kind, topic
and province; one by kind, province and agency), the figures computed from them for one set
of filters, and the refresh runs. Every row is rebuilt by refresh.py from the submissions
and their events; nothing here is typed by anyone."""
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.common.time import utcnow
from app.extensions import db

# The additive counts of a cube cell, in this order in the open data.
MEASURES = ("received", "open_now", "overdue_now", "answered_now", "closed_now", "rejected_now", "answered",
            "answered_on_time", "rated", "rated_good", "stars_total", "reconsiderations")


class _Cell:
    """The counts of one cell: submissions received in `month` with these dimensions."""

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM, Vietnam's calendar
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    province_code: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # 0: national
    received: Mapped[int] = mapped_column(default=0)
    open_now: Mapped[int] = mapped_column(default=0)
    overdue_now: Mapped[int] = mapped_column(default=0)
    answered_now: Mapped[int] = mapped_column(default=0)
    closed_now: Mapped[int] = mapped_column(default=0)
    rejected_now: Mapped[int] = mapped_column(default=0)
    answered: Mapped[int] = mapped_column(default=0)
    answered_on_time: Mapped[int] = mapped_column(default=0)
    rated: Mapped[int] = mapped_column(default=0)
    rated_good: Mapped[int] = mapped_column(default=0)
    stars_total: Mapped[int] = mapped_column(default=0)
    reconsiderations: Mapped[int] = mapped_column(default=0)
    # Working days from receipt to the first answer, as "days:count" pairs ("3:5 10:2"):
    # medians and percentiles come out exact, whatever the filters add together.
    answer_days: Mapped[str] = mapped_column(Text, default="")


class StatsArea(_Cell, db.Model):
    """By month, kind, top-level topic and province: the figures of /thong-ke."""

    __tablename__ = "stats_area"

    topic_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # 0: none


class StatsAgency(_Cell, db.Model):
    """By month, kind, province and agency: the scorecard and each agency's page."""

    __tablename__ = "stats_agency"

    agency_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # 0: not routed yet


class StatsRun(db.Model):
    """One refresh: when, over how many submissions, how long it took."""

    __tablename__ = "stats_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    finished_at: Mapped[datetime] = mapped_column(default=utcnow)
    submissions: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[float] = mapped_column(default=0.0)
    first_month: Mapped[str | None] = mapped_column(String(7))
    last_month: Mapped[str | None] = mapped_column(String(7))


class StatsSnapshot(db.Model):
    """The figures of one page for one set of filters, computed once per run: a page view
    reads one row, whatever the number of submissions."""

    __tablename__ = "stats_snapshot"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("stats_run.id", ondelete="CASCADE"), index=True)
    payload: Mapped[str] = mapped_column(Text)
