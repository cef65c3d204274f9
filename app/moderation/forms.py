"""Moderation forms: a flag, a moderator's decision, a moderator's edit, an appeal and the word list."""
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.common.forms import BaseForm
from app.forum import services as forum
from app.forum.forms import as_id, body_field
from app.moderation.policy import REASONS, TRUST_LEVELS
from app.moderation.services import DECISIONS, THREAD_DECISIONS, canned_replies

AT_MOST_300 = _l("At most 300 characters.")


def _rule_field(label):
    return SelectField(label, choices=[("", "")] + list(REASONS.items()), validators=[Optional()])


class FlagForm(BaseForm):
    reason = RadioField(_l("What is wrong?"), choices=list(REASONS.items()),
                        validators=[InputRequired(_l("Choose a reason."))])
    note = StringField(_l("More details (needed for “something else”)"),
                       validators=[Optional(), Length(max=300, message=AT_MOST_300)])


class DecisionForm(BaseForm):
    decision = SelectField(_l("Decision"), choices=[(key, DECISIONS[key]) for key in THREAD_DECISIONS])
    rule = _rule_field(_l("Rule"))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300, message=AT_MOST_300)])
    days = IntegerField(_l("For how many days"),
                        validators=[Optional(), NumberRange(1, 365, _l("Enter a number of days from 1 to 365."))])
    minutes = IntegerField(_l("Minutes between two posts of one person (0: off)"), validators=[
        Optional(), NumberRange(0, 1440, _l("Enter a number of minutes from 0 to 1440."))])
    board_id = SelectField(_l("Board"), coerce=as_id, validators=[Optional()], validate_choice=False)
    canned = SelectField(_l("Or a saved reply"), coerce=as_id, validators=[Optional()], validate_choice=False)


def decision_form(submitted: bool = False) -> DecisionForm:
    """The decision form, its boards and saved replies filled in: empty to show, or read from the request."""
    form = DecisionForm() if submitted else DecisionForm(formdata=None)
    form.board_id.choices = [("", "")] + [(board.id, board.name) for board in forum.boards()]
    form.canned.choices = [("", "")] + [(reply.id, reply.title) for reply in canned_replies()]
    return form


class CannedReplyForm(BaseForm):
    title = StringField(_l("Short name"), validators=[
        DataRequired(_l("Enter a short name of 2 to 80 characters.")),
        Length(min=2, max=80, message=_l("Enter a short name of 2 to 80 characters."))])
    text = TextAreaField(_l("Note the author is told"), validators=[
        DataRequired(_l("Write the note: up to 300 characters.")),
        Length(max=300, message=AT_MOST_300)])


class ModeratorEditForm(BaseForm):
    body = body_field(_l("Post"))
    rule = _rule_field(_l("Rule"))
    note = StringField(_l("Note to the author"), validators=[Optional(), Length(max=300, message=AT_MOST_300)])


class AppealForm(BaseForm):
    text = TextAreaField(_l("Why should the decision change?"), validators=[
        DataRequired(_l("Explain in 10 to 1,000 characters.")),
        Length(min=10, max=1000, message=_l("Explain in 10 to 1,000 characters."))])


class WordForm(BaseForm):
    word = StringField(_l("Word or phrase"), validators=[
        DataRequired(_l("Enter a word or phrase of 2 to 64 characters.")),
        Length(min=2, max=64, message=_l("Enter a word or phrase of 2 to 64 characters."))])


class TrustForm(BaseForm):
    level = SelectField(_l("Trust level"), choices=[("", _l("As earned"))] + [
        (str(level), label) for level, label in TRUST_LEVELS.items()], validators=[Optional()])
    note = StringField(_l("Why (kept in the log)"), validators=[Optional(), Length(max=200)])


class RestrictForm(BaseForm):
    kind = RadioField(_l("Restriction"), choices=[
        ("silence", _l("Silence: can read, vote and flag, cannot post")),
        ("suspend", _l("Suspend: can read only"))], validators=[InputRequired(_l("Choose a restriction."))])
    days = IntegerField(_l("For how many days"), validators=[
        InputRequired(_l("Enter a number of days from 1 to 365.")),
        NumberRange(1, 365, _l("Enter a number of days from 1 to 365."))])
    rule = _rule_field(_l("Rule"))
    note = StringField(_l("Note to the person"), validators=[Optional(), Length(max=300, message=AT_MOST_300)])
