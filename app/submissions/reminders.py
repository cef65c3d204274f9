"""Overdue reminders: every 7 working days past the due date, the submitter hears that the
submission is still being handled and by whom, so silence never reads as neglect. The same
daily run tells the staff handling a case when it is due in 2 working days, and on the first
working day it is overdue."""
from datetime import date, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.submissions import deadlines, messages, workflow
from app.submissions.models import Submission, SubmissionEvent
from app.submissions.states import Status

EVERY_WORKING_DAYS = 7


def send_overdue_reminders(today: date | None = None) -> int:
    """Run daily (by the worker, app/schedule.py, or `flask desk reminders`); returns how many reminders were sent."""
    today = today or deadlines.today()
    overdue = db.session.scalars(select(Submission).where(
        Submission.status.in_(Status.OPEN), Submission.due_date < today, Submission.merged_into_id.is_(None))).all()
    last = _last_reminders([s.id for s in overdue])
    sent = 0
    for submission in overdue:
        since = last.get(submission.id) or submission.due_date
        if deadlines.working_days_between(since, today) >= EVERY_WORKING_DAYS:
            workflow.remind(submission)
            sent += 1
    warn_staff_of_deadlines(today)
    return sent


def warn_staff_of_deadlines(today: date | None = None) -> int:
    """Once per case and threshold: due in exactly 2 working days, or overdue since the last
    working day (so a daily run tells each once). Returns how many cases were told of."""
    today = today or deadlines.today()
    running = tuple(status for status in Status.OPEN if status != Status.AWAITING_INFO)  # a paused clock owes nothing
    base = select(Submission).where(Submission.status.in_(running), Submission.merged_into_id.is_(None))
    due_soon = db.session.scalars(base.where(Submission.due_date == deadlines.add_working_days(today, 2))).all()
    overdue = [submission for submission in db.session.scalars(base.where(
        Submission.due_date < today, Submission.due_date >= today - timedelta(days=15)))  # Tết is the longest break
               if deadlines.working_days_between(submission.due_date, today) == 1]
    for submission in due_soon:
        messages.tell_of_deadline(submission, "due_soon")
    for submission in overdue:
        messages.tell_of_deadline(submission, "overdue")
    db.session.commit()
    return len(due_soon) + len(overdue)


def _last_reminders(ids: list[int]) -> dict[int, date]:
    if not ids:
        return {}
    rows = db.session.execute(select(SubmissionEvent.submission_id, func.max(SubmissionEvent.created_at))
                              .where(SubmissionEvent.action == "reminder", SubmissionEvent.submission_id.in_(ids))
                              .group_by(SubmissionEvent.submission_id)).all()
    return {submission_id: deadlines.local_date(moment) for submission_id, moment in rows}
