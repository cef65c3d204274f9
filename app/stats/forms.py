"""The statistics' filters: a GET form, so any view can be bookmarked and shared."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional

from app.common import places
from app.common.forms import BaseForm, optional_int, optional_str
from app.stats.services import ALL_TIME, LAST_12_MONTHS
from app.submissions.states import KIND_CHOICES

NATIONAL = 0  # the province filter's value for submissions about no province
SORTS = ("name", "received", "answered", "on_time", "median_days", "overdue", "rating")


class StatsFilterForm(BaseForm):
    class Meta:
        csrf = False

    period = SelectField(_l("Period"), default=LAST_12_MONTHS, validators=[Optional()])
    province = SelectField(_l("Province or city"), coerce=optional_int, validators=[Optional()])
    topic = SelectField(_l("Topic"), coerce=optional_int, validators=[Optional()])
    kind = SelectField(_l("Kind"), coerce=optional_str, validators=[Optional()])

    def __init__(self, *args, years=(), topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.period.choices = [(LAST_12_MONTHS, _l("Last 12 months")), (ALL_TIME, _l("All time"))] + [
            (year, year) for year in years]
        self.province.choices = [("", _l("All provinces")), (NATIONAL, _l("National (no province)"))] + \
            places.provinces()
        self.topic.choices = [("", _l("All topics"))] + list(topics)
        self.kind.choices = [("", _l("All kinds"))] + KIND_CHOICES


class ScorecardForm(StatsFilterForm):
    """The filters, and the column the scorecard is sorted by."""

    sort = SelectField(_l("Sort by"), default="received", validators=[Optional()],
                       choices=[(name, name) for name in SORTS])
    order = SelectField(_l("Order"), default="desc", validators=[Optional()],
                        choices=[("desc", _l("Descending")), ("asc", _l("Ascending"))])
