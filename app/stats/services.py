"""The figures of the statistics pages for one set of filters, added up from the cubes and
kept as a snapshot until the next refresh: a page view reads one row."""
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.stats import refresh
from app.stats.models import MEASURES, StatsAgency, StatsArea, StatsRun, StatsSnapshot
from app.submissions import deadlines
from app.submissions.states import Kind

LAST_12_MONTHS, ALL_TIME = "12m", "all"


@dataclass(frozen=True)
class StatsFilters:
    """What a reader asked for: a period (the last 12 months, a year, or all), a province
    (0: national submissions), a top-level topic (0: none), a kind."""

    period: str = LAST_12_MONTHS
    province: int | None = None
    topic: int | None = None
    kind: str | None = None

    def key(self, view: str, extra: object = "") -> str:
        return f"{view}:{self.period}:{self.province}:{self.topic}:{self.kind}:{extra}"


def current_run() -> StatsRun:
    """The latest refresh; the first view of a new installation makes one."""
    return refresh.latest_run() or refresh.refresh()


def _months(run: StatsRun, period: str, today: date) -> list[str]:
    """The months of the period, oldest first, each shown even when nothing was received."""
    if period == ALL_TIME:
        if not run.first_month:
            return []
        first, last = run.first_month, max(run.last_month, today.strftime("%Y-%m"))
    elif period.isdigit():
        first, last = f"{period}-01", f"{period}-12"
    else:
        last = today.strftime("%Y-%m")
        year, month = today.year, today.month - 11
        if month < 1:
            year, month = year - 1, month + 12
        first = f"{year:04d}-{month:02d}"
    months, year, month = [], int(first[:4]), int(first[5:])
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def period_years(run: StatsRun) -> list[str]:
    if not run.first_month:
        return []
    return [str(year) for year in range(int(run.last_month[:4]), int(run.first_month[:4]) - 1, -1)]


def _cells(model, filters: StatsFilters, months: list[str], extra=()):
    """The cube's cells the filters select, as plain rows (no ORM objects: tens of thousands
    of cells are read when a filter is first asked for)."""
    if not months:
        return []
    columns = list(model.__table__.columns)
    query = select(*columns).where(model.month >= months[0], model.month <= months[-1], *extra)
    if filters.kind:
        query = query.where(model.kind == filters.kind)
    if filters.province is not None:
        query = query.where(model.province_code == filters.province)
    if filters.topic is not None and model is StatsArea:
        query = query.where(model.topic_id == filters.topic)
    return db.session.execute(query)


class _Sum:
    """Counts added up over cells, with the histogram of working days to a first answer."""

    def __init__(self):
        self.counts = dict.fromkeys(MEASURES, 0)
        self.days = Counter()

    def add(self, cell) -> None:
        for name in MEASURES:
            self.counts[name] += getattr(cell, name)
        self.days.update(refresh.decode_days(cell.answer_days))

    def figures(self) -> dict:
        return {**self.counts, "median_days": refresh.percentile(self.days, 0.5),
                "p90_days": refresh.percentile(self.days, 0.9)}


def _grouped(cells, key) -> dict:
    groups: dict = {}
    for cell in cells:
        groups.setdefault(key(cell), _Sum()).add(cell)
    return groups


def overview(filters: StatsFilters) -> dict:
    return _cached(filters.key("overview"), lambda run: _overview(run, filters))


def _overview(run: StatsRun, filters: StatsFilters) -> dict:
    months = _months(run, filters.period, deadlines.today())
    cells = list(_cells(StatsArea, filters, months))
    total, by_month = _Sum(), _grouped(cells, lambda c: c.month)
    for cell in cells:
        total.add(cell)
    by_kind_month = _grouped(cells, lambda c: (c.kind, c.month))
    return {
        "months": months,
        "totals": total.figures(),
        "by_month": [{"month": m, **(by_month[m].figures() if m in by_month else _Sum().figures())} for m in months],
        "by_kind": [{"kind": kind, "received": [by_kind_month[(kind, m)].counts["received"]
                                                if (kind, m) in by_kind_month else 0 for m in months]}
                    for kind in Kind.ALL],
        "by_topic": _listed(_grouped(cells, lambda c: c.topic_id), "topic_id"),
        "by_province": _listed(_grouped(cells, lambda c: c.province_code), "province_code"),
    }


def _listed(groups: dict, name: str) -> list[dict]:
    return sorted(({name: key, **group.figures()} for key, group in groups.items()),
                  key=lambda row: (-row["received"], row[name]))


def scorecard(filters: StatsFilters) -> dict:
    """Per agency: the scorecard follows the period, kind and province (the topic is the
    overview's: the agency cube has no topic, to stay small)."""
    return _cached(filters.key("agencies"), lambda run: _scorecard(run, filters))


def _scorecard(run: StatsRun, filters: StatsFilters) -> dict:
    months = _months(run, filters.period, deadlines.today())
    groups = _grouped(_cells(StatsAgency, filters, months), lambda c: c.agency_id)
    return {"months": months, "agencies": _listed(groups, "agency_id")}


def agency_trend(filters: StatsFilters, agency_id: int) -> dict:
    return _cached(filters.key("agency", agency_id), lambda run: _agency_trend(run, filters, agency_id))


def _agency_trend(run: StatsRun, filters: StatsFilters, agency_id: int) -> dict:
    months = _months(run, filters.period, deadlines.today())
    cells = list(_cells(StatsAgency, filters, months, extra=(StatsAgency.agency_id == agency_id,)))
    total, by_month = _Sum(), _grouped(cells, lambda c: c.month)
    for cell in cells:
        total.add(cell)
    return {"months": months, "totals": total.figures(),
            "by_month": [{"month": m, **(by_month[m].figures() if m in by_month else _Sum().figures())}
                         for m in months]}


def _cached(key: str, compute) -> dict:
    """The snapshot of this run for `key`, computed and stored on its first view."""
    run = current_run()
    snapshot = db.session.get(StatsSnapshot, key)
    if snapshot is not None and snapshot.run_id == run.id:
        return {**json.loads(snapshot.payload), "run": _run_info(run)}
    figures = compute(run)
    payload = json.dumps(figures, separators=(",", ":"))
    if snapshot is None:
        db.session.add(StatsSnapshot(key=key, run_id=run.id, payload=payload))
    else:
        snapshot.run_id, snapshot.payload = run.id, payload
    try:
        db.session.commit()
    except IntegrityError:  # another request stored the same figures first
        db.session.rollback()
    return {**figures, "run": _run_info(run)}


def _run_info(run: StatsRun) -> dict:
    return {"finished_at": run.finished_at, "submissions": run.submissions}


def rate(part: int, whole: int) -> int | None:
    """A share as the pages write it: a whole percentage, or None when nothing was counted."""
    return round(100 * part / whole) if whole else None
