"""Submitting feedback: one record per form, whatever the network does to the request."""
import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.common import paging
from app.common.errors import ValidationError
from app.common.paging import Page
from app.common.text import clean_block, clean_line, search_key
from app.extensions import db
from app.feedback import uploads
from app.feedback.models import Attachment, Consent, Kind, Submission, Topic
from app.tracking import codes
from app.workflow import Status, record_event


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


def private_token(idempotency_key: str) -> str:
    """The submitter's private link, derived from the form's one-time key so that a retry
    of the same form can show the same link without the link being stored anywhere."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"private-link:" + idempotency_key.encode(), hashlib.sha256).hexdigest()[:40]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_by_token(token: str) -> Submission | None:
    if not token or len(token) != 40 or not all(c in "0123456789abcdef" for c in token):
        return None
    return db.session.scalar(select(Submission).where(Submission.private_token_hash == token_hash(token)))


def find_by_code(code: str) -> Submission | None:
    if not codes.is_valid(code):  # a typo, or junk that PostgreSQL would choke on (NUL)
        return None
    return db.session.scalar(select(Submission).where(Submission.code == code))


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
    prepared = [uploads.prepare(f) for f in files if f and f.filename]
    if len(prepared) > current_app.config["ATTACHMENT_MAX_COUNT"]:
        raise ValidationError("attachments", _too_many_files_message())
    stored = [uploads.store(*item) for item in prepared]
    submission = _build(data, token, user, stored)
    db.session.add(submission)
    try:
        db.session.commit()
    except IntegrityError:
        # A double tap raced us: the other request stored this form first.
        db.session.rollback()
        for item in stored:
            uploads.remove(item.storage_key)
        existing = _find_by_key(data.idempotency_key)
        if existing is None:
            raise
        return existing, token
    return submission, token


def _same_text(submission: Submission, data: SubmissionInput) -> bool:
    return submission.title == clean_line(data.title) and submission.content == clean_block(data.content)


def _find_by_key(key: str) -> Submission | None:
    return db.session.scalar(select(Submission).where(Submission.idempotency_key == key))


def _check(data: SubmissionInput) -> None:
    from flask_babel import gettext as _

    if data.kind not in Kind.ALL:
        raise ValidationError("kind", _("Choose what you are sending."))
    if not data.consent_processing:
        raise ValidationError("consent_processing", _("You must agree to the processing of your data to send."))
    if data.topic_id is not None and db.session.get(Topic, data.topic_id) is None:
        raise ValidationError("topic_id", _("Choose a topic."))


def _too_many_files_message() -> str:
    from flask_babel import gettext as _

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
        title=title,
        content=content,
        legal_reference=clean_line(data.legal_reference) or None,
        proposed_change=clean_block(data.proposed_change) or None,
        search_text=search_key(f"{title} {content}"),
        locale=data.locale,
        consent_publish=data.consent_publish,
        anonymous_public=data.anonymous_public,
        status=Status.RECEIVED,
        due_date=_classify_due(data.kind),
    )
    _set_submitter(submission, data, user)
    notice = current_app.config["PRIVACY_NOTICE_VERSION"]
    for purpose, granted in (("processing", True), ("publish", data.consent_publish),
                             ("anonymous", data.anonymous_public)):
        submission.consents.append(Consent(purpose=purpose, granted=granted, notice_version=notice))
    for item in stored:
        submission.attachments.append(Attachment(storage_key=item.storage_key, original_name=item.original_name,
                                                 content_type=item.content_type, size=item.size))
    record_event(submission, "submit", to_status=Status.RECEIVED, actor=user)
    return submission


def _classify_due(kind: str):
    """The coordinators' clock starts at receipt (working days, see app/desk/deadlines.py)."""
    from app.common.time import utcnow
    from app.desk import deadlines

    return deadlines.classify_due(kind, utcnow())


def _set_submitter(submission: Submission, data: SubmissionInput, user) -> None:
    if user is not None and user.is_authenticated:
        submission.user_id = user.id
        submission.contact_name = user.full_name
        submission.contact_email = user.email
        submission.contact_phone = user.phone
        submission.submitter_kind = user.kind
        submission.org_name, submission.tax_code, submission.org_foreign = user.org_name, user.tax_code, user.org_foreign
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


def topic_choices(locale: str, placeholder: str) -> dict:
    """Topics grouped under their parent for <optgroup>s; the "" group holds the placeholder."""
    topics = db.session.scalars(select(Topic).where(Topic.active).order_by(Topic.position, Topic.id)).all()
    children: dict[int | None, list[Topic]] = {}
    for topic in topics:
        children.setdefault(topic.parent_id, []).append(topic)
    choices = {"": [("", placeholder)]}
    for root in children.get(None, []):
        members = children.get(root.id) or [root]
        choices[root.localized_name(locale)] = [(t.id, t.localized_name(locale)) for t in members]
    return choices


@dataclass
class PublicFilters:
    """What a reader of the public list asked for; every field optional."""

    query: str = ""
    kind: str | None = None
    topic_id: int | None = None
    province_code: int | None = None
    status: str | None = None


def public_submissions(filters: PublicFilters, page: int = 1, per_page: int = 20) -> Page:
    """Submissions whose senders agreed to publication, newest first, searchable without
    diacritics ("chuyen doi so" finds "chuyển đổi số")."""
    query = select(Submission).where(Submission.consent_publish.is_(True), Submission.merged_into_id.is_(None))
    for word in search_key(filters.query).split()[:6]:
        query = query.where(Submission.search_text.contains(word, autoescape=True))
    for column, value in ((Submission.kind, filters.kind), (Submission.topic_id, filters.topic_id),
                          (Submission.province_code, filters.province_code), (Submission.status, filters.status)):
        if value is not None:
            query = query.where(column == value)
    query = query.order_by(Submission.received_at.desc(), Submission.id.desc())
    return paging.fetch(query, page, per_page)
