"""The lookup form is a GET form: the result can be bookmarked and shared."""
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired
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
