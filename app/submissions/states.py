"""The words of a submission's life: its kinds, states and steps, and their labels."""
from flask_babel import lazy_gettext as _l


class Kind:
    CONCERN = "concern"  # phản ánh, vướng mắc
    POLICY = "policy"  # kiến nghị chính sách
    INITIATIVE = "initiative"  # sáng kiến, giải pháp
    ALL = (CONCERN, POLICY, INITIATIVE)


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
    # Someone owes the submitter an answer: the deadline counts.
    OPEN = (RECEIVED, ASSIGNED, IN_PROGRESS, REOPENED)
    # An answer exists: the submitter may rate it or ask for reconsideration.
    RATEABLE = (ANSWERED, CLOSED)


class DraftState:
    PENDING = "pending"  # waiting for a lead's approval
    RETURNED = "returned"  # sent back for rework
    PUBLISHED = "published"


class IntakeChannel:
    """How a submission reached the platform: the citizen's web form, a text message, the
    commune's one-stop counter or the hotline (both filed by staff for the resident)."""

    WEB = "web"
    SMS = "sms"
    COUNTER = "counter"
    PHONE = "phone"
    ALL = (WEB, SMS, COUNTER, PHONE)
    ASSISTED = (COUNTER, PHONE)


class ConsentMethod:
    """How the consent was given: ticked on the web form, agreed by SMS, or said in person
    (or on the phone) to the staff member who recorded it."""

    WEB = "web"
    SMS = "sms"
    IN_PERSON = "in_person"


CHANNEL_LABELS = {
    IntakeChannel.WEB: _l("Web form"),
    IntakeChannel.SMS: _l("By SMS"),
    IntakeChannel.COUNTER: _l("At the one-stop counter"),
    IntakeChannel.PHONE: _l("By telephone"),
}

KIND_CHOICES = [
    (Kind.CONCERN, _l("A concern or obstacle")),
    (Kind.POLICY, _l("A policy or regulation proposal")),
    (Kind.INITIATIVE, _l("An initiative or solution")),
]

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

# What each step of the workflow reads as in a timeline.
STEP_LABELS = {
    "submit": _l("Submission received"),
    "classify": _l("Classified"),
    "assign": _l("Sent to the agency responsible"),
    "transfer": _l("Transferred to another agency"),
    "take": _l("The agency started processing"),
    "assign_officer": _l("Given to an officer"),
    "take_back": _l("Taken back from the officer"),
    "request_info": _l("More information was requested"),
    "provide_info": _l("The submitter sent more information"),
    "draft": _l("Answer drafted"),
    "send_back": _l("Answer sent back for rework"),
    "answer": _l("Answered"),
    "close": _l("Closed"),
    "reject": _l("Found not eligible for processing"),
    "reopen": _l("Reconsideration requested"),
    "merge": _l("Merged into another submission"),
    "note": _l("Internal note"),
    "reminder": _l("Still being handled"),
}

REJECT_REASONS = {
    "out_of_scope": _l("Out of scope"),
    "duplicate": _l("Duplicate"),
    "not_enough_information": _l("Not enough information"),
    "abusive": _l("Abusive content"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def step_label(step: str) -> str:
    return str(STEP_LABELS.get(step, step))


def kind_label(kind: str) -> str:
    return str(dict(KIND_CHOICES).get(kind, kind))
