"""The rows of the open-data files: published submissions and their public steps, with no
personal data (publication.py masks it out of every text, and never hands over a name, a
contact, an identity number or an attachment). Read in batches by id, so memory stays flat
at a million rows and no database cursor stays open while a slow client downloads.

Column names and ids are stable: a downstream user can rely on them (docs/opendata/)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.agencies.models import Agency
from app.common import places
from app.common.export import Column, Dataset, register
from app.extensions import db
from app.notify.services import public_url
from app.submissions import deadlines, publication
from app.submissions.calendar import working_days_between
from app.submissions.models import Submission, SubmissionEvent, Topic
from app.submissions.search import PublicFilters, public_conditions

BATCH = 1_000

SUBMISSION_COLUMNS = [
    Column("id", "integer", _l("The submission's number in Góp Ý; never reused"), nullable=False),
    Column("code", "string", _l("Public tracking code (10 digits, the last a check digit)"), nullable=False),
    Column("url", "string", _l("The submission's public page"), nullable=False),
    Column("kind", "string", _l("concern (a concern or obstacle), policy (a policy proposal) or initiative"),
           nullable=False),
    Column("topic_id", "integer", _l("Topic id")),
    Column("topic", "string", _l("Topic name, in Vietnamese")),
    Column("province_code", "integer", _l("Province code (General Statistics Office); empty for a national matter")),
    Column("province", "string", _l("Province name")),
    Column("ward_code", "integer", _l("Commune or ward code, when given")),
    Column("ward", "string", _l("Commune or ward name")),
    Column("title", "string", _l("Title as published"), nullable=False),
    Column("content", "string", _l("Content as published; e-mail addresses, long numbers and the sender's details "
                                   "are replaced by […]"), nullable=False),
    Column("legal_reference", "string", _l("Legal document concerned, as published")),
    Column("proposed_change", "string", _l("Proposed change or solution, as published")),
    Column("sender_kind", "string", _l("individual, organisation or anonymous (a person's name is never published)"),
           nullable=False),
    Column("organisation_name", "string", _l("The sending organisation's name, unless it asked to be anonymous")),
    Column("status", "string", _l("received, assigned, in_progress, awaiting_info, answered, closed, rejected "
                                  "or reopened"), nullable=False),
    Column("agency_id", "integer", _l("Id of the agency handling it (as in the statistics)")),
    Column("agency", "string", _l("Name of the agency handling it")),
    Column("received_at", "string", _l("When it was received (UTC, ISO 8601)"), "date-time", nullable=False),
    Column("due_date", "string", _l("Answer due by (Vietnam's date), counted in working days"), "date"),
    Column("first_answered_at", "string", _l("When the first answer was published (UTC)"), "date-time"),
    Column("working_days_to_answer", "integer", _l("Working days from receipt to the first answer (weekends and "
                                                   "public holidays, Tết included, not counted)")),
    Column("answered_on_time", "boolean", _l("The first answer came on or before the due date")),
    Column("closed_at", "string", _l("When it was closed (UTC)"), "date-time"),
    Column("answer", "string", _l("The latest published answer")),
    Column("support_count", "integer", _l("People who said “this concerns me too” (verified)"), nullable=False),
]

EVENT_COLUMNS = [
    Column("id", "integer", _l("The step's number; never reused"), nullable=False),
    Column("submission_id", "integer", _l("The submission (id in the submissions file)"), nullable=False),
    Column("submission_code", "string", _l("The submission's tracking code"), nullable=False),
    Column("action", "string", _l("submit, assign, transfer, take, request_info, answer, close, reject, reopen, "
                                  "merge or reminder"), nullable=False),
    Column("from_status", "string", _l("Status before the step")),
    Column("to_status", "string", _l("Status after the step (empty when it stayed)")),
    Column("agency_id", "integer", _l("The agency handling it at the step")),
    Column("created_at", "string", _l("When (UTC, ISO 8601)"), "date-time", nullable=False),
    Column("note", "string", _l("The public note (an answer, a reason, a question), as published")),
]

# What a row needs besides its own columns: the sender's details, only to mask them out.
_SENDER = (Submission.contact_name, Submission.contact_phone, Submission.contact_email, Submission.tax_code,
           Submission.org_name, Submission.anonymous_public, Submission.submitter_kind, Submission.consent_publish)


def _names():
    topics = dict(db.session.execute(select(Topic.id, Topic.name)).all())
    agencies = dict(db.session.execute(select(Agency.id, Agency.name)).all())
    return topics, agencies


def submission_rows(filters: PublicFilters | None = None):
    """Every published submission the filters select, oldest first."""
    conditions = public_conditions(filters or PublicFilters())
    topics, agencies = _names()
    url = public_url("feedback.show", code="0000000000").replace("0000000000", "{}")
    columns = (Submission.id, Submission.code, Submission.kind, Submission.topic_id, Submission.province_code,
               Submission.ward_code, Submission.title, Submission.content, Submission.legal_reference,
               Submission.proposed_change, Submission.status, Submission.agency_id, Submission.received_at,
               Submission.due_date, Submission.closed_at, Submission.support_count, *_SENDER)
    last = 0
    while True:
        batch = db.session.execute(select(*columns).where(*conditions, Submission.id > last)
                                   .order_by(Submission.id).limit(BATCH)).all()
        if not batch:
            return
        answers = _answers([row.id for row in batch])
        for row in batch:
            yield _submission(row, answers.get(row.id, []), topics, agencies, url)
        last = batch[-1].id


def _answers(ids: list[int]) -> dict[int, list]:
    found: dict[int, list] = {}
    query = (select(SubmissionEvent.submission_id, SubmissionEvent.created_at, SubmissionEvent.public_note)
             .where(SubmissionEvent.submission_id.in_(ids), SubmissionEvent.action == publication.ANSWER)
             .order_by(SubmissionEvent.id))
    for submission_id, created_at, note in db.session.execute(query):
        found.setdefault(submission_id, []).append((created_at, note))
    return found


def _submission(row, answers: list, topics: dict, agencies: dict, url: str) -> dict:
    first = answers[0][0] if answers else None
    days = on_time = None
    if first is not None:
        answered_on = deadlines.local_date(first)
        days = working_days_between(deadlines.local_date(row.received_at), answered_on)
        on_time = row.due_date is not None and answered_on <= row.due_date
    return {
        "id": row.id, "code": row.code, "url": url.format(row.code), "kind": row.kind,
        "topic_id": row.topic_id, "topic": topics.get(row.topic_id), "province_code": row.province_code,
        "province": places.province_name(row.province_code) or None, "ward_code": row.ward_code,
        "ward": places.ward_name(row.province_code, row.ward_code) or None,
        "title": publication.redact(row, row.title), "content": publication.redact(row, row.content),
        "legal_reference": publication.redact(row, row.legal_reference) or None,
        "proposed_change": publication.redact(row, row.proposed_change) or None,
        "sender_kind": publication.sender_kind(row), "organisation_name": publication.organisation_name(row),
        "status": row.status, "agency_id": row.agency_id, "agency": agencies.get(row.agency_id),
        "received_at": row.received_at, "due_date": row.due_date, "first_answered_at": first,
        "working_days_to_answer": days, "answered_on_time": on_time, "closed_at": row.closed_at,
        "answer": publication.redact(row, answers[-1][1]) if answers else None, "support_count": row.support_count,
    }


def event_rows(filters: PublicFilters | None = None):
    """The public steps of the published submissions the filters select, in order."""
    conditions = public_conditions(filters or PublicFilters())
    columns = (SubmissionEvent.id, SubmissionEvent.submission_id, Submission.code, SubmissionEvent.action,
               SubmissionEvent.from_status, SubmissionEvent.to_status, SubmissionEvent.agency_id,
               SubmissionEvent.created_at, SubmissionEvent.public_note, *_SENDER)
    last = 0
    while True:
        batch = db.session.execute(
            select(*columns).join(Submission, Submission.id == SubmissionEvent.submission_id)
            .where(*conditions, SubmissionEvent.is_public.is_(True), SubmissionEvent.id > last)
            .order_by(SubmissionEvent.id).limit(BATCH)).all()
        if not batch:
            return
        for row in batch:
            yield {"id": row.id, "submission_id": row.submission_id, "submission_code": row.code,
                   "action": row.action, "from_status": row.from_status, "to_status": row.to_status,
                   "agency_id": row.agency_id, "created_at": row.created_at,
                   "note": publication.redact(row, row.public_note) or None}
        last = batch[-1].id


SUBMISSIONS = register(Dataset("gop-y", _l("Published submissions"), SUBMISSION_COLUMNS, submission_rows,
                               "opendata.submissions"))
EVENTS = register(Dataset("buoc-xu-ly", _l("Public steps of the published submissions"), EVENT_COLUMNS, event_rows,
                          "opendata.events"))
