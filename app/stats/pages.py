"""What each statistics page shows, decided here from the figures: names for ids, rates,
the charts' geometry, the scorecard's order. Templates only write it out."""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app.agencies.models import Agency
from app.common import places
from app.common.text import vi_sort_key
from app.extensions import db
from app.stats import charts
from app.stats.services import rate
from app.submissions import topics
from app.submissions.states import kind_label

MAX_MONTH_LABELS = 12


def month_label(month: str) -> str:
    """"2026-01" as 01/2026, how Vietnamese (and this page in English) write a month."""
    return f"{month[5:]}/{month[:4]}"


def _short_month(month: str, months: list[str]) -> str:
    """Under a bar: the month's number, with the year when the months span more than one."""
    spans_years = months and months[0][:4] != months[-1][:4]
    return f"{int(month[5:])}/{month[2:4]}" if spans_years else str(int(month[5:]))


def label_step(count: int) -> int:
    return max(1, -(-count // MAX_MONTH_LABELS))


@dataclass
class Row:
    """A line of a table: its name, and the figures the page writes for it."""

    key: object
    name: str
    received: int
    answered: int
    on_time: int | None  # % of answers given by the due date
    median_days: int | None
    p90_days: int | None = None
    overdue: int = 0
    rating: float | None = None  # average stars
    rated_good: int | None = None  # % of rated answers rated 4 or 5


def _row(key, name: str, figures: dict) -> Row:
    return Row(key=key, name=name, received=figures["received"], answered=figures["answered"],
               on_time=rate(figures["answered_on_time"], figures["answered"]), median_days=figures["median_days"],
               p90_days=figures["p90_days"], overdue=figures["overdue_now"],
               rating=round(figures["stars_total"] / figures["rated"], 1) if figures["rated"] else None,
               rated_good=rate(figures["rated_good"], figures["rated"]))


def topic_names(locale: str) -> dict[int, str]:
    return {topic.id: topic.localized_name(locale) for topic in topics.top_level_topics()}


def agency_names(locale: str) -> dict[int, str]:
    return {agency.id: agency.localized_name(locale) for agency in db.session.scalars(select(Agency))}


def overview_page(figures: dict, locale: str) -> dict:
    months = figures["months"]
    labels = [_short_month(m, months) for m in months]
    by_month = [_row(m["month"], month_label(m["month"]), m) for m in figures["by_month"]]
    kinds = figures["by_kind"]
    top = max((value for kind in kinds for value in kind["received"]), default=0)
    topic_name = topic_names(locale)
    by_topic = [_row(item["topic_id"], topic_name.get(item["topic_id"], _("No topic")), item)
                for item in figures["by_topic"]]
    by_province = [_row(item["province_code"], places.province_name(item["province_code"]) or _("National"), item)
                   for item in figures["by_province"]]
    totals = figures["totals"]
    return {
        "totals": _row(None, _("All"), totals),
        "status_now": [(_("Open"), totals["open_now"]), (_("of which overdue"), totals["overdue_now"]),
                       (_("Answered"), totals["answered_now"]), (_("Closed"), totals["closed_now"]),
                       (_("Not eligible"), totals["rejected_now"])],
        "reconsiderations": totals["reconsiderations"],
        "by_month": by_month,
        "month_chart": charts.columns([row.received for row in by_month], labels),
        "on_time_chart": charts.lines({"on_time": [row.on_time for row in by_month]}, labels, top=100),
        "label_step": label_step(len(months)),
        # Small multiples: one chart per kind, on one shared scale so their heights compare.
        "kind_charts": [(kind_label(kind["kind"]), charts.columns(kind["received"], labels, height=60,
                                                                  scale=top))
                        for kind in kinds],
        "kind_table": [(month_label(m), [kind["received"][i] for kind in kinds]) for i, m in enumerate(months)],
        "kind_names": [kind_label(kind["kind"]) for kind in kinds],
        "by_topic": by_topic,
        "topic_chart": charts.rows([row.received for row in by_topic], [row.name for row in by_topic]),
        "by_province": by_province,
        "run": figures["run"],
    }


SORT_KEYS = {
    "name": lambda row: vi_sort_key(row.name),
    "received": lambda row: row.received,
    "answered": lambda row: row.answered,
    "on_time": lambda row: -1 if row.on_time is None else row.on_time,
    "median_days": lambda row: 10**6 if row.median_days is None else row.median_days,
    "overdue": lambda row: row.overdue,
    "rating": lambda row: -1 if row.rating is None else row.rating,
}


def scorecard_page(figures: dict, locale: str, sort: str, order: str) -> dict:
    names = agency_names(locale)
    rows = [_row(item["agency_id"], names.get(item["agency_id"], _("Not routed yet")), item)
            for item in figures["agencies"]]
    rows.sort(key=SORT_KEYS.get(sort, SORT_KEYS["received"]), reverse=order != "asc")
    charted = [row for row in rows if row.key]
    return {"rows": rows, "run": figures["run"],
            "on_time_chart": charts.rows([row.on_time or 0 for row in charted], [row.name for row in charted],
                                         top=100)}


def agency_page(figures: dict) -> dict:
    months = figures["months"]
    labels = [_short_month(m, months) for m in months]
    by_month = [_row(m["month"], month_label(m["month"]), m) for m in figures["by_month"]]
    return {
        "totals": _row(None, _("All"), figures["totals"]),
        "by_month": by_month,
        "trend_chart": charts.lines({"received": [row.received for row in by_month],
                                     "answered": [row.answered for row in by_month]}, labels),
        "on_time_chart": charts.lines({"on_time": [row.on_time for row in by_month]}, labels, top=100),
        "label_step": label_step(len(months)),
        "run": figures["run"],
    }
