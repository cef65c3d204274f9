"""A submission sent through the API (a one-stop desk, a hotline, a partner app): checked by
the very form the website uses, received by the same intake, with the same consents,
attachments and idempotency."""
import hashlib
import secrets

from flask import request
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.api.problems import Problem
from app.common.errors import ValidationError
from app.common.text import clean_block, clean_line
from app.extensions import db
from app.feedback.forms import SubmissionForm
from app.submissions import intake, topics
from app.submissions.models import Submission, Topic

# The API's names for the web form's fields, where they differ.
FORM_FIELDS = {"topic": "topic_id", "province": "province_code", "commune": "ward_code"}
API_FIELDS = {form: api for api, form in FORM_FIELDS.items()}
MAX_KEY = 200


def intake_key(token_id: int | None, header: str | None) -> str:
    """The intake's one-time key for an `Idempotency-Key`: scoped to the token, so two
    partners choosing the same key never meet; a fresh one when none is sent."""
    if not header:
        return secrets.token_hex(16)
    if len(header) > MAX_KEY:
        raise Problem("invalid-input", errors=[{"name": "Idempotency-Key", "reason": _("At most 200 characters.")}])
    return hashlib.sha256(f"{token_id}:{header}".encode()).hexdigest()[:32]


def create(body: dict, token_id: int | None, files=()) -> tuple[Submission, str, bool]:
    """Validate like the web form, then receive. Returns the submission, its private token
    and whether this was a replay of an earlier call with the same Idempotency-Key."""
    key = intake_key(token_id, request.headers.get("Idempotency-Key"))
    earlier = db.session.scalar(select(Submission).where(Submission.idempotency_key == key))
    if earlier is not None and (earlier.title != clean_line(body["title"])
                                or earlier.content != clean_block(body["content"])):
        raise Problem("unprocessable", _("This Idempotency-Key was used for a different submission. "
                                         "Use a new key for a new submission."))
    form = _checked_form(body, key)
    data = intake.SubmissionInput(
        idempotency_key=key, kind=form.kind.data, topic_id=form.topic_id.data, province_code=form.province_code.data,
        ward_code=form.ward_code.data, title=form.title.data, content=form.content.data,
        legal_reference=form.legal_reference.data or "", proposed_change=form.proposed_change.data or "",
        contact_name=form.contact_name.data, contact_phone=form.contact_phone.data or None,
        contact_email=form.contact_email.data or None, submitter_kind=form.submitter_kind.data,
        org_name=form.org_name.data, tax_code=form.tax_code.data, org_foreign=form.org_foreign.data,
        consent_processing=True, consent_publish=bool(body.get("consent_publish")),
        anonymous_public=bool(body.get("anonymous_public")), locale=body.get("locale", "vi"),
        latitude=body.get("lat"), longitude=body.get("long"),
    )
    try:
        submission, token = intake.submit_feedback(data, files)
    except ValidationError as error:
        db.session.rollback()
        raise Problem("invalid-input", error.message,
                      errors=[{"name": API_FIELDS.get(error.field, error.field), "reason": error.message}]) from None
    return submission, token, earlier is not None


def _checked_form(body: dict, key: str) -> SubmissionForm:
    """The website's SubmissionForm, fed the API's values: every rule it applies (lengths, a
    commune of the province, a Vietnamese mobile, an organisation's tax code, consent)
    applies here, and its messages, in the caller's language, become the problem's."""
    values = MultiDict({"idempotency_key": key})
    for name, value in body.items():
        if isinstance(value, bool):
            if value:
                values[name] = "y"
        elif name == "topic":
            values["topic_id"] = str(_topic_id(value))
        elif value is not None:
            values[FORM_FIELDS.get(name, name)] = str(value)
    form = SubmissionForm(formdata=values, meta={"csrf": False}, guest=True,
                          topics=topics.topic_choices("vi", ""))
    if not form.validate():
        refused = [{"name": API_FIELDS.get(name, name), "reason": " ".join(str(m) for m in messages)}
                   for name, messages in form.errors.items() if name not in ("attachments",)]
        raise Problem("invalid-input", _("Check the values named below."), errors=refused)
    return form


def _topic_id(slug: str) -> int | str:
    topic_id = db.session.scalar(select(Topic.id).where(Topic.slug == slug, Topic.active))
    return topic_id if topic_id is not None else "0"
