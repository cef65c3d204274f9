"""Overdue reminders: every 7 working days past the due date, the submitter hears that the
submission is still being handled and by whom, so silence never reads as neglect."""
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.submissions import deadlines, workflow
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
    return sent


def _last_reminders(ids: list[int]) -> dict[int, date]:
    if not ids:
        return {}
    rows = db.session.execute(select(SubmissionEvent.submission_id, func.max(SubmissionEvent.created_at))
                              .where(SubmissionEvent.action == "reminder", SubmissionEvent.submission_id.in_(ids))
                              .group_by(SubmissionEvent.submission_id)).all()
    return {submission_id: deadlines.local_date(moment) for submission_id, moment in rows}
