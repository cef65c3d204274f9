"""The shapes the API reads and writes, as marshmallow schemas: one declaration validates
the input, writes the output (nothing undeclared leaves, so no personal data can slip into a
public answer) and becomes the OpenAPI document."""
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from app.submissions.states import Kind, Status

STEP_NAMES = ("take", "request_info", "note", "draft", "answer", "transfer")
CODE_PATTERN = r"^[0-9]{10}$"


def _doc(description, example=None, **extra) -> dict:
    meta = {"description": description, **extra}
    if example is not None:
        meta["example"] = example
    return meta


class UtcDateTime(fields.DateTime):
    """Times leave as ISO 8601 in UTC with a Z; any offset is accepted on the way in."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.replace(tzinfo=None, microsecond=0).isoformat() + "Z"

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        if not datetime(1970, 1, 1) <= moment <= datetime(9000, 1, 1):
            raise ValidationError("out of range")
        return moment


class Input(Schema):
    class Meta:
        unknown = EXCLUDE  # an unknown query key is ignored, as browsers and proxies add some


# What comes in.

class ListArgs(Input):
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100),
                           metadata=_doc(_l("How many items a page holds (1 to 100)."), 20))
    cursor = fields.String(validate=validate.Length(max=200),
                           metadata=_doc(_l("The next_cursor of the previous page; leave it out for the first page.")))


class SubmissionListArgs(ListArgs):
    status = fields.String(validate=validate.OneOf(Status.ALL), metadata=_doc(_l("Only submissions in this status.")))
    kind = fields.String(validate=validate.OneOf(Kind.ALL), metadata=_doc(_l("Only submissions of this kind.")))
    agency = fields.String(validate=validate.Length(min=1, max=32),
                           metadata=_doc(_l("Only submissions handled by the agency with this code."), "BKHCN"))
    topic = fields.String(validate=validate.Length(min=1, max=64),
                          metadata=_doc(_l("Only submissions filed under the topic with this slug (or under its "
                                           "sub-topics)."), "vien-thong"))
    province = fields.Integer(validate=validate.Range(1, 999),
                              metadata=_doc(_l("Only submissions from the province with this code."), 1))
    updated_since = UtcDateTime(metadata=_doc(_l("Only submissions changed at or after this time (ISO 8601). For "
                                                 "a sync: keep the updated_at of the last item you stored and ask "
                                                 "again with it, order=asc."), "2026-01-31T08:00:00Z"))
    order = fields.String(load_default="desc", validate=validate.OneOf(("asc", "desc")),
                          metadata=_doc(_l("By last change: desc (newest first) or asc (oldest first, for a sync).")))


class StepBody(Input):
    version = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1),
                             metadata=_doc(_l("The version of the case you read: a step on a case someone else "
                                              "changed since is refused with 409, nothing is overwritten."), 3))
    text = fields.String(validate=validate.Length(max=10000),
                         metadata=_doc(_l("request_info: the question for the submitter; note: the internal note; "
                                          "draft: the answer; transfer: the reason told to the submitter.")))
    agency = fields.String(validate=validate.Length(min=1, max=32),
                           metadata=_doc(_l("transfer: the code of the agency to send the case to."), "BTC"))


class SubmissionCreate(Input):
    kind = fields.String(required=True, validate=validate.OneOf(Kind.ALL), metadata=_doc(_l("What is sent.")))
    topic = fields.String(validate=validate.Length(min=1, max=64), metadata=_doc(_l("The topic's slug."), "vien-thong"))
    province = fields.Integer(validate=validate.Range(1, 999), metadata=_doc(_l("Province code."), 1))
    commune = fields.Integer(validate=validate.Range(1, 999999),
                             metadata=_doc(_l("Commune or ward code, of the province given."), 4))
    title = fields.String(required=True, validate=validate.Length(min=5, max=200))
    content = fields.String(required=True, validate=validate.Length(min=20, max=10000))
    legal_reference = fields.String(validate=validate.Length(max=300))
    proposed_change = fields.String(validate=validate.Length(max=5000))
    contact_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    contact_phone = fields.String(validate=validate.Length(max=20),
                                  metadata=_doc(_l("A Vietnamese mobile number; a phone or an e-mail is needed.")))
    contact_email = fields.Email(validate=validate.Length(max=254))
    submitter_kind = fields.String(load_default="individual", validate=validate.OneOf(("individual", "organisation")))
    org_name = fields.String(validate=validate.Length(max=200))
    tax_code = fields.String(validate=validate.Length(max=20))
    org_foreign = fields.Boolean(load_default=False)
    consent_processing = fields.Boolean(required=True, metadata=_doc(
        _l("The person agreed to the processing of their data (privacy notice); must be true.")))
    consent_publish = fields.Boolean(load_default=False)
    anonymous_public = fields.Boolean(load_default=False)
    locale = fields.String(load_default="vi", validate=validate.OneOf(("vi", "en")),
                           metadata=_doc(_l("The language the person is told of each step in.")))
    lat = fields.Float(validate=validate.Range(-90, 90), allow_nan=False)
    long = fields.Float(validate=validate.Range(-180, 180), allow_nan=False)

    @validates_schema
    def _reachable(self, data, **kwargs):
        if not data.get("contact_phone") and not data.get("contact_email"):
            raise ValidationError(str(_l("Give a mobile number or an e-mail address.")), "contact_phone")


# What goes out.

class Ref(Schema):
    code = fields.String(metadata=_doc(_l("Stable identifier.")))
    name = fields.String()


class TopicRef(Schema):
    slug = fields.String()
    name = fields.String()


class PlaceRef(Schema):
    code = fields.Integer()
    name = fields.String()


class Answer(Schema):
    text = fields.String()
    answered_at = UtcDateTime()


class TimelineEntry(Schema):
    step = fields.String(metadata=_doc(_l("The workflow step.")))
    label = fields.String(metadata=_doc(_l("The step in the caller's language.")))
    at = UtcDateTime()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    note = fields.String(allow_none=True, metadata=_doc(_l("What the submitter was told (published submissions).")))


class CaseTimelineEntry(TimelineEntry):
    public = fields.Boolean()
    internal_note = fields.String(allow_none=True)
    actor = fields.String(allow_none=True)
    agency = fields.String(allow_none=True)


class SubmissionOut(Schema):
    code = fields.String(metadata=_doc(_l("The public tracking code (10 digits, the last a check digit)."),
                                       "1234567890"))
    url = fields.String(metadata=_doc(_l("This resource.")))
    web_url = fields.String(metadata=_doc(_l("The public tracking page.")))
    kind = fields.String()
    kind_label = fields.String()
    status = fields.String(metadata=_doc(_l("received, assigned, in_progress, awaiting_info, answered, closed, "
                                            "rejected or reopened.")))
    status_label = fields.String()
    published = fields.Boolean(metadata=_doc(_l("The submitter agreed to publication: title, content and answer "
                                                "are public.")))
    topic = fields.Nested(TopicRef, allow_none=True)
    agency = fields.Nested(Ref, allow_none=True)
    province = fields.Nested(PlaceRef, allow_none=True)
    commune = fields.Nested(PlaceRef, allow_none=True)
    title = fields.String(allow_none=True)
    content = fields.String(allow_none=True)
    legal_reference = fields.String(allow_none=True)
    proposed_change = fields.String(allow_none=True)
    answer = fields.Nested(Answer, allow_none=True)
    received_at = UtcDateTime()
    updated_at = UtcDateTime()
    due_date = fields.Date(allow_none=True)
    answered_at = UtcDateTime(allow_none=True)
    closed_at = UtcDateTime(allow_none=True)


class SubmissionDetail(SubmissionOut):
    timeline = fields.List(fields.Nested(TimelineEntry))


class Contact(Schema):
    name = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    submitter_kind = fields.String()
    org_name = fields.String(allow_none=True)
    tax_code = fields.String(allow_none=True)
    anonymous_public = fields.Boolean()


class AttachmentOut(Schema):
    id = fields.Integer()
    name = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    url = fields.String()


class Draft(Schema):
    text = fields.String()
    state = fields.String(metadata=_doc(_l("pending (waiting for a lead), returned or published.")))
    lead_comment = fields.String(allow_none=True)


class Location(Schema):
    lat = fields.Float()
    long = fields.Float()


class CaseOut(SubmissionOut):
    version = fields.Integer(metadata=_doc(_l("Send it back with a step.")))
    contact = fields.Nested(Contact)
    assignee = fields.String(allow_none=True)
    location = fields.Nested(Location, allow_none=True)
    steps = fields.List(fields.String(), metadata=_doc(_l("The steps this token may take on the case now.")))


class CaseDetail(CaseOut):
    timeline = fields.List(fields.Nested(CaseTimelineEntry))
    attachments = fields.List(fields.Nested(AttachmentOut))
    draft = fields.Nested(Draft, allow_none=True)


class StepResult(Schema):
    code = fields.String()
    status = fields.String()
    version = fields.Integer(allow_none=True, metadata=_doc(_l("The case's version now, for the next step; null "
                                                               "when the case left the agency (a transfer).")))
    steps = fields.List(fields.String(), metadata=_doc(_l("The steps this token may take on the case now.")))


class Links(Schema):
    next = fields.String(allow_none=True)


class SubmissionPage(Schema):
    items = fields.List(fields.Nested(SubmissionOut))
    next_cursor = fields.String(allow_none=True, metadata=_doc(_l("Pass it as cursor for the next page; null "
                                                                  "on the last page.")))
    links = fields.Nested(Links)


class CasePage(SubmissionPage):
    items = fields.List(fields.Nested(CaseOut))


class Created(Schema):
    code = fields.String()
    url = fields.String()
    web_url = fields.String()
    private_url = fields.String(metadata=_doc(_l("The submitter's private page: give it to the person, to them "
                                                 "alone; it is never shown again.")))
    status = fields.String()
    replayed = fields.Boolean(metadata=_doc(_l("True when the Idempotency-Key was seen before: this is the "
                                               "submission created then, nothing new was made.")))


class TopicOut(Schema):
    slug = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    parent = fields.String(allow_none=True, metadata=_doc(_l("The parent topic's slug.")))
    active = fields.Boolean()


class AgencyOut(Schema):
    code = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    level = fields.String(metadata=_doc(_l("central, province or commune.")))
    province = fields.Integer(allow_none=True)
    active = fields.Boolean()


class ProvinceOut(Schema):
    code = fields.Integer()
    name = fields.String()
    name_en = fields.String()


class AgencyStats(Schema):
    agency = fields.Nested(Ref)
    answered = fields.Integer()
    on_time = fields.Integer()
    on_time_rate = fields.Integer(allow_none=True, metadata=_doc(_l("Per cent of answers given by the due date.")))
    overdue_open = fields.Integer()


class Statistics(Schema):
    total = fields.Integer(metadata=_doc(_l("Every submission received.")))
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    agencies = fields.List(fields.Nested(AgencyStats))


class ProblemOut(Schema):
    type = fields.String(metadata=_doc(_l("A link to where this kind of problem is explained.")))
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    instance = fields.String()
    errors = fields.List(fields.Dict(keys=fields.String(), values=fields.String()),
                         metadata=_doc(_l("One entry per value that was refused: name and reason.")))
