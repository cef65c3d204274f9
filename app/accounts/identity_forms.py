"""Forms of the identity and organisation pages: a verification request, a member, a review."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.validators import ValidationError as FieldError

from app.common.forms import BaseForm
from app.common.validators import normalize_tax_code


class OrganisationRequestForm(BaseForm):
    name = StringField(_l("Organisation name"), validators=[
        DataRequired(_l("Enter the organisation's name.")), Length(max=200, message=_l("At most 200 characters."))])
    tax_code = StringField(_l("Tax code"), validators=[DataRequired(_l("Enter the organisation's tax code."))])
    document = FileField(_l("Business registration certificate (PDF or photo)"))

    def validate_tax_code(self, field):
        normalized = normalize_tax_code(field.data)
        if not normalized:
            raise FieldError(_l("Enter a valid tax code: 10 digits, or 13 for a branch (0100109106-001)."))
        field.data = normalized


class MemberForm(BaseForm):
    identifier = StringField(_l("Their e-mail address or mobile number"), validators=[
        DataRequired(_l("Enter an e-mail address or a mobile number."))])


class ReviewForm(BaseForm):
    decision = RadioField(_l("Decision"), choices=[("approve", _l("Verify the organisation")),
                                                   ("reject", _l("Refuse the request"))],
                          validators=[DataRequired(_l("Choose a decision."))])
    note = StringField(_l("Note (for the record)"), validators=[Length(max=500, message=_l("At most 500 characters."))])
