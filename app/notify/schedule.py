"""Periodic jobs run by the project's own worker (`flask notify worker`), not by host cron:
the outbox sweep, the desk's reminders, the statistics, the open-data dump, and whatever
another area adds to the list in app/schedule.py.

Why a loop of our own rather than RQ's cron (rq 2.12 has `rq cron`): RQ's runs as one more
process and only with Redis, while the embedded default has no Redis and still needs its
reminders and retries. Each job's last start is a row (PeriodicRun), so a restarted worker
neither runs a daily job twice nor forgets one, and the row is taken by a compare-and-set
UPDATE, so two workers started by mistake do not both run it."""
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from sqlalchemy import or_, update

from app.common.time import utcnow
from app.extensions import db
from app.notify.models import PeriodicRun

# Daily jobs are set in the country's time: 02:30 is 02:30 in Hà Nội.
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
# The loop looks for due jobs this often; the shortest job period (the sweep) is 30 s.
TICK_SECONDS = 5
# A job whose run started this long ago and never finished belongs to a worker that died
# (a daily job may take long; a frequent one is short, and is harmless to run twice).
STALE_RUN = timedelta(hours=2)
STALE_FREQUENT_RUN = timedelta(minutes=5)


@dataclass(frozen=True)
class Periodic:
    """A job: `run()` is called inside an application context, every `every`, or once a day
    at `daily_at` (local time)."""

    name: str
    run: Callable[[], object]
    every: timedelta | None = None
    daily_at: time | None = None

    def __post_init__(self):
        if (self.every is None) == (self.daily_at is None):
            raise ValueError("a periodic job runs either every so often or daily at a time")

    def due(self, last_started: datetime | None, now: datetime) -> bool:
        """Whether the job should start now, given when it last started (naive UTC)."""
        if self.every is not None:
            return last_started is None or now - last_started >= self.every
        slot = self.last_slot(now)
        return last_started is None or last_started < slot

    def last_slot(self, now: datetime) -> datetime:
        """The latest daily time at or before now, in naive UTC."""
        local_now = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(LOCAL)
        slot = datetime.combine(local_now.date(), self.daily_at, LOCAL)
        if slot > local_now:
            slot -= timedelta(days=1)
        return slot.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def register(app: Flask, job: Periodic) -> None:
    jobs = app.extensions.setdefault("periodic_jobs", {})
    jobs[job.name] = job


def jobs(app: Flask | None = None) -> list[Periodic]:
    return list((app or current_app).extensions.get("periodic_jobs", {}).values())


def run_due(now: datetime | None = None) -> list[str]:
    """Run every job that is due, one after the other; say which ran. A job that raises is
    logged and recorded, and the others still run."""
    now = now or utcnow()
    ran = []
    for job in jobs():
        record = db.session.get(PeriodicRun, job.name)
        if record is None:
            db.session.add(PeriodicRun(name=job.name))
            db.session.commit()
            record = db.session.get(PeriodicRun, job.name)
        stale = STALE_RUN if job.every is None else STALE_FREQUENT_RUN
        running = record.started_at is not None and (record.finished_at is None or record.finished_at
                                                     < record.started_at) and now - record.started_at < stale
        if running or not job.due(record.started_at, now):
            continue
        if not _take(job.name, record.started_at, now):
            continue  # another worker took it
        error = None
        try:
            job.run()
        except Exception as failure:  # one job's fault never stops the others
            db.session.rollback()
            current_app.logger.exception("periodic job %s failed", job.name)
            error = f"{type(failure).__name__}: {failure}"[:500]
        db.session.execute(update(PeriodicRun).where(PeriodicRun.name == job.name)
                           .values(finished_at=utcnow(), last_error=error))
        db.session.commit()
        ran.append(job.name)
    return ran


def _take(name: str, seen_started: datetime | None, now: datetime) -> bool:
    query = update(PeriodicRun).where(PeriodicRun.name == name)
    query = query.where(PeriodicRun.started_at.is_(None) if seen_started is None else or_(
        PeriodicRun.started_at == seen_started))
    taken = db.session.execute(query.values(started_at=now)).rowcount
    db.session.commit()
    return bool(taken)


def run_forever(app: Flask, stop: threading.Event, tick: float = TICK_SECONDS) -> None:
    """The worker's scheduler loop, until `stop` is set."""
    while not stop.is_set():
        with app.app_context():
            try:
                run_due()
            except Exception:  # the database was away: try again at the next tick
                app.logger.exception("the scheduler's pass failed")
        stop.wait(tick)
