"""The erasure form: the password (or a fresh sign-in for an account without one) and an
explicit confirmation."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired

from app.common.forms import BaseForm


class EraseForm(BaseForm):
    password = PasswordField(_l("Your password"))
    confirm = BooleanField(_l("I understand that my account and my personal data will be deleted for good."),
                           validators=[DataRequired(_l("Tick the box to confirm."))])
