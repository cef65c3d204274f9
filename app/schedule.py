"""The periodic jobs, in one list: the worker (`flask notify worker`) runs each when it is due
(app/notify/schedule.py runs them; no host cron). To add one, add a line to PERIODIC_JOBS:

    Periodic("privacy-retention", run_retention, daily_at=time(3, 0)),

`run` is called with no argument inside an application context; `every` (a timedelta) or
`daily_at` (a time, Vietnam's clock). Jobs run one after the other, so a long one delays the
next: keep each short, or hand the long part to the queue."""
from datetime import time, timedelta

from flask import Flask, current_app

from app.notify import schedule
from app.notify.digests import send_digests
from app.notify.schedule import Periodic
from app.notify.tasks import dispatch_pending
from app.privacy.services import run_retention
from app.submissions.reminders import send_overdue_reminders


def refresh_statistics():
    """Rebuild the statistics' summary, then compute the default views' figures, so no visitor
    waits for them."""
    from app.stats import services  # here: the statistics' pages are loaded only to refresh them
    from app.stats.refresh import refresh

    run = refresh()
    services.overview(services.StatsFilters())
    services.scorecard(services.StatsFilters())
    return run


def dump_open_data() -> None:
    from app.opendata.dump import write_dump  # here: the dump's writer is needed only nightly

    write_dump(current_app.config["OPENDATA_DIR"])


PERIODIC_JOBS = [
    # Hands over (or sends) every message whose back-off is over: the outbox's retries.
    Periodic("notify-sweep", dispatch_pending, every=timedelta(seconds=30)),
    Periodic("stats-refresh", refresh_statistics, every=timedelta(minutes=15)),
    # Overdue submissions, every 7 working days; in the morning, when the desks open.
    Periodic("desk-reminders", send_overdue_reminders, daily_at=time(7, 0)),
    # After a statistics refresh, at night.
    Periodic("opendata-dump", dump_open_data, daily_at=time(2, 30)),
    # Forum news, followed submissions and area/topic alerts gathered into one e-mail a day.
    Periodic("notify-digests", send_digests, daily_at=time(18, 0)),
    # Guests' contact data and files, N months after their submission closed (Law 91/2025).
    Periodic("privacy-retention", run_retention, daily_at=time(3, 0)),
]


def register(app: Flask) -> None:
    for job in PERIODIC_JOBS:
        schedule.register(app, job)
