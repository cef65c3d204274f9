"""Erasure, retention and consent withdrawal: each empties what the registry lists, the
submission itself staying with the agency, anonymised (its text kept with the sender's
details masked, its name, contact and files gone)."""
import calendar
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.common.errors import ValidationError
from app.common.text import redact_personal
from app.common.time import utcnow
from app.extensions import db
from app.privacy import export
from app.privacy.models import DataExport, ExportStatus
from app.privacy.people import blank, link, person_of, table
from app.privacy.registry import ANONYMISE, DELETE, REGISTRY, entry
from app.submissions import attachments, publication
from app.submissions.models import Attachment, Consent, Rating, Submission

# Handled one by one below (files to delete, search columns to recompute), not in bulk.
_BY_HAND = {"user", "submission", "attachment", "data_export"}
PUBLISH, PROCESSING = "publish", "processing"
WITHDRAWABLE = (PUBLISH, PROCESSING)
PURPOSE_LABELS = {PUBLISH: _l("Publish the submission and its answer"),
                  PROCESSING: _l("Process my name and contact details to handle it")}


def _mask(text: str | None, known: tuple[str, ...]) -> str | None:
    return redact_personal(text, known) if text else text


def anonymise_submission(submission: Submission, known: tuple[str, ...] = ()) -> int:
    """Remove who sent it: the name, contact, organisation, tax code, point on the map and the
    account link; mask those details wherever they were typed into its texts; delete its
    attachments and the messages sent about it. Returns the attachments deleted."""
    known = tuple(value for value in (submission.contact_name, submission.contact_email, submission.contact_phone,
                                      submission.org_name, submission.tax_code, *known) if value)
    for name in ("title", "content", "legal_reference", "proposed_change"):
        setattr(submission, name, _mask(getattr(submission, name), known))
    for event in submission.events:
        event.public_note, event.internal_note = _mask(event.public_note, known), _mask(event.internal_note, known)
    for rating in db.session.scalars(select(Rating).where(Rating.submission_id == submission.id)):
        rating.comment = _mask(rating.comment, known)
    columns = table(entry("submission")).c
    for name in entry("submission").personal:
        setattr(submission, name, blank(columns[name]))
    removed = 0
    for item in list(submission.attachments):
        attachments.remove(item.storage_key)
        submission.attachments.remove(item)
        removed += 1
    outbox = db.metadata.tables["outbox_message"]
    db.session.execute(sa.delete(outbox).where(outbox.c.submission_id == submission.id))
    publication.refresh_search(submission)
    return removed


def erase_account(user) -> None:
    """Delete the account: its rows go or are emptied as the registry says; the account row
    stays, emptied and disabled, so what the person wrote in public shows 'a former member'."""
    person = person_of(user)
    known = tuple(value for value in (user.full_name, user.email, user.phone, user.org_name, user.tax_code) if value)
    for submission in db.session.scalars(select(Submission).where(Submission.id.in_(person.submission_ids))):
        anonymise_submission(submission, known)
    for old in db.session.scalars(select(DataExport).where(DataExport.user_id == user.id)):
        export.discard(old)
    db.session.flush()
    for item in REGISTRY:
        condition = link(item, person, erasing=True)
        if item.table in _BY_HAND or condition is None:
            continue
        source = table(item)
        if item.erase == DELETE:
            db.session.execute(sa.delete(source).where(condition))
        elif item.erase == ANONYMISE:
            db.session.execute(sa.update(source).where(condition)
                               .values({name: blank(source.c[name]) for name in item.personal}))
    columns = table(entry("user")).c
    for name in entry("user").personal:
        setattr(user, name, blank(columns[name]))
    user.active, user.erased_at = False, utcnow()
    db.session.commit()
    db.session.expire_all()


# Retention.

@dataclass
class RetentionReport:
    cutoff: datetime
    submissions: int = 0
    attachments: int = 0
    exports: int = 0
    dry_run: bool = True


def months_before(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _due_submissions(cutoff: datetime):
    has_files = sa.exists().where(Attachment.submission_id == Submission.id)
    return (select(Submission).where(Submission.user_id.is_(None), Submission.closed_at.is_not(None),
                                     Submission.closed_at < cutoff,
                                     sa.or_(Submission.contact_name != "", Submission.contact_email.is_not(None),
                                            Submission.contact_phone.is_not(None), Submission.org_name.is_not(None),
                                            Submission.tax_code.is_not(None), has_files))
            .order_by(Submission.id))


def _expired_exports(now: datetime):
    return select(DataExport).where(sa.or_(DataExport.expires_at < now, sa.and_(
        DataExport.status == ExportStatus.FAILED, DataExport.created_at < months_before(now, 1))))


def run_retention(dry_run: bool = False, now: datetime | None = None, batch: int = 200) -> RetentionReport:
    """Anonymise guests' submissions closed more than PRIVACY_RETENTION_MONTHS ago (their name,
    contact and attachments), and delete expired exports. With dry_run, only count. Meant to
    run daily from the worker's scheduler."""
    now = now or utcnow()
    report = RetentionReport(cutoff=months_before(now, current_app.config["PRIVACY_RETENTION_MONTHS"]),
                             dry_run=dry_run)
    if dry_run:
        ids = select(_due_submissions(report.cutoff).subquery().c.id)
        report.submissions = db.session.scalar(select(sa.func.count()).select_from(ids.subquery()))
        report.attachments = db.session.scalar(select(sa.func.count(Attachment.id))
                                               .where(Attachment.submission_id.in_(ids)))
        report.exports = db.session.scalar(select(sa.func.count()).select_from(_expired_exports(now).subquery()))
        return report
    while True:
        due = list(db.session.scalars(_due_submissions(report.cutoff).limit(batch)))
        for submission in due:
            report.attachments += anonymise_submission(submission)
        report.submissions += len(due)
        db.session.commit()
        if len(due) < batch:
            break
    for old in db.session.scalars(_expired_exports(now)):
        export.discard(old)
        report.exports += 1
    db.session.commit()
    return report


# Consents.

@dataclass
class ConsentState:
    submission: Submission
    granted: dict  # purpose -> the latest Consent row


def consents_of(user) -> list[ConsentState]:
    """Each of the person's submissions with the latest record for each purpose."""
    states = []
    for submission in db.session.scalars(select(Submission).where(Submission.user_id == user.id)
                                         .order_by(Submission.received_at.desc())):
        latest = {}
        for consent in submission.consents:
            latest[consent.purpose] = consent
        states.append(ConsentState(submission=submission, granted=latest))
    return states


def withdraw_consent(user, submission_id: int, purpose: str) -> Submission | None:
    """Record the withdrawal and apply it: unpublished at once; or, for processing, the
    submission loses its sender (name, contact, files) and leaves the account, the agency
    keeping the case itself. None when the submission is not this person's."""
    submission = db.session.get(Submission, submission_id)
    if submission is None or submission.user_id != user.id or purpose not in WITHDRAWABLE:
        return None
    latest = next((c for c in reversed(submission.consents) if c.purpose == purpose), None)
    if latest is None or not latest.granted:
        raise ValidationError("purpose", _l("This consent is already withdrawn."))
    submission.consents.append(Consent(purpose=purpose, granted=False,
                                       notice_version=current_app.config["PRIVACY_NOTICE_VERSION"]))
    if purpose == PUBLISH:
        submission.consent_publish = False
        publication.refresh_search(submission)
    else:
        anonymise_submission(submission, (user.full_name, user.email, user.phone))
    db.session.commit()
    return submission
