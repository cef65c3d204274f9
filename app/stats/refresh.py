"""Rebuild the statistics' cubes from the submissions and their event table, in one pass that
streams the rows (memory holds the cells, never the submissions), then replace the old
cubes in one transaction. `flask stats refresh` runs it on a schedule (the worker, every 15
minutes; a million submissions take well under a minute), so a page costs the same at 10k
and at 1M submissions.

What each figure means, for the page and the data dictionary:
- a submission counts in the month it was received (Vietnam's calendar);
- "answered" is a submission with at least one published answer (an "answer" event); its
  working days run from the day of receipt to the day of the first answer, counted like the
  deadlines (weekends, Tết and the other public holidays of the `holidays` package excluded);
- "on time" is a first answer given on or before the due date, both as Vietnam's dates;
- "overdue now" is open (someone owes an answer, the clock running) past its due date today;
- "rated good" is an answer the submitter rated 4 or 5 stars; a reconsideration is a
  "reopen" event."""
import time
from bisect import bisect_right
from collections import Counter
from datetime import date

from sqlalchemy import case, delete, func, insert, select

from app.extensions import db
from app.stats.models import MEASURES, StatsAgency, StatsArea, StatsRun, StatsSnapshot
from app.submissions import deadlines
from app.submissions.calendar import working_days_between
from app.submissions.models import Rating, Submission, SubmissionEvent, Topic
from app.submissions.states import Status

STREAM_BATCH = 5_000
GOOD_STARS = 4
KEEP_RUNS = 100

# Status now, as the page groups it.
OPEN = frozenset((Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_INFO, Status.REOPENED))


class _Cells:
    """Counts per cell, and the histogram of working days to a first answer."""

    def __init__(self):
        self.counts: dict[tuple, list[int]] = {}
        self.days: dict[tuple, Counter] = {}

    def add(self, key: tuple, values: tuple[int, ...], answer_days: int | None) -> None:
        cell = self.counts.get(key)
        if cell is None:
            cell = self.counts[key] = [0] * len(MEASURES)
        for position, value in enumerate(values):
            cell[position] += value
        if answer_days is not None:
            self.days.setdefault(key, Counter())[answer_days] += 1

    def rows(self, names: tuple[str, ...]):
        for key, values in self.counts.items():
            row = dict(zip(names, key, strict=True))
            row.update(zip(MEASURES, values, strict=True))
            row["answer_days"] = encode_days(self.days.get(key, Counter()))
            yield row


def encode_days(days: Counter) -> str:
    return " ".join(f"{d}:{n}" for d, n in sorted(days.items()))


def decode_days(text: str) -> Counter:
    found = Counter()
    for pair in (text or "").split():
        day, _sep, count = pair.partition(":")
        found[int(day)] += int(count)
    return found


def percentile(days: Counter, share: float) -> int | None:
    """The nearest-rank percentile of a histogram: the smallest value with at least `share`
    of the answers at or below it (the median is share 0.5)."""
    total = sum(days.values())
    if not total:
        return None
    values = sorted(days)
    running, cumulative = 0, []
    for value in values:
        running += days[value]
        cumulative.append(running)
    rank = max(1, -(-int(share * 1000) * total // 1000))  # ceil(share * total), in integers
    return values[bisect_right(cumulative, rank - 1)]


def _submission_rows():
    """Each submission with what the figures need, the answers and reconsiderations read
    from the event table; streamed in batches."""
    steps = (select(SubmissionEvent.submission_id,
                    func.min(case((SubmissionEvent.action == "answer", SubmissionEvent.created_at))).label("answered"),
                    func.sum(case((SubmissionEvent.action == "reopen", 1), else_=0)).label("reopens"))
             .where(SubmissionEvent.action.in_(("answer", "reopen")))
             .group_by(SubmissionEvent.submission_id).subquery())
    query = (select(Submission.kind, Submission.topic_id, Submission.province_code, Submission.agency_id,
                    Submission.status, Submission.due_date, Submission.received_at, steps.c.answered,
                    steps.c.reopens, Rating.stars)
             .outerjoin(steps, steps.c.submission_id == Submission.id)
             .outerjoin(Rating, Rating.submission_id == Submission.id))
    return db.session.execute(query.execution_options(yield_per=STREAM_BATCH))


def build(today: date | None = None) -> tuple[_Cells, _Cells, int, list[str]]:
    """The two cubes, the number of submissions and the months seen."""
    today = today or deadlines.today()
    roots = {topic_id: parent_id or topic_id for topic_id, parent_id in db.session.execute(
        select(Topic.id, Topic.parent_id))}
    area, agency, seen, months = _Cells(), _Cells(), 0, set()
    for kind, topic_id, province, agency_id, status, due, received, answered, reopens, stars in _submission_rows():
        seen += 1
        received_on = deadlines.local_date(received)
        month = received_on.strftime("%Y-%m")
        months.add(month)
        answer_days, on_time = None, 0
        if answered is not None:
            answered_on = deadlines.local_date(answered)
            answer_days = working_days_between(received_on, answered_on)
            on_time = int(due is not None and answered_on <= due)
        values = (
            1,
            int(status in OPEN),
            int(status in Status.OPEN and due is not None and due < today),
            int(status == Status.ANSWERED),
            int(status == Status.CLOSED),
            int(status == Status.REJECTED),
            int(answered is not None),
            on_time,
            int(stars is not None),
            int(stars is not None and stars >= GOOD_STARS),
            stars or 0,
            int(reopens or 0),
        )
        area.add((month, kind, province or 0, roots.get(topic_id, 0) if topic_id else 0), values, answer_days)
        agency.add((month, kind, province or 0, agency_id or 0), values, answer_days)
    return area, agency, seen, sorted(months)


def refresh(today: date | None = None) -> StatsRun:
    """Rebuild both cubes and start a new run: the snapshots of the old one are dropped."""
    began = time.perf_counter()
    area, agency, seen, months = build(today)
    db.session.execute(delete(StatsSnapshot))
    db.session.execute(delete(StatsArea))
    db.session.execute(delete(StatsAgency))
    for model, cells, names in ((StatsArea, area, ("month", "kind", "province_code", "topic_id")),
                                (StatsAgency, agency, ("month", "kind", "province_code", "agency_id"))):
        batch = []
        for row in cells.rows(names):
            batch.append(row)
            if len(batch) == STREAM_BATCH:
                db.session.execute(insert(model), batch)
                batch = []
        if batch:
            db.session.execute(insert(model), batch)
    run = StatsRun(submissions=seen, seconds=round(time.perf_counter() - began, 2),
                   first_month=months[0] if months else None, last_month=months[-1] if months else None)
    db.session.add(run)
    db.session.flush()
    # A run every 15 minutes: keep the recent ones (their timings), not a row per run forever.
    db.session.execute(delete(StatsRun).where(StatsRun.id <= run.id - KEEP_RUNS))
    db.session.commit()
    return run


def latest_run() -> StatsRun | None:
    return db.session.scalar(select(StatsRun).order_by(StatsRun.id.desc()).limit(1))
