"""The one state machine of a submission: states, transitions, who may make each, and the
event each writes. Every step checks all of that first, so a refused step changes nothing."""
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.agencies.models import Agency
from app.common.errors import Conflict, PermissionDenied, ValidationError
from app.common.permissions import COORDINATOR, LEAD, OFFICER, handling_roles
from app.common.text import clean_block
from app.common.time import utcnow
from app.extensions import db
from app.submissions import codes, deadlines, lookups, messages, publication
from app.submissions.models import AnswerDraft, Submission, SubmissionEvent, Topic
from app.submissions.states import REJECT_REASONS, DraftState, Kind, Status, status_label

REOPEN_WINDOW = timedelta(days=30)
# Inside `batch()`, steps flush instead of committing: several steps stand or fall together.
_IN_BATCH: ContextVar[bool] = ContextVar("in_batch", default=False)

# Who may take a step, seen from one submission: COORDINATOR, OFFICER and LEAD are the parts
# staff play (common.permissions.handling_roles: coordinators route everything; "officer" is
# any staff member of the agency handling it; "lead" only its leads); and these two.
SUBMITTER = "submitter"
SYSTEM = "system"  # the scheduled jobs, e.g. the overdue reminder


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str | None  # None: the status stays as it is
    actors: tuple[str, ...]
    public: bool


_ACTIVE = (Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_INFO, Status.REOPENED)
TRANSITIONS = {
    "classify": Transition((Status.RECEIVED,), None, (COORDINATOR,), False),
    "reject": Transition((Status.RECEIVED,), Status.REJECTED, (COORDINATOR,), True),
    "assign": Transition((Status.RECEIVED,), Status.ASSIGNED, (COORDINATOR,), True),
    "transfer": Transition((Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED), Status.ASSIGNED,
                           (COORDINATOR, LEAD), True),
    "take": Transition((Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED), Status.IN_PROGRESS, (OFFICER,), True),
    # A lead gives the case to a named officer of the agency, or takes it back from them.
    "assign_officer": Transition((Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED), None, (LEAD,), False),
    "take_back": Transition((Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_INFO, Status.REOPENED), None,
                            (LEAD,), False),
    "request_info": Transition((Status.IN_PROGRESS,), Status.AWAITING_INFO, (OFFICER,), True),
    "provide_info": Transition((Status.AWAITING_INFO,), Status.IN_PROGRESS, (SUBMITTER,), True),
    "draft": Transition((Status.IN_PROGRESS,), None, (OFFICER,), False),
    "send_back": Transition((Status.IN_PROGRESS,), None, (LEAD,), False),
    "answer": Transition((Status.IN_PROGRESS,), Status.ANSWERED, (LEAD,), True),
    "close": Transition((Status.ANSWERED,), Status.CLOSED, (OFFICER, COORDINATOR), True),
    "reopen": Transition((Status.ANSWERED, Status.CLOSED), Status.REOPENED, (SUBMITTER,), True),
    "merge": Transition(_ACTIVE, Status.CLOSED, (COORDINATOR,), True),
    "note": Transition(Status.ALL, None, (OFFICER, COORDINATOR), False),
    "reminder": Transition(Status.OPEN, None, (SYSTEM,), True),
}
DESK_STEPS = tuple(name for name, t in TRANSITIONS.items() if not {SUBMITTER, SYSTEM} & set(t.actors))


def record_event(submission, step: str, to_status: str | None = None, actor=None,
                 public_note: str | None = None, internal_note: str | None = None,
                 is_public: bool = True):
    """Write the event for a step; the caller commits it with the change it describes."""
    event = SubmissionEvent(
        action=step,
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


def actor_roles(user, submission) -> set[str]:
    """The parts this user plays for this submission (never the submitter's: that needs
    the private link or the owning account, checked by the tracking routes)."""
    return handling_roles(user, submission)


def allowed_steps(user, submission) -> list[str]:
    """The desk steps this user may take on this submission right now."""
    roles = actor_roles(user, submission)
    return [name for name in DESK_STEPS
            if submission.status in TRANSITIONS[name].sources and roles & set(TRANSITIONS[name].actors)
            and _precondition_met(name, submission)]


def _precondition_met(name: str, submission) -> bool:
    if name == "take_back":
        return submission.assignee_id is not None
    if name in ("answer", "send_back"):
        draft = current_draft(submission)
        return draft is not None and draft.state == "pending"
    return True


def current_draft(submission):
    return db.session.scalar(select(AnswerDraft).where(AnswerDraft.submission_id == submission.id))


def _check(name: str, submission, user, version: int | None, as_submitter: bool = False,
           as_system: bool = False) -> Transition:
    transition = TRANSITIONS[name]
    roles = {SUBMITTER} if as_submitter else {SYSTEM} if as_system else actor_roles(user, submission)
    if not roles & set(transition.actors):
        raise PermissionDenied(_("You may not take this step on this submission."))
    if version is not None and version != submission.version:
        raise Conflict(STALE_MESSAGE())
    if submission.status not in transition.sources:
        raise Conflict(_("This step is not possible while the submission is “%(status)s”.",
                         status=status_label(submission.status)))
    if not _precondition_met(name, submission):
        if name == "take_back":
            raise Conflict(_("Nobody is handling this submission."))
        raise Conflict(_("There is no answer waiting for approval."))
    return transition


def STALE_MESSAGE() -> str:  # noqa: N802  (a message, read at request time)
    return _("Someone else changed this submission while you were working on it. "
             "Nothing was saved: check the latest state below, then try again.")


def _step(name: str, submission, user, public_note=None, internal_note=None, notify: bool = True,
          public: bool | None = None, assignee=None):
    """Record the event of a checked transition, tell the submitter, and commit it all at once."""
    transition = TRANSITIONS[name]
    public = transition.public if public is None else public
    submission.updated_at = _now()  # bumps the version even when the status stays
    try:
        event = record_event(submission, name, transition.target, actor=user if getattr(user, "id", None) else None,
                             public_note=public_note, internal_note=internal_note, is_public=public)
        if assignee is not None:
            event.assignee_id, event.assignee = assignee.id, assignee
        if name == "answer":  # the public may now search the answer's words too
            publication.refresh_search(submission)
        if public and notify:
            messages.tell_submitter(submission, event)
        messages.announce(submission, event)
        if _IN_BATCH.get():
            db.session.flush()
        else:
            db.session.commit()
    except StaleDataError:
        # Another request committed between our read and our write (caught at a flush or
        # at the commit): nothing of ours is kept.
        db.session.rollback()
        raise Conflict(STALE_MESSAGE()) from None
    return event


@contextmanager
def batch():
    """Take several steps all-or-nothing: each checked and recorded (one event each) as
    alone, committed together at the end; any refusal rolls every one of them back."""
    token = _IN_BATCH.set(True)
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        _IN_BATCH.reset(token)


def _now():
    return utcnow()


def _optional(value: str | None) -> str | None:
    return clean_block(value or "") or None


def _required(field: str, value: str | None) -> str:
    text = clean_block(value or "")
    if not text:
        raise ValidationError(field, _("Write a few words here."))
    return text


def classify(submission, user, version, kind: str, topic_id: int | None, note: str | None = None):
    """Set the kind and topic of a new submission and accept it for routing."""

    _check("classify", submission, user, version)
    if kind not in Kind.ALL:
        raise ValidationError("kind", _("Choose one of the options."))
    if topic_id is not None and db.session.get(Topic, topic_id) is None:
        raise ValidationError("topic_id", _("Choose one of the options."))
    submission.kind, submission.topic_id = kind, topic_id
    submission.due_date = deadlines.classify_due(kind, submission.received_at)
    return _step("classify", submission, user, internal_note=_optional(note))


def reject(submission, user, version, reason: str, note: str | None = None):
    """Refuse a new submission for one of the listed reasons, told to the submitter."""

    _check("reject", submission, user, version)
    if reason not in REJECT_REASONS:
        raise ValidationError("reason", _("Choose one of the options."))
    submission.due_date, submission.closed_at = None, _now()
    return _step("reject", submission, user, public_note=str(REJECT_REASONS[reason]), internal_note=_optional(note))


def assign(submission, user, version, agency_id: int, note: str | None = None):
    """Route a new submission to the agency that must answer it; its clock starts today."""
    _check("assign", submission, user, version)
    _route_to(submission, agency_id)
    return _step("assign", submission, user, internal_note=_optional(note))


def transfer(submission, user, version, agency_id: int, reason: str | None):
    """Move a submission to another agency, with the reason told to the submitter."""

    _check("transfer", submission, user, version)
    reason = _required("reason", reason)
    if agency_id == submission.agency_id:
        raise ValidationError("agency_id", _("Choose another agency."))
    _route_to(submission, agency_id)
    return _step("transfer", submission, user, public_note=reason)


def _route_to(submission, agency_id: int) -> None:

    agency = db.session.get(Agency, agency_id) if agency_id else None
    if agency is None or not agency.active:
        raise ValidationError("agency_id", _("Choose an agency."))
    submission.agency_id, submission.agency, submission.assignee_id = agency.id, agency, None
    submission.due_date = deadlines.answer_due(submission.kind, deadlines.today())


def take(submission, user, version):
    """The officer makes the submission theirs; the first take starts processing."""
    _check("take", submission, user, version)
    first = submission.status != Status.IN_PROGRESS
    submission.assignee_id = user.id
    # Taking over from a colleague is internal; only the start of processing is news.
    return _step("take", submission, user, public=first)


def _account(user_id: int | None):
    """The account with this id. The core knows no accounts module: it reaches the class
    through the mapped relationship that names it (Submission.assignee)."""
    account_class = sa_inspect(Submission).relationships["assignee"].mapper.class_
    return db.session.get(account_class, user_id) if user_id else None


def assign_officer(submission, user, version, officer_id: int | None, note: str | None = None):
    """A lead gives the submission to a named officer (or lead) of the agency handling it; the
    event names them."""
    _check("assign_officer", submission, user, version)
    officer = _account(officer_id)
    if (officer is None or not officer.active or officer.agency_id != submission.agency_id
            or not handling_roles(officer, submission) & {OFFICER}):
        raise ValidationError("officer_id", _("Choose someone of the agency handling it."))
    if officer.id == submission.assignee_id:
        raise ValidationError("officer_id", _("This person already handles it."))
    submission.assignee_id, submission.assignee = officer.id, officer
    return _step("assign_officer", submission, user, internal_note=_optional(note), assignee=officer)


def take_back(submission, user, version, note: str | None = None):
    """A lead takes the submission back from the officer handling it: it waits in the
    agency's queue for someone to take or be given it. The event names the officer."""
    _check("take_back", submission, user, version)
    previous = submission.assignee
    submission.assignee_id, submission.assignee = None, None
    return _step("take_back", submission, user, internal_note=_optional(note), assignee=previous)


def request_info(submission, user, version, question: str | None):
    """Ask the submitter for more; the deadline clock stands still until they answer."""

    _check("request_info", submission, user, version)
    question = _required("question", question)
    submission.paused_on = deadlines.today()
    return _step("request_info", submission, user, public_note=question)


def provide_info(submission, reply: str | None, user=None):
    """The submitter answers the question from the private page or their account."""

    _check("provide_info", submission, user, None, as_submitter=True)
    reply = _required("reply", reply)
    submission.due_date = deadlines.resumed_due(submission.due_date, submission.paused_on, deadlines.today())
    submission.paused_on = None
    # The submitter's own words may hold personal data: staff see them, the public page not.
    return _step("provide_info", submission, user, internal_note=reply, notify=False)


def draft(submission, user, version, body: str | None):
    """Write or rewrite the answer; it waits for a lead's approval."""

    _check("draft", submission, user, version)
    body = _required("body", body)
    current = current_draft(submission) or AnswerDraft(submission_id=submission.id)
    current.body, current.author_id, current.state, current.lead_comment = body, user.id, DraftState.PENDING, None
    db.session.add(current)
    return _step("draft", submission, user)


def send_back(submission, user, version, comment: str | None):
    """The lead returns the draft for rework with a comment."""

    _check("send_back", submission, user, version)
    comment = _required("comment", comment)
    current = current_draft(submission)
    current.state, current.lead_comment = DraftState.RETURNED, comment
    return _step("send_back", submission, user, internal_note=comment)


def answer(submission, user, version):
    """The lead approves the draft: it is published to the submitter as the answer."""

    _check("answer", submission, user, version)
    current = current_draft(submission)
    current.state = DraftState.PUBLISHED
    submission.answered_at = _now()
    return _step("answer", submission, user, public_note=current.body)


def close(submission, user, version, note: str | None = None):
    """Close an answered submission."""
    _check("close", submission, user, version)
    submission.closed_at = _now()
    return _step("close", submission, user, internal_note=_optional(note))


def reopen(submission, reason: str | None, user=None):
    """The submitter asks for reconsideration within 30 days of the answer."""

    _check("reopen", submission, user, None, as_submitter=True)
    reason = _required("reason", reason)
    answered = submission.answered_at or submission.closed_at
    if answered is None or _now() - answered > REOPEN_WINDOW:
        raise Conflict(_("Reconsideration can be asked within 30 days of the answer."))
    submission.closed_at = None
    # Reconsideration is a new request to the agency: its own deadline by the rules, counted
    # from today, never the first answer's (long past, so the reopened case started overdue).
    submission.due_date, submission.paused_on = deadlines.answer_due(submission.kind, deadlines.today()), None
    return _step("reopen", submission, user, internal_note=reason)


def merge(submission, user, version, original_code: str | None):
    """Close a duplicate into its original; its submitter then follows the original."""

    _check("merge", submission, user, version)
    original = lookups.find_by_typed_code(original_code)
    if original is None or original.id == submission.id or original.merged_into_id:
        raise ValidationError("original_code", _("Enter the tracking code of another submission."))
    submission.merged_into_id, submission.closed_at, submission.due_date = original.id, _now(), None
    return _step("merge", submission, user, public_note=_("Merged into submission %(code)s, which you can follow.",
                                                         code=codes.display(original.code)))


def note(submission, user, version, text: str | None):
    """An internal note, seen by staff only."""
    _check("note", submission, user, version)
    return _step("note", submission, user, internal_note=_required("text", text))


def remind(submission):
    """Tell the submitter of an overdue submission it is still being handled, and by whom."""
    _check("reminder", submission, None, None, as_system=True)
    agency = submission.agency.localized_name(submission.locale) if submission.agency else _("the receiving office")
    return _step("reminder", submission, None, public_note=_("Your submission is still being handled by %(agency)s.",
                                                             agency=agency))
