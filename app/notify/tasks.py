"""The task queue: RQ with Redis as the broker. Jobs carry only a message id; the outbox row
and its status column decide whether anything is still to send, so a job run twice, or
a job lost with the broker, never sends twice or loses a message."""
import threading

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry, SimpleWorker

from app.notify import outbox, schedule

QUEUE_NAME = "gopy-notify"
# The job is named, not imported: app.jobs builds an app context when a plain `rq worker`
# runs it, and only the composition root may import create_app.
DELIVER_JOB = "app.jobs.deliver"


def _queue() -> Queue:
    connection = Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5)
    return Queue(QUEUE_NAME, connection=connection)


def dispatch_pending() -> int:
    """Send what is due now: through RQ when REDIS_URL is set, else here and now."""
    if current_app.config.get("REDIS_URL"):
        return enqueue_pending()
    return outbox.deliver_pending()


def enqueue_pending() -> int:
    """Hand every due message to the broker; if the broker is down they stay pending in
    the database, and the next sweep (or step) hands them over again."""
    return enqueue_ids(outbox.due_ids())


def enqueue_ids(ids) -> int:
    try:
        queue = _queue()
        for message_id in ids:
            # Back-off between retries of a job the worker saw crash.
            queue.enqueue(DELIVER_JOB, message_id, retry=Retry(max=3, interval=[10, 60, 300]),
                          job_id=f"outbox-{message_id}-{outbox.attempts(message_id)}")
    except RedisError as error:
        current_app.logger.warning("broker unavailable, %d messages wait in the outbox: %s", len(ids),
                                   type(error).__name__)
        return 0
    return len(ids)


def deliver_job(message_id: int) -> bool:
    """One message, then the same recipient's next one if it is due (they go in order)."""
    sent = outbox.deliver(message_id)
    if sent and current_app.config.get("REDIS_URL"):
        following = outbox.following(message_id)
        if following is not None:
            enqueue_ids([following])
    return sent


def run_worker(burst: bool = False) -> None:
    """`flask notify worker`: the periodic jobs (app/schedule.py: the sweep, reminders,
    statistics, open data...) and, with REDIS_URL, the RQ worker that delivers.

    With Redis, the RQ worker holds the main thread (it handles SIGTERM) and the scheduler
    runs in a thread beside it; without Redis, the scheduler is the whole worker."""
    app = current_app._get_current_object()
    if burst:
        schedule.run_due()
        if app.config.get("REDIS_URL"):
            queue = _queue()
            SimpleWorker([queue], connection=queue.connection).work(burst=True)
        return
    stop = threading.Event()
    if not app.config.get("REDIS_URL"):
        try:
            schedule.run_forever(app, stop)
        except KeyboardInterrupt:
            stop.set()
        return
    scheduler = threading.Thread(target=schedule.run_forever, args=(app, stop), name="gopy-scheduler", daemon=True)
    scheduler.start()
    queue = _queue()
    try:
        # SimpleWorker runs jobs in this process: no fork sharing the database connections.
        SimpleWorker([queue], connection=queue.connection).work(with_scheduler=True)
    finally:
        stop.set()
