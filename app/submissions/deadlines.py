"""Legal deadlines in Vietnamese working days: weekends and public holidays (Tết and the
government's substituted days off included) come from the `holidays` package."""
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from flask_babel import gettext as _
from sqlalchemy import Date, and_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from app.common.time import utcnow
from app.extensions import db
from app.submissions.models import DeadlineRule, Submission
from app.submissions.states import Kind, Status

VN_OFFSET = timedelta(hours=7)  # Asia/Ho_Chi_Minh has no daylight saving
DEFAULT_CLASSIFY_DAYS = 3
DEFAULT_ANSWER_DAYS = {Kind.CONCERN: 10, Kind.POLICY: 20, Kind.INITIATIVE: 20}
DUE_SOON_DAYS = 2


@lru_cache(maxsize=1)
def _calendar() -> holidays.HolidayBase:
    # Loaded ahead for the years deadlines fall in; any other year loads when first asked.
    return holidays.country_holidays("VN", years=range(2020, 2036))


def _covering(*years: int) -> holidays.HolidayBase:
    """The calendar with every year in `years` loaded: the substituted working Saturdays of a
    year (weekend_workdays) are only known once the year itself is."""
    calendar = _calendar()
    for year in range(min(years), max(years) + 1):
        if year not in calendar.years:
            _ = date(year, 1, 1) in calendar  # the package's own way to load a year
    return calendar


def is_working_day(day: date) -> bool:
    """Monday to Friday that is no holiday (nor a day off moved to bridge one), and the
    Saturdays the government made working days in exchange."""
    return _covering(day.year).is_working_day(day)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (the start day itself never counts)."""
    if days <= 0:
        return start
    calendar = _covering(start.year, start.year + 1 + days // 200)
    return calendar.get_nth_working_day(start, days)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; 0 when end is not later."""
    if end <= start:
        return 0
    return _covering(start.year, end.year).get_working_days_count(start + timedelta(days=1), end)


def local_date(moment: datetime) -> date:
    """The Vietnamese calendar date of a naive UTC time."""
    return (moment + VN_OFFSET).date()


class local_day(FunctionElement):  # noqa: N801  (used like SQL's own date())
    """SQL: the Vietnamese calendar date of a naive UTC timestamp column."""

    type = Date()
    inherit_cache = True


@compiles(local_day)
def _local_day_default(element, compiler, **kw):
    return f"CAST(({compiler.process(element.clauses, **kw)} + INTERVAL '7 hours') AS DATE)"


@compiles(local_day, "sqlite")
def _local_day_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, '+7 hours')"


def today() -> date:
    return local_date(utcnow())


def _rule(kind: str):
    return db.session.scalar(select(DeadlineRule).where(DeadlineRule.kind == kind))


def classify_days(kind: str) -> int:
    rule = _rule(kind)
    return rule.classify_days if rule else DEFAULT_CLASSIFY_DAYS


def answer_days(kind: str) -> int:
    rule = _rule(kind)
    return rule.answer_days if rule else DEFAULT_ANSWER_DAYS.get(kind, 10)


def set_rule(kind: str, classify_days: int, answer_days: int) -> DeadlineRule:
    """Administrators change the working days allowed for a kind of submission; the new
    rule applies to deadlines set from now on."""
    if kind not in Kind.ALL:
        raise ValueError(f"unknown kind {kind!r}")
    rule = _rule(kind) or DeadlineRule(kind=kind)
    rule.classify_days, rule.answer_days = classify_days, answer_days
    db.session.add(rule)
    db.session.commit()
    return rule


def classify_due(kind: str, received: datetime) -> date:
    return add_working_days(local_date(received), classify_days(kind))


def answer_due(kind: str, assigned_on: date) -> date:
    return add_working_days(assigned_on, answer_days(kind))


def resumed_due(due: date | None, paused_on: date | None, resumed_on: date) -> date | None:
    """The clock stood still while the submitter was asked for information: push the
    due date by the working days the pause lasted."""
    if due is None or paused_on is None:
        return due
    return add_working_days(due, working_days_between(paused_on, resumed_on))


def due_label(submission) -> str:
    """What the due date is for: before routing it is the 3 working days to classify it, after
    it the agency's answer deadline."""
    if submission.status == Status.RECEIVED and submission.agency_id is None:
        return _("Classification due by")
    return _("Answer due by")


def is_overdue(submission, on: date | None = None) -> bool:
    """Someone owes the submitter an answer and its due date has passed (Vietnam's date)."""
    due = submission.due_date
    return submission.status in Status.OPEN and due is not None and due < (on or today())


def overdue_clause(on: date | None = None):
    """is_overdue as SQL, for queues and counts."""
    return and_(Submission.status.in_(Status.OPEN), Submission.due_date < (on or today()))


def due_soon_clause(on: date | None = None):
    """Open and due within DUE_SOON_DAYS working days."""
    on = on or today()
    return and_(Submission.status.in_(Status.OPEN), Submission.due_date >= on,
                Submission.due_date <= add_working_days(on, DUE_SOON_DAYS))

