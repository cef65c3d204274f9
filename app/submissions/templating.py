"""What templates need to speak of a submission: its code, kind, status, steps, deadline and
public title."""
from flask import Flask

from app.submissions import codes, deadlines, publication
from app.submissions.states import kind_label, status_label, step_label


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        tracking_code=codes.display,
        status_label=status_label,
        step_label=step_label,
        kind_label=kind_label,
        due_label=deadlines.due_label,
        public_title=lambda submission: publication.redact(submission, submission.title),
    )
    app.jinja_env.globals.update(is_overdue=deadlines.is_overdue)
