"""The one state machine of a submission: states, their labels, and the event each step writes."""
from flask_babel import lazy_gettext as _l


class Status:
    RECEIVED = "received"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    AWAITING_INFO = "awaiting_info"
    ANSWERED = "answered"
    CLOSED = "closed"
    REJECTED = "rejected"
    REOPENED = "reopened"
    ALL = (RECEIVED, ASSIGNED, IN_PROGRESS, AWAITING_INFO, ANSWERED, CLOSED, REJECTED, REOPENED)


STATUS_LABELS = {
    Status.RECEIVED: _l("Received"),
    Status.ASSIGNED: _l("Assigned for processing"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.AWAITING_INFO: _l("Awaiting more information"),
    Status.ANSWERED: _l("Answered"),
    Status.CLOSED: _l("Closed"),
    Status.REJECTED: _l("Not eligible for processing"),
    Status.REOPENED: _l("Reconsideration requested"),
}

ACTION_LABELS = {
    "submit": _l("Submission received"),
    "assign": _l("Sent to the agency responsible"),
    "start": _l("The agency started processing"),
    "request_info": _l("More information was requested"),
    "answer": _l("Answered"),
    "close": _l("Closed"),
    "reject": _l("Found not eligible for processing"),
    "reopen": _l("Reconsideration requested"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def record_event(submission, action: str, to_status: str | None = None, actor=None,
                 public_note: str | None = None, internal_note: str | None = None,
                 is_public: bool = True):
    """Write the event for a step; the caller commits it with the change it describes."""
    from app.feedback.models import SubmissionEvent

    event = SubmissionEvent(
        action=action,
        from_status=submission.status if submission.id else None,
        to_status=to_status,
        actor_id=getattr(actor, "id", None),
        agency_id=submission.agency_id,
        public_note=public_note,
        internal_note=internal_note,
        is_public=is_public,
    )
    submission.events.append(event)
    if to_status:
        submission.status = to_status
    return event
