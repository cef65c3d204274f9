"""What the API reads and how a submission is shown to a machine: the public view (what the
public tracking page shows) and the case view (what the desk shows the agency handling it)."""
from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import get_locale
from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.agencies.models import Agency
from app.api import steps
from app.api.http import decode_cursor, encode_cursor
from app.common import places
from app.common.permissions import handles, handling_scope
from app.extensions import db
from app.submissions.models import AnswerDraft, Submission, Topic
from app.submissions.states import DraftState, Status, kind_label, status_label, step_label

CURSOR_SHAPE = (datetime, int)


@dataclass
class Listing:
    items: list
    next_cursor: str | None


def public_query():
    """Submissions whose senders agreed to publication (duplicates merged away left out)."""
    return select(Submission).where(Submission.consent_publish.is_(True), Submission.merged_into_id.is_(None))


def cases_query(principal):
    """Exactly what the one permission rule lets this principal handle."""
    scope = handling_scope(principal)
    condition = true() if scope.everything else (
        Submission.agency_id == scope.agency_id if scope.agency_id is not None else false())
    return select(Submission).where(condition)


def filtered(query, args: dict):
    for column, key in ((Submission.status, "status"), (Submission.kind, "kind"),
                        (Submission.province_code, "province")):
        if args.get(key) is not None:
            query = query.where(column == args[key])
    if args.get("agency"):
        query = query.where(Submission.agency_id == select(Agency.id).where(Agency.code == args["agency"].upper())
                            .scalar_subquery())
    if args.get("topic"):
        query = query.where(Submission.topic_id.in_(_topic_ids(args["topic"])))
    if args.get("updated_since") is not None:
        query = query.where(Submission.updated_at >= args["updated_since"])
    return query


def _topic_ids(slug: str):
    parent = aliased(Topic)
    return (select(Topic.id).outerjoin(parent, Topic.parent_id == parent.id)
            .where(or_(Topic.slug == slug, parent.slug == slug)))


def page(query, args: dict) -> Listing:
    """One page in (updated_at, id) order; the cursor is the last row's key, so a row changed
    while a client pages moves to the end instead of being skipped or shown twice."""
    descending = args.get("order") == "desc"
    if args.get("cursor"):
        moment, last_id = decode_cursor(args["cursor"], CURSOR_SHAPE)
        if descending:
            query = query.where(or_(Submission.updated_at < moment,
                                    and_(Submission.updated_at == moment, Submission.id < last_id)))
        else:
            query = query.where(or_(Submission.updated_at > moment,
                                    and_(Submission.updated_at == moment, Submission.id > last_id)))
    order = (Submission.updated_at.desc(), Submission.id.desc()) if descending else (Submission.updated_at,
                                                                                      Submission.id)
    limit = args["limit"]
    rows = list(db.session.scalars(query.order_by(*order).limit(limit + 1)).unique())
    items = rows[:limit]
    cursor = encode_cursor([items[-1].updated_at.isoformat(), items[-1].id]) if len(rows) > limit else None
    return Listing(items, cursor)


def published_answers(submissions) -> dict[int, AnswerDraft]:
    ids = [s.id for s in submissions if s.status in Status.RATEABLE or s.answered_at]
    if not ids:
        return {}
    drafts = db.session.scalars(select(AnswerDraft).where(AnswerDraft.submission_id.in_(ids),
                                                          AnswerDraft.state == DraftState.PUBLISHED))
    return {draft.submission_id: draft for draft in drafts}


def _locale() -> str:
    return str(get_locale())


def public_view(submission, answers: dict) -> dict:
    locale, published = _locale(), submission.consent_publish
    answer = answers.get(submission.id) if published else None
    return {
        "code": submission.code,
        "url": url_for("api_v1.submission", code=submission.code, _external=True),
        "web_url": url_for("tracking.show", code=submission.code, _external=True),
        "kind": submission.kind, "kind_label": kind_label(submission.kind),
        "status": submission.status, "status_label": status_label(submission.status),
        "published": published,
        "topic": {"slug": submission.topic.slug, "name": submission.topic.localized_name(locale)}
        if submission.topic else None,
        "agency": {"code": submission.agency.code, "name": submission.agency.localized_name(locale)}
        if submission.agency else None,
        "province": _place(submission.province_code, places.province_name(submission.province_code)),
        "commune": _place(submission.ward_code, places.ward_name(submission.province_code, submission.ward_code)),
        "title": submission.title if published else None,
        "content": submission.content if published else None,
        "legal_reference": submission.legal_reference if published else None,
        "proposed_change": submission.proposed_change if published else None,
        "answer": {"text": answer.body, "answered_at": submission.answered_at} if answer else None,
        "received_at": submission.received_at, "updated_at": submission.updated_at,
        "due_date": submission.due_date, "answered_at": submission.answered_at, "closed_at": submission.closed_at,
    }


def _place(code, name):
    return {"code": code, "name": name} if code and name else None


def public_timeline(submission) -> list[dict]:
    """The steps the public tracking page lists; notes only with consent to publish."""
    return [{"step": event.action, "label": step_label(event.action), "at": event.created_at,
             "from_status": event.from_status, "to_status": event.to_status,
             "note": event.public_note if submission.consent_publish else None}
            for event in submission.public_events]


def case_view(submission, principal, answers: dict, assignees: dict) -> dict:
    """The public view, with everything the desk shows the agency: title and content even
    unpublished, the submitter's contact, the assignee, the steps open to this token."""
    view = public_view(submission, answers)
    answer = answers.get(submission.id)
    view.update(
        url=url_for("api_v1.case", code=submission.code, _external=True),
        title=submission.title, content=submission.content, legal_reference=submission.legal_reference,
        proposed_change=submission.proposed_change,
        answer={"text": answer.body, "answered_at": submission.answered_at} if answer else None,
        version=submission.version,
        contact={"name": submission.contact_name, "email": submission.contact_email,
                 "phone": submission.contact_phone, "submitter_kind": submission.submitter_kind,
                 "org_name": submission.org_name, "tax_code": submission.tax_code,
                 "anonymous_public": submission.anonymous_public},
        assignee=assignees.get(submission.assignee_id),
        location={"lat": submission.latitude, "long": submission.longitude}
        if submission.latitude is not None and submission.longitude is not None else None,
        steps=steps.allowed(principal, submission),
    )
    return view


def assignee_names(submissions) -> dict[int, str]:
    ids = {s.assignee_id for s in submissions if s.assignee_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


def case_timeline(submission) -> list[dict]:
    locale = _locale()
    return [{"step": event.action, "label": step_label(event.action), "at": event.created_at,
             "from_status": event.from_status, "to_status": event.to_status, "note": event.public_note,
             "public": event.is_public, "internal_note": event.internal_note,
             "actor": event.actor.full_name if event.actor else None,
             "agency": event.agency.localized_name(locale) if event.agency else None}
            for event in submission.events]


def attachments_of(submission) -> list[dict]:
    return [{"id": item.id, "name": item.original_name, "content_type": item.content_type, "size": item.size,
             "url": url_for("api_v1.case_attachment", code=submission.code, attachment_id=item.id, _external=True)}
            for item in submission.attachments]


def draft_of(submission) -> dict | None:
    draft = steps.current_draft(submission)
    if draft is None:
        return None
    return {"text": draft.body, "state": draft.state, "lead_comment": draft.lead_comment}


def handled_case(principal, code: str):
    """The case with this code, if the principal handles it; None as if it did not exist."""
    submission = db.session.scalar(select(Submission).where(Submission.code == code))
    return submission if submission is not None and handles(principal, submission) else None


def status_counts() -> dict[str, int]:
    rows = db.session.execute(select(Submission.status, func.count()).group_by(Submission.status)).all()
    counts = dict.fromkeys(Status.ALL, 0)
    counts.update({status: count for status, count in rows})
    return counts
