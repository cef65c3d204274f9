"""Forum forms: threads, posts, the author's edit, and the administrators' boards, badges and dialogues."""
import re

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from app.common.forms import BaseForm
from app.common.params import valid_id
from app.common.time import from_vietnam_time, to_vietnam_time
from app.forum.models import BadgeKind, PostPolicy


def as_id(value) -> int | None:
    """An id typed into (or hidden in) a form: a number the database can hold, else None."""
    text = str(value or "").strip()
    return int(text) if re.fullmatch(r"[0-9]{1,10}", text) and valid_id(int(text)) else None


def body_field(label):
    # The length limit is checked by the service so a huge post gets a message, not a 413.
    return TextAreaField(label, validators=[DataRequired(_l("Write your post."))])


class ThreadForm(BaseForm):
    title = StringField(_l("Title"), validators=[
        DataRequired(_l("Enter a title.")),
        Length(max=400, message=_l("The title must be 5 to 200 characters long."))])
    body = body_field(_l("Your post"))
    submission_code = StringField(_l("Tracking code of a published submission (optional)"), validators=[Optional()])


class PostForm(BaseForm):
    body = body_field(_l("Your reply"))
    quote_of = HiddenField(filters=[as_id])


class QuestionForm(BaseForm):
    body = body_field(_l("Your question"))


class AnswerForm(BaseForm):
    body = body_field(_l("The panel's answer"))


class EditForm(BaseForm):
    body = body_field(_l("Post"))


class BoardForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=120)])
    slug = StringField(_l("Address (letters, digits and dashes)"), validators=[Optional(), Length(max=64)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=500)])
    post_policy = SelectField(_l("Who may post"), choices=[
        (PostPolicy.EVERYONE, _l("Everyone signed in")),
        (PostPolicy.OFFICIALS, _l("Officials and verified experts only"))])


class BadgeForm(BaseForm):
    email = StringField(_l("E-mail address of the account"), validators=[
        DataRequired(_l("Enter an e-mail address.")), Email(_l("Enter an e-mail address like name@example.vn."))])
    kind = SelectField(_l("Badge"), choices=[(BadgeKind.EXPERT, _l("Verified expert or scientist")),
                                             (BadgeKind.VERIFIED, _l("Identity-verified citizen"))])
    label = StringField(_l("Title shown (e.g. Assoc. Prof., Institute of Physics)"),
                        validators=[Optional(), Length(max=120)])


class VietnamTimeField(DateTimeLocalField):
    """A date and time typed (and shown) in Vietnam time; `data` is the naive UTC stored."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = from_vietnam_time(self.data)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return to_vietnam_time(self.data).strftime(self.format[0]) if self.data else ""


class DialogueForm(BaseForm):
    board_id = SelectField(_l("Board"), coerce=int)
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)])
    body = body_field(_l("Introduction"))
    starts_at = VietnamTimeField(_l("Starts (Vietnam time)"), format="%Y-%m-%dT%H:%M",
                                 validators=[DataRequired(_l("Enter a date and time."))])
    ends_at = VietnamTimeField(_l("Ends (Vietnam time)"), format="%Y-%m-%dT%H:%M",
                               validators=[DataRequired(_l("Enter a date and time."))])
    panel = TextAreaField(_l("Panel: e-mail addresses, one a line"),
                          validators=[DataRequired(_l("Name at least one panel member."))])
