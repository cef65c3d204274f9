"""Legal deadlines in Vietnamese working days: weekends and public holidays (Tết and the
government's substituted days off included) come from the `holidays` package."""
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import and_, select

from app.common.time import utcnow
from app.extensions import db
from app.submissions.models import DeadlineRule, Submission
from app.submissions.states import Kind, Status

VN_OFFSET = timedelta(hours=7)  # Asia/Ho_Chi_Minh has no daylight saving
DEFAULT_CLASSIFY_DAYS = 3
DEFAULT_ANSWER_DAYS = {Kind.CONCERN: 10, Kind.POLICY: 20, Kind.INITIATIVE: 20}
DUE_SOON_DAYS = 2


@lru_cache(maxsize=32)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (the start day itself never counts)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; 0 when end is not later."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count


def local_date(moment: datetime) -> date:
    """The Vietnamese calendar date of a naive UTC time."""
    return (moment + VN_OFFSET).date()


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

