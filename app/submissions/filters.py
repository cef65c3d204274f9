"""The public list's filters as a GET form (bookmarkable, shareable): the public list and the
open-data files read the same query string, so a search's address gives its download."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from app.common import places
from app.common.forms import BaseForm, optional_int, optional_str
from app.submissions.search import PublicFilters, PublicSort
from app.submissions.states import KIND_CHOICES, STATUS_LABELS, Status


class PublicListForm(BaseForm):
    """Filters of the public list: a GET form, so a search can be bookmarked and shared."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100, message=_l("At most 100 characters."))])
    kind = SelectField(_l("Kind"), coerce=optional_str, validators=[Optional()])
    topic = SelectField(_l("Topic"), coerce=optional_int, validators=[Optional()])
    province = SelectField(_l("Province or city"), coerce=optional_int, validators=[Optional()])
    status = SelectField(_l("Status"), coerce=optional_str, validators=[Optional()])
    sort = SelectField(_l("Order"), default=PublicSort.NEWEST, validators=[Optional()],
                       choices=[(PublicSort.NEWEST, _l("Newest first")),
                                (PublicSort.SUPPORTS, _l("Most supported first"))])

    def __init__(self, *args, topics=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", _l("All kinds"))] + KIND_CHOICES
        self.topic.choices = topics or {"": [("", "")]}
        self.province.choices = [("", _l("All provinces"))] + places.provinces()
        self.status.choices = [("", _l("All statuses"))] + [(s, STATUS_LABELS[s]) for s in Status.ALL]

    def filters(self) -> PublicFilters:
        """What the validated form asks for."""
        return PublicFilters(query=self.q.data or "", kind=self.kind.data, topic_id=self.topic.data,
                             province_code=self.province.data, status=self.status.data,
                             sort=self.sort.data or PublicSort.NEWEST)
