"""The statistics' summary as open data: every cell of both cubes, so each figure of the
pages can be added up again by anyone. Column names are stable (docs/opendata/)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.common.export import Column, Dataset, register
from app.extensions import db
from app.stats.models import StatsAgency, StatsArea


def _count(name: str, description) -> Column:
    return Column(name, "integer", description, nullable=False)


COLUMNS = [
    Column("table", "string", _l("“area” (by topic and province) or “agency” (by agency and province): "
                                 "each holds every submission once"), nullable=False),
    Column("month", "string", _l("Month of receipt, YYYY-MM, in Vietnam's calendar"), nullable=False),
    Column("kind", "string", _l("concern, policy or initiative"), nullable=False),
    _count("province_code", _l("Province code (General Statistics Office); 0 for a national matter")),
    Column("topic_id", "integer", _l("Top-level topic id in “area” rows (0: none); empty in “agency” rows")),
    Column("agency_id", "integer", _l("Agency id in “agency” rows (0: not routed yet); empty in “area” rows")),
    _count("received", _l("Submissions received")),
    _count("open_now", _l("Of these, still open at the refresh (including awaiting information)")),
    _count("overdue_now", _l("Of these, open past the due date at the refresh")),
    _count("answered_now", _l("Of these, in the status “answered” at the refresh")),
    _count("closed_now", _l("Of these, closed at the refresh (merged duplicates included)")),
    _count("rejected_now", _l("Of these, found not eligible")),
    _count("answered", _l("Of these, answered at least once")),
    _count("answered_on_time", _l("Of the answered, first answered on or before the due date")),
    _count("rated", _l("Answers the submitter rated")),
    _count("rated_good", _l("Answers rated 4 or 5 stars")),
    _count("stars_total", _l("Sum of the stars given (average = stars_total / rated)")),
    _count("reconsiderations", _l("Requests for reconsideration")),
    Column("answer_days", "string", _l("Working days from receipt to the first answer, as “days:count” pairs "
                                       "separated by spaces"), nullable=False),
]


def rows():
    """Every cell, area cube first; streamed."""
    for table, model in (("area", StatsArea), ("agency", StatsAgency)):
        query = select(model).order_by(*model.__table__.primary_key.columns)
        for cell in db.session.scalars(query.execution_options(yield_per=2000)):
            row = {column.name: getattr(cell, column.name, None) for column in COLUMNS[1:]}
            row["table"] = table
            yield row


STATISTICS = register(Dataset("thong-ke", _l("Statistics: the summary behind /thong-ke"), COLUMNS, rows, "stats.data"))
