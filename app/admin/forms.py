"""The administrators' forms."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.agencies.models import AgencyLevel
from app.common.forms import BaseForm


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class StaffForm(BaseForm):
    full_name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=120)])
    email = StringField(_l("E-mail address"), validators=[InputRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), validators=[InputRequired()])
    agency_id = SelectField(_l("Agency"), coerce=_optional_int, validators=[Optional()])
    password = StringField(_l("Initial password"), validators=[Optional(), Length(min=10, max=128)])
    active = BooleanField(_l("Active"), default=True)


class DeadlineRuleForm(BaseForm):
    classify_days = IntegerField(_l("Working days to classify"), validators=[InputRequired(), NumberRange(1, 60)])
    answer_days = IntegerField(_l("Working days to answer"), validators=[InputRequired(), NumberRange(1, 90)])


class AgencyForm(BaseForm):
    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=32)])
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    level = SelectField(_l("Level"), choices=[(AgencyLevel.CENTRAL, _l("Central")),
                                               (AgencyLevel.PROVINCE, _l("Province")),
                                               (AgencyLevel.COMMUNE, _l("Commune"))])


class TopicForm(BaseForm):
    slug = StringField(_l("Short name for links"), validators=[InputRequired(), Length(max=64)])
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    parent_id = SelectField(_l("Parent topic"), coerce=_optional_int, validators=[Optional()])


class _Checkboxes(SelectMultipleField):
    """Several choices at once, each a checkbox (the radios macro lays them out)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TokenForm(BaseForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    scopes = _Checkboxes(_l("Scopes"), validators=[InputRequired(_l("Choose at least one scope."))])
    agency_id = SelectField(_l("Agency"), coerce=_optional_int, validators=[Optional()])
    acting_user_id = SelectField(_l("Acts as (an officer or lead of the agency)"), coerce=_optional_int,
                                 validators=[Optional()])
    contact_email = StringField(_l("Owner's e-mail address"), validators=[InputRequired(), Email(), Length(max=254)])
    days = IntegerField(_l("Valid for (days)"), default=365, validators=[InputRequired(), NumberRange(1, 730)])
    rate_limit = IntegerField(_l("Calls per minute"), default=600,
                              validators=[InputRequired(), NumberRange(10, 100000)])


class WebhookForm(BaseForm):
    token_id = SelectField(_l("Token (decides what the payloads may say)"), coerce=_optional_int,
                           validators=[InputRequired(_l("Choose a token."))])
    url = StringField(_l("HTTPS address"), validators=[InputRequired(), Length(max=500)])
    events = _Checkboxes(_l("Events"), validators=[InputRequired(_l("Choose at least one event."))])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=200)])
