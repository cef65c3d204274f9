"""Moderation forms: a flag, a moderator's action, an appeal and the word list."""
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.common.forms import BaseForm
from app.moderation.services import ACTIONS, REASONS, THREAD_ACTIONS


class FlagForm(BaseForm):
    reason = RadioField(_l("What is wrong?"), choices=list(REASONS.items()),
                        validators=[InputRequired(_l("Choose a reason."))])
    note = StringField(_l("More details (needed for “something else”)"), validators=[Optional(), Length(max=300, message=_l("At most 300 characters."))])


class ActionForm(BaseForm):
    action = SelectField(_l("Action"), choices=[(key, ACTIONS[key]) for key in THREAD_ACTIONS])
    rule = SelectField(_l("Rule"), choices=[("", "")] + list(REASONS.items()), validators=[Optional()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300, message=_l("At most 300 characters."))])
    days = IntegerField(_l("Days (suspend)"), validators=[Optional(), NumberRange(1, 365, _l("Enter a number of days from 1 to 365."))])
    minutes = IntegerField(_l("Minutes (slow mode)"), validators=[Optional(), NumberRange(0, 1440, _l("Enter a number of minutes from 0 to 1440."))])
    board_id = SelectField(_l("Board (move)"), coerce=lambda v: int(v) if str(v).isdigit() else None, validators=[Optional()], validate_choice=False)


class AppealForm(BaseForm):
    text = TextAreaField(_l("Why should the decision change?"), validators=[DataRequired(_l("Explain in 10 to 1,000 characters.")), Length(min=10, max=1000, message=_l("Explain in 10 to 1,000 characters."))])


class WordForm(BaseForm):
    word = StringField(_l("Word or phrase"), validators=[DataRequired(_l("Enter a word or phrase of 2 to 64 characters.")), Length(min=2, max=64, message=_l("Enter a word or phrase of 2 to 64 characters."))])
