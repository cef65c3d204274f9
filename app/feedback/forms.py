"""The submission form, usable by guests (contact details) and by signed-in people."""
import secrets

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, MultipleFileField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional
from wtforms.validators import ValidationError as FieldError

from app.common import places
from app.common.forms import SPEAKER_CHOICES, BaseForm, OrganisationFields, optional_int
from app.common.validators import normalize_mobile
from app.submissions.states import CHANNEL_LABELS, KIND_CHOICES, IntakeChannel


class SubmissionForm(OrganisationFields, BaseForm):
    idempotency_key = HiddenField(default=lambda: secrets.token_hex(16))
    kind = RadioField(_l("What are you sending?"), choices=KIND_CHOICES,
                      validators=[InputRequired(_l("Choose what you are sending."))])
    topic_id = SelectField(_l("Topic"), coerce=optional_int,
                           validators=[InputRequired(_l("Choose a topic."))])
    province_code = SelectField(_l("Province or city"), coerce=optional_int, validators=[Optional()])
    ward_code = SelectField(_l("Commune or ward"), coerce=optional_int, validators=[Optional()], validate_choice=False)
    title = StringField(_l("Title"), validators=[
        DataRequired(_l("Enter a title.")),
        Length(min=5, max=200, message=_l("The title must be 5 to 200 characters long."))])
    content = TextAreaField(_l("Content"), validators=[
        DataRequired(_l("Describe your concern or proposal.")),
        Length(min=20, max=10000, message=_l("The content must be 20 to 10,000 characters long."))])
    legal_reference = StringField(_l("Legal document concerned"), validators=[
        Optional(), Length(max=300, message=_l("At most 300 characters."))])
    proposed_change = TextAreaField(_l("Proposed change or solution"), validators=[
        Optional(), Length(max=5000, message=_l("At most 5,000 characters."))])
    attachments = MultipleFileField(_l("Attachments"))

    contact_name = StringField(_l("Full name"), validators=[Length(max=120, message=_l("At most 120 characters."))])
    # No Optional() on fields whose inline check decides when they are required: Optional()
    # stops the validation chain on an empty value before that check runs.
    contact_phone = StringField(_l("Mobile phone number"))
    contact_email = StringField(_l("E-mail address"), validators=[
        Optional(), Email(_l("Enter an e-mail address like name@example.vn."))])
    submitter_kind = RadioField(_l("Sending as"), default="individual", choices=SPEAKER_CHOICES)
    org_name = StringField(_l("Organisation name"), validators=[Length(max=200, message=_l("At most 200 characters."))])
    tax_code = StringField(_l("Tax code"))
    org_foreign = BooleanField(_l("A foreign organisation"))

    consent_processing = BooleanField(
        _l("I agree to the processing of my personal data as described above."),
        validators=[DataRequired(_l("You must agree to the processing of your data to send."))])
    consent_publish = BooleanField(_l("Publish my submission and its answer on the platform."))
    anonymous_public = BooleanField(_l("Show me as anonymous in public."))
    # Set once the sender has seen the published submissions like theirs ("is it one of
    # these?"), by the step page without JavaScript or by the htmx hints as they type.
    similar_checked = HiddenField()

    def __init__(self, *args, guest: bool = True, topics=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.guest = guest
        self.topic_id.choices = topics or {"": [("", "")]}
        self.province_code.choices = [("", _l("Whole country (no locality)"))] + places.provinces()
        self.refresh_ward_choices()

    def refresh_ward_choices(self) -> None:
        self.ward_code.choices = [("", _l("Whole province"))] + places.wards(self.province_code.data)

    @property
    def wards_listed(self) -> bool:
        """The communes of a province are offered (else the form says how to get them)."""
        return len(self.ward_code.choices) > 1

    def validate_ward_code(self, field):
        if field.data and not places.is_ward_of(self.province_code.data, field.data):
            raise FieldError(_l("Choose a commune or ward of the chosen province."))

    def validate_contact_name(self, field):
        if self.guest and not (field.data or "").strip():
            raise FieldError(_l("Enter your full name."))

    def validate_contact_phone(self, field):
        if field.data:
            field.data = mobile_or_error(field.data)
        elif self.guest and not self.contact_email.data:
            raise FieldError(_l("Enter a mobile number or an e-mail address so we can tell you the answer."))

    def validate_idempotency_key(self, field):
        if not (field.data and len(field.data) == 32 and all(c in "0123456789abcdef" for c in field.data)):
            field.data = secrets.token_hex(16)
            raise FieldError(_l("The form was damaged in transit. Check it and send again."))


class AssistedSubmissionForm(SubmissionForm):
    """The citizen's form, filled in by staff at the commune's one-stop counter or on the
    hotline for a resident: the resident's own details, how they came, and their consent as
    they gave it in person. A phone or an e-mail is optional (not everyone has one)."""

    channel = RadioField(_l("How did the resident reach you?"), default=IntakeChannel.COUNTER,
                         choices=[(value, CHANNEL_LABELS[value]) for value in IntakeChannel.ASSISTED],
                         validators=[InputRequired(_l("Choose how the resident reached you."))])
    contact_name = StringField(_l("Resident's full name"), validators=[
        Length(max=120, message=_l("At most 120 characters."))])
    contact_phone = StringField(_l("Resident's mobile number"))
    consent_processing = BooleanField(
        _l("The resident heard the privacy notice and agreed to the processing of their personal data."),
        validators=[DataRequired(_l("Record the resident's consent to the processing of their data to send."))])
    consent_publish = BooleanField(_l("The resident agrees to publishing the submission and its answer."))
    anonymous_public = BooleanField(_l("The resident wants to appear as anonymous in public."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, guest=True, **kwargs)

    def validate_contact_name(self, field):
        if not (field.data or "").strip():
            raise FieldError(_l("Enter the resident's full name."))

    def validate_contact_phone(self, field):
        if field.data:
            field.data = mobile_or_error(field.data)


class SimilarForm(BaseForm):
    """What "is it one of these?" compares while the form is typed (a GET, read only)."""

    class Meta:
        csrf = False

    title = StringField(validators=[Optional(), Length(max=200)])
    topic_id = SelectField(coerce=optional_int, validators=[Optional()], validate_choice=False)
    province_code = SelectField(coerce=optional_int, validators=[Optional()], validate_choice=False)


class GuestSupportForm(BaseForm):
    """A guest supports with a mobile number, proved by a code sent to it."""

    phone = StringField(_l("Your mobile number"), validators=[InputRequired(_l("Enter your mobile number."))])

    def validate_phone(self, field):
        normalized = normalize_mobile(field.data)
        if not normalized:
            raise FieldError(_l("Enter a Vietnamese mobile number, like 0912 345 678."))
        field.data = normalized


class SupportCodeForm(BaseForm):
    code = StringField(_l("The code in the message"), validators=[
        InputRequired(_l("Enter the code we sent.")), Length(max=12, message=_l("The code has 6 digits."))])


def mobile_or_error(typed: str) -> str:
    """The number in its stored form, or the field's error in the reader's language."""
    normalized = normalize_mobile(typed)
    if not normalized:
        raise FieldError(_l("Enter a Vietnamese mobile number, like 0912 345 678."))
    return normalized
