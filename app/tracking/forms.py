"""Tracking's forms: the lookup (a GET form, so the result can be bookmarked and shared), and
the submitter's steps on the private page: more information, reconsideration, rating."""
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.validators import ValidationError as FieldError

from app.common.forms import BaseForm
from app.submissions import codes


class LookupForm(BaseForm):
    class Meta:
        csrf = False  # reading public status changes nothing

    code = StringField(_l("Tracking code"), validators=[DataRequired(_l("Enter the tracking code."))])

    def validate_code(self, field):
        code = codes.normalize(field.data)
        if not code.isdigit() or len(code) != codes.CODE_LENGTH:
            raise FieldError(_l("A tracking code has 10 digits, like 123 456 7890."))
        if not codes.is_valid(code):
            raise FieldError(_l("This code has a typing mistake: check each digit against your receipt."))
        field.data = code


class ProvideInfoForm(BaseForm):
    """The answer to the agency's request for information (the workflow's provide_info)."""

    reply = TextAreaField(_l("Your answer"), validators=[
        InputRequired(_l("Write your answer.")), Length(max=5000, message=_l("At most 5,000 characters."))])


class ReconsiderForm(BaseForm):
    reason = TextAreaField(_l("Why should the answer be reconsidered?"), validators=[
        InputRequired(_l("Write your reason.")), Length(max=5000, message=_l("At most 5,000 characters."))])


class RatingForm(BaseForm):
    stars = RadioField(_l("How useful was the answer?"), coerce=int,
                       choices=[(n, str(n)) for n in range(5, 0, -1)],
                       validators=[InputRequired(_l("Choose from 1 to 5."))])
    comment = TextAreaField(_l("Comment (optional)"), validators=[
        Optional(), Length(max=2000, message=_l("At most 2,000 characters."))])
