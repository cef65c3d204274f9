"""Desk forms: the queue filters (a GET form) and one small form per workflow step, each
carrying the submission's version so a stale page is caught instead of overwriting."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from app.common.forms import BaseForm
from app.submissions.states import KIND_CHOICES, REJECT_REASONS, STATUS_LABELS


def _optional_int(value):
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None


VIEWS = [("", _l("Needs action")), ("done", _l("Answered, closed or rejected")), ("all", _l("Everything"))]
SORTS = [("due", _l("Due date first")), ("new", _l("Newest first")), ("old", _l("Oldest first"))]
DUE_FILTERS = [("", _l("Any")), ("soon", _l("Due within 2 working days")), ("overdue", _l("Overdue"))]


class QueueFilterForm(BaseForm):
    class Meta:
        csrf = False  # filtering reads, never writes

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    view = SelectField(_l("Show"), choices=VIEWS, validators=[Optional()])
    status = SelectField(_l("Status"), choices=[("", _l("Any"))] + list(STATUS_LABELS.items()),
                         validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=[("", _l("Any"))] + KIND_CHOICES, validators=[Optional()])
    topic = SelectField(_l("Topic"), coerce=_optional_int, validators=[Optional()])
    province = SelectField(_l("Province or city"), coerce=_optional_int, validators=[Optional()])
    due = SelectField(_l("Deadline"), choices=DUE_FILTERS, validators=[Optional()])
    mine = BooleanField(_l("Assigned to me"))
    unassigned = BooleanField(_l("Unassigned"))
    sort = SelectField(_l("Sort"), choices=SORTS, default="due", validators=[Optional()])


class TemplateForm(BaseForm):
    title = StringField(_l("Title"), validators=[InputRequired(_l("Write a few words here.")), Length(max=200)])
    body = TextAreaField(_l("Text"), validators=[InputRequired(_l("Write a few words here.")), Length(max=10000)])


class DeleteForm(BaseForm):
    """Nothing to type: the CSRF token only."""


BULK_ACTIONS = [("assign", _l("Assign to one agency")), ("reject", _l("Reject as duplicates"))]


class BulkForm(BaseForm):
    """Coordinators act on several submissions of the queue at once."""

    ids = SelectMultipleField(_l("Submissions"), coerce=int, choices=[], validate_choice=False,
                              validators=[InputRequired(_l("Tick the submissions to act on."))])
    action = RadioField(_l("Action"), choices=BULK_ACTIONS,
                        validators=[InputRequired(_l("Choose one of the options."))])
    agency_id = SelectField(_l("Agency"), coerce=_optional_int, validators=[Optional()])
    note = TextAreaField(_l("Internal note"), validators=[Optional(), Length(max=2000)])


class StepForm(BaseForm):
    # Required: a step without the version it was made on could overwrite someone else's.
    version = HiddenField(validators=[InputRequired(_l("Reload the page and try again."))])

    @property
    def version_number(self) -> int | None:
        return _optional_int(self.version.data)

    @property
    def arguments(self) -> dict:
        """What was typed, by name: the arguments of the workflow function of this step."""
        return {name: field.data for name, field in self._fields.items() if name not in ("csrf_token", "version")}


class ClassifyForm(StepForm):
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, validators=[InputRequired(_l("Choose one of the options."))])
    topic_id = SelectField(_l("Topic"), coerce=_optional_int, validators=[Optional()])
    note = TextAreaField(_l("Internal note"), validators=[Optional(), Length(max=2000)])


class RejectForm(StepForm):
    reason = RadioField(_l("Reason"), choices=list(REJECT_REASONS.items()),
                        validators=[InputRequired(_l("Choose one of the options."))])
    note = TextAreaField(_l("Internal note"), validators=[Optional(), Length(max=2000)])


class AssignForm(StepForm):
    agency_id = SelectField(_l("Agency"), coerce=_optional_int, validators=[InputRequired(_l("Choose an agency."))])
    note = TextAreaField(_l("Internal note"), validators=[Optional(), Length(max=2000)])


class TransferForm(StepForm):
    agency_id = SelectField(_l("Agency"), coerce=_optional_int, validators=[InputRequired(_l("Choose an agency."))])
    reason = TextAreaField(_l("Reason, told to the submitter"), validators=[Length(max=2000)])


class AssignOfficerForm(StepForm):
    officer_id = SelectField(_l("Officer"), coerce=_optional_int,
                             validators=[InputRequired(_l("Choose someone of the agency handling it."))])
    note = TextAreaField(_l("Internal note"), validators=[Optional(), Length(max=2000)])


class TakeBackForm(StepForm):
    note = TextAreaField(_l("Internal note"), validators=[Optional(), Length(max=2000)])


class RequestInfoForm(StepForm):
    question = TextAreaField(_l("What is missing"), validators=[Length(max=2000)])


class DraftForm(StepForm):
    body = TextAreaField(_l("Answer"), validators=[Length(max=10000)])


class SendBackForm(StepForm):
    comment = TextAreaField(_l("What to rework"), validators=[Length(max=2000)])


class CloseForm(StepForm):
    note = TextAreaField(_l("Internal note"), validators=[Optional(), Length(max=2000)])


class MergeForm(StepForm):
    original_code = StringField(_l("Tracking code of the original"), validators=[Length(max=20)])


class NoteForm(StepForm):
    text = TextAreaField(_l("Internal note"), validators=[Length(max=2000)])


class TakeForm(StepForm):
    """Nothing to type: the officer makes the submission theirs."""


class AnswerForm(StepForm):
    """The lead approves the pending draft, which is published as the answer."""


STEP_FORMS = {
    "classify": ClassifyForm, "reject": RejectForm, "assign": AssignForm, "transfer": TransferForm,
    "take": TakeForm, "assign_officer": AssignOfficerForm, "take_back": TakeBackForm,
    "request_info": RequestInfoForm, "draft": DraftForm, "send_back": SendBackForm,
    "answer": AnswerForm, "close": CloseForm, "merge": MergeForm, "note": NoteForm,
}

STEP_BUTTONS = {
    "classify": _l("Accept and classify"), "reject": _l("Reject"), "assign": _l("Assign"),
    "transfer": _l("Transfer"), "take": _l("Take it"), "assign_officer": _l("Give it to an officer"),
    "take_back": _l("Take it back"), "request_info": _l("Ask the submitter"),
    "draft": _l("Send the draft for approval"), "send_back": _l("Send back"), "answer": _l("Approve and publish"),
    "close": _l("Close"), "merge": _l("Merge"), "note": _l("Add the note"),
}
