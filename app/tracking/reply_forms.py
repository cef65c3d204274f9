"""The submitter's forms on the private page: more information, reconsideration, rating."""
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.common.forms import BaseForm


class ReplyForm(BaseForm):
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
