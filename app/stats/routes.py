"""Statistics routes, public and without sign-in: the overview, the agencies' scorecard, one
agency's trend by month, and the summary behind them as open data. Every view is a GET
form's answer, so it can be bookmarked; every figure comes from a snapshot (services.py)."""
from flask import abort, request
from flask_babel import get_locale

from app.agencies.models import Agency
from app.common import export
from app.common.rendering import form_page
from app.extensions import db
from app.stats import bp, exports, pages, services
from app.stats.forms import ScorecardForm, StatsFilterForm
from app.stats.services import LAST_12_MONTHS, StatsFilters


@bp.app_template_filter("percent")
def percent(value) -> str:
    return "–" if value is None else f"{value}%"


@bp.app_template_filter("days")
def days(value) -> str:
    """Working days, or a dash when nothing was answered."""
    return "–" if value is None else str(value)


def _choices() -> dict:
    """The periods the data spans and the top-level topics, for the filters' lists."""
    return {"years": services.period_years(services.current_run()),
            "topics": pages.topic_names(str(get_locale())).items()}


def _filters(form) -> StatsFilters:
    return StatsFilters(period=form.period.data or LAST_12_MONTHS, province=form.province.data,
                        topic=form.topic.data, kind=form.kind.data)


@bp.get("")
def index():
    """Volumes, status now, speed and on-time rates for the filters chosen."""
    form = StatsFilterForm(request.args, **_choices())
    page = None
    if form.validate():
        page = pages.overview_page(services.overview(_filters(form)), str(get_locale()))
    return form_page("stats/index.html", form=form, page=page)


@bp.get("/co-quan")
def agencies():
    """The scorecard: each agency's volume, speed, on-time rate, overdue and rating, sortable."""
    form = ScorecardForm(request.args, **_choices())
    page = None
    if form.validate():
        figures = services.scorecard(_filters(form))
        page = pages.scorecard_page(figures, str(get_locale()), form.sort.data or "received", form.order.data or "desc")
    return form_page("stats/agencies.html", form=form, page=page)


@bp.get("/co-quan/<id:agency_id>")
def agency(agency_id: int):
    """One agency's figures, and its trend month by month."""
    found = db.session.get(Agency, agency_id) or abort(404)
    form = StatsFilterForm(request.args, **_choices())
    page = None
    if form.validate():
        page = pages.agency_page(services.agency_trend(_filters(form), agency_id))
    return form_page("stats/agency.html", form=form, page=page, agency=found)


@bp.get("/du-lieu.<fmt>")
def data(fmt: str):
    """The summary (both cubes) as CSV or JSON Lines."""
    if fmt not in export.FORMATS:
        abort(404)
    services.current_run()
    return export.download(fmt, "thong-ke", exports.COLUMNS, exports.rows())
