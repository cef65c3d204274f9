"""The desk: the submissions a staff member handles, the filtered queue, a workflow step
taken from its form, on-time rates."""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, case, false, func, nulls_last, select, true
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.agencies.models import Agency
from app.common import paging
from app.common.errors import Conflict, PermissionDenied, ValidationError
from app.common.paging import Page
from app.common.permissions import handles, handling_scope
from app.common.roles import Role
from app.common.text import vi_person_key, vi_sort_key
from app.extensions import db
from app.submissions import codes, deadlines, search, workflow
from app.submissions.models import AnswerDraft, Rating, Submission, SubmissionEvent
from app.submissions.states import DraftState, Status

PER_PAGE = 25


def visible(user, submission_id: int) -> Submission | None:
    """The submission, if this person handles it; None as if it did not exist otherwise."""
    submission = db.session.get(Submission, submission_id)
    return submission if submission is not None and handles(user, submission) else None


def take_step(step: str, submission, user, version: int | None, arguments: dict):
    """Run one of workflow.DESK_STEPS. Each step's form names its fields like the arguments
    of the workflow function of the same name, so the form's data is passed as it is."""
    if step not in workflow.DESK_STEPS:
        raise ValueError(f"not a desk step: {step}")
    return getattr(workflow, step)(submission, user, version, **arguments)


BULK_MAX = 100


def bulk(user, action: str, ids: list[int], agency_id: int | None, note: str | None) -> int:
    """Assign several submissions to one agency, or reject several as duplicates with one
    note: each through its workflow step (one event each), all or none. A refusal names the
    submission it is about; nothing is written then."""
    ids = list(dict.fromkeys(ids))[:BULK_MAX]
    if not ids:
        raise ValidationError("ids", _("Tick the submissions to act on."))
    if action == "assign" and not agency_id:
        raise ValidationError("agency_id", _("Choose an agency."))
    found = {s.id: s for s in db.session.scalars(select(Submission).where(Submission.id.in_(ids)))}
    with workflow.batch():
        for submission_id in ids:
            submission = found.get(submission_id)
            if submission is None or not handles(user, submission):
                raise ValidationError("ids", _("One of the submissions no longer exists."))
            try:
                if action == "assign":
                    workflow.assign(submission, user, None, agency_id, note)
                else:
                    workflow.reject(submission, user, None, "duplicate", note)
            except (ValidationError, Conflict, PermissionDenied) as error:
                field = "agency_id" if getattr(error, "field", None) == "agency_id" else "ids"
                raise ValidationError(field, _("%(code)s: %(reason)s Nothing was changed.",
                                               code=codes.display(submission.code), reason=error.message)) from None
    return len(ids)


TIMELINE_SIZE = 8


@dataclass
class Timeline:
    events: list  # oldest first, as a timeline reads
    earlier: int | None  # the id to load earlier events before, when there are some


def timeline(submission, before: int | None = None, size: int = TIMELINE_SIZE) -> Timeline:
    """The newest `size` events (before the event `before`, when paging back): a case with a
    long history still fits one small fragment; the earlier events load on request."""
    query = select(SubmissionEvent).where(SubmissionEvent.submission_id == submission.id)
    if before is not None:
        query = query.where(SubmissionEvent.id < before)
    rows = list(db.session.scalars(query.order_by(SubmissionEvent.id.desc()).limit(size + 1)))
    more = len(rows) > size
    events = list(reversed(rows[:size]))
    return Timeline(events, events[0].id if more and events else None)


def agency_staff(agency_id: int | None) -> list[User]:
    """The active officers and leads of an agency, in Vietnamese order of their given names:
    who a lead may give a case to, and whose names colleagues see."""
    if agency_id is None:
        return []
    staff = db.session.scalars(select(User).where(User.agency_id == agency_id, User.active,
                                                  User.role.in_(Role.AGENCY_STAFF)))
    return sorted(staff, key=lambda user: vi_person_key(user.full_name))


@dataclass
class QueueFilter:
    q: str = ""
    status: str = ""
    kind: str = ""
    topic: int | None = None
    province: int | None = None
    due: str = ""
    mine: bool = False
    unassigned: bool = False
    sort: str = "due"
    view: str = ""  # "" needs action, "done" answered/closed/rejected, "all"


# What still needs someone at the desk (the submitter's reply included: it is still theirs to
# answer); what is done waits behind the "done" view.
ACTION_STATUSES = (*Status.OPEN, Status.AWAITING_INFO)
DONE_STATUSES = (Status.ANSWERED, Status.CLOSED, Status.REJECTED)


def queue_query(user, f: QueueFilter):
    """One SELECT for the page (topic, agency and assignee joined). The default view puts
    first what is the reader's to do: a lead's drafts awaiting approval, then what is theirs."""
    query = select(Submission).options(joinedload(Submission.assignee)).where(_scope(user), *_conditions(user, f))
    return query.order_by(*_first(user, f), *_order(f.sort))


def _first(user, f: QueueFilter) -> list:
    if f.view or f.status:
        return []
    first = []
    if user.role == Role.LEAD:
        awaiting = select(AnswerDraft.id).where(AnswerDraft.submission_id == Submission.id,
                                                AnswerDraft.state == DraftState.PENDING).exists()
        first.append(case((awaiting, 0), else_=1))
    first.append(case((Submission.assignee_id == user.id, 0), else_=1))
    return first


def _scope(user):
    """The queue holds exactly what `handles` allows: everything, one agency's, or nothing
    (an officer with no agency must not see the unrouted, whose agency_id is also None)."""
    scope = handling_scope(user)
    if scope.everything:
        return true()
    return Submission.agency_id == scope.agency_id if scope.agency_id is not None else false()


def _conditions(user, f: QueueFilter) -> list:
    conditions = []
    if f.status in Status.ALL:
        conditions.append(Submission.status == f.status)
    elif f.view == "done":
        conditions.append(Submission.status.in_(DONE_STATUSES))
    elif f.view != "all" and not f.q:  # a search for a name, phone or code finds the case whatever its state
        conditions.append(Submission.status.in_(ACTION_STATUSES))
    if f.kind:
        conditions.append(Submission.kind == f.kind)
    if f.topic:
        conditions.append(Submission.topic_id == f.topic)
    if f.province:
        conditions.append(Submission.province_code == f.province)
    conditions.extend(_due_conditions(f.due))
    if f.mine:
        conditions.append(Submission.assignee_id == user.id)
    if f.unassigned:
        conditions.append(Submission.assignee_id.is_(None))
    if f.q:
        conditions.append(_search(f.q))
    return conditions


def _due_conditions(due: str) -> list:
    if due == "overdue":
        return [deadlines.overdue_clause()]
    if due == "soon":
        return [deadlines.due_soon_clause()]
    return []


def _search(query: str):
    """The desk's search (body, name, phone, e-mail, code): see submissions/search.py."""
    return search.desk_match(query)


def _order(sort: str) -> list:
    if sort == "new":
        return [Submission.received_at.desc(), Submission.id.desc()]
    if sort == "old":
        return [Submission.received_at.asc(), Submission.id.asc()]
    return [nulls_last(Submission.due_date.asc()), Submission.id.asc()]


COUNT_CAP = 1000


def queue_page(user, f: QueueFilter, page: int) -> Page:
    """One page of the queue, counted only up to COUNT_CAP ("more than 1,000")."""
    query = queue_query(user, f)
    result = paging.fetch(query, page, PER_PAGE, unique=True)
    capped = query.order_by(None).with_only_columns(Submission.id).limit(COUNT_CAP + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(capped))
    result.total, result.exact = min(total, COUNT_CAP), total <= COUNT_CAP
    return result


@dataclass
class OnTime:
    agency: Agency
    answered: int
    on_time: int
    overdue_open: int
    rated: int = 0
    stars_total: int = 0

    @property
    def stars(self) -> float | None:
        """The submitters' average rating of the agency's answers, 1 to 5."""
        return round(self.stars_total / self.rated, 1) if self.rated else None

    @property
    def rate(self) -> int | None:
        return round(100 * self.on_time / self.answered) if self.answered else None


def on_time_rates() -> list[OnTime]:
    """Per agency: answers given by the due date over all answers, what is overdue now, and
    how the submitters rated the answers. One grouped query; the day of an answer is its date
    in Vietnam, as the due date is: an answer at 06:30 in Hà Nội the day after the due date is
    late, though its UTC date is still the due date."""
    answered_day = deadlines.local_day(Submission.answered_at)
    rows = db.session.execute(
        select(
            Submission.agency_id,
            func.count(Submission.answered_at),
            func.sum(case((and_(Submission.answered_at.is_not(None),
                                answered_day <= Submission.due_date), 1), else_=0)),
            func.sum(case((deadlines.overdue_clause(), 1), else_=0)),
            func.count(Rating.id),
            func.coalesce(func.sum(Rating.stars), 0),
        ).outerjoin(Rating, Rating.submission_id == Submission.id)
        .where(Submission.agency_id.is_not(None)).group_by(Submission.agency_id)
    ).all()
    agencies = {a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_([r[0] for r in rows])))}
    result = [OnTime(agencies[r[0]], r[1] or 0, r[2] or 0, r[3] or 0, r[4] or 0, r[5] or 0)
              for r in rows if r[0] in agencies]
    return sorted(result, key=lambda item: vi_sort_key(item.agency.name))
