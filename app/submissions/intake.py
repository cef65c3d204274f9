"""Receiving a submission, from the web form or the API: one record per form (or
idempotency key), whatever the network does to the request."""
import secrets
from dataclasses import dataclass, replace

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.common.errors import ValidationError
from app.common.text import clean_block, clean_line
from app.common.time import utcnow
from app.extensions import db
from app.submissions import attachments, codes, deadlines, messages, publication
from app.submissions.lookups import find_by_code, private_token, token_hash
from app.submissions.models import Attachment, Consent, Submission, Topic
from app.submissions.states import ConsentMethod, IntakeChannel, Kind, Status
from app.submissions.workflow import record_event


@dataclass
class SubmissionInput:
    """What the form collected, already validated by the form."""

    idempotency_key: str
    kind: str
    topic_id: int | None
    province_code: int | None
    ward_code: int | None
    title: str
    content: str
    legal_reference: str = ""
    proposed_change: str = ""
    contact_name: str = ""
    contact_phone: str | None = None
    contact_email: str | None = None
    submitter_kind: str = "individual"
    org_name: str | None = None
    tax_code: str | None = None
    org_foreign: bool = False
    consent_processing: bool = False
    consent_publish: bool = False
    anonymous_public: bool = False
    locale: str = "vi"
    latitude: float | None = None
    longitude: float | None = None
    # Where it came from and how the consent was given (states.IntakeChannel, ConsentMethod);
    # a consent given in person names the staff member who recorded it.
    channel: str = IntakeChannel.WEB
    consent_method: str = ConsentMethod.WEB
    consent_recorded_by_id: int | None = None


def submit_feedback(data: SubmissionInput, files=(), user=None) -> tuple[Submission, str]:
    """Create the submission, its consents, attachments and first event; return it and the
    private token. The same idempotency key always returns the first record."""
    token = private_token(data.idempotency_key)
    existing = _find_by_key(data.idempotency_key)
    if existing and _same_text(existing, data):
        return existing, token
    if existing:
        # The key was reused for different text (a page restored by Back, then edited):
        # a new submission, not a retry, so it gets a key and a private link of its own.
        data = replace(data, idempotency_key=secrets.token_hex(16))
        token = private_token(data.idempotency_key)
    _check(data)
    uploads = [f for f in files if f and f.filename]
    if len(uploads) > current_app.config["ATTACHMENT_MAX_COUNT"]:  # before any PDF is rewritten
        raise ValidationError("attachments", _too_many_files_message())
    prepared = [attachments.prepare(f) for f in uploads]
    stored = [attachments.store(*item) for item in prepared]
    submission = _build(data, token, user, stored)
    db.session.add(submission)
    try:
        messages.announce(submission, submission.events[-1])
        db.session.commit()
    except IntegrityError:
        # A double tap raced us: the other request stored this form first.
        db.session.rollback()
        for item in stored:
            attachments.remove(item.storage_key)
        existing = _find_by_key(data.idempotency_key)
        if existing is None:
            raise
        return existing, token
    return submission, token


def _same_text(submission: Submission, data: SubmissionInput) -> bool:
    return submission.title == clean_line(data.title) and submission.content == clean_block(data.content)


def already_received(idempotency_key: str | None) -> bool:
    """This form was stored before: sending it again is a retry, not a new submission."""
    return bool(idempotency_key) and _find_by_key(idempotency_key) is not None


def _find_by_key(key: str) -> Submission | None:
    return db.session.scalar(select(Submission).where(Submission.idempotency_key == key))


def _check(data: SubmissionInput) -> None:
    if data.channel not in IntakeChannel.ALL:
        raise ValueError(f"unknown intake channel {data.channel!r}")
    if data.kind not in Kind.ALL:
        raise ValidationError("kind", _("Choose what you are sending."))
    if not data.consent_processing:
        raise ValidationError("consent_processing", _("You must agree to the processing of your data to send."))
    if data.topic_id is not None and db.session.get(Topic, data.topic_id) is None:
        raise ValidationError("topic_id", _("Choose a topic."))


def _too_many_files_message() -> str:
    return _("Attach at most %(n)d files.", n=current_app.config["ATTACHMENT_MAX_COUNT"])


def _build(data: SubmissionInput, token: str, user, stored) -> Submission:
    title, content = clean_line(data.title), clean_block(data.content)
    submission = Submission(
        code=_unused_code(),
        private_token_hash=token_hash(token),
        idempotency_key=data.idempotency_key,
        kind=data.kind,
        topic_id=data.topic_id,
        province_code=data.province_code,
        ward_code=data.ward_code if data.province_code else None,
        latitude=data.latitude if data.longitude is not None else None,
        longitude=data.longitude if data.latitude is not None else None,
        title=title,
        content=content,
        legal_reference=clean_line(data.legal_reference) or None,
        proposed_change=clean_block(data.proposed_change) or None,
        locale=data.locale,
        channel=data.channel,
        consent_publish=data.consent_publish,
        anonymous_public=data.anonymous_public,
        status=Status.RECEIVED,
        due_date=_classify_due(data.kind),
    )
    _set_submitter(submission, data, user)
    publication.refresh_search(submission)
    notice = current_app.config["PRIVACY_NOTICE_VERSION"]
    for purpose, granted in (("processing", True), ("publish", data.consent_publish),
                             ("anonymous", data.anonymous_public)):
        submission.consents.append(Consent(purpose=purpose, granted=granted, notice_version=notice,
                                           method=data.consent_method, recorded_by_id=data.consent_recorded_by_id))
    for item in stored:
        submission.attachments.append(Attachment(storage_key=item.storage_key, original_name=item.original_name,
                                                 content_type=item.content_type, size=item.size))
    record_event(submission, "submit", to_status=Status.RECEIVED, actor=user)
    return submission


def _classify_due(kind: str):
    """The coordinators' clock starts at receipt (working days, see deadlines.py)."""
    return deadlines.classify_due(kind, utcnow())


def _set_submitter(submission: Submission, data: SubmissionInput, user) -> None:
    if user is not None and user.is_authenticated:
        submission.user_id = user.id
        submission.contact_name = user.full_name
        submission.contact_email = user.email
        submission.contact_phone = user.phone
        submission.submitter_kind = user.kind
        submission.org_name, submission.tax_code = user.org_name, user.tax_code
        submission.org_foreign = user.org_foreign
        return
    submission.contact_name = clean_line(data.contact_name)
    submission.contact_email = (data.contact_email or "").strip().lower() or None
    submission.contact_phone = data.contact_phone or None
    submission.submitter_kind = data.submitter_kind
    if data.submitter_kind == "organisation":
        submission.org_name = clean_line(data.org_name or "") or None
        submission.tax_code = data.tax_code or None
        submission.org_foreign = data.org_foreign


def _unused_code() -> str:
    for _attempt in range(20):
        code = codes.new_code()
        if find_by_code(code) is None:
            return code
    raise RuntimeError("no free tracking code after 20 tries")  # 1 in 10^8 per try at a million codes
