"""The task queue: RQ with Redis as the broker. Jobs carry only a message id; the outbox row
and its status column decide whether anything is still to send, so a job run twice, or
a job lost with the broker, never sends twice or loses a message."""
from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry, SimpleWorker

from app.notify import outbox

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
    ids = outbox.due_ids()
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


def run_worker(burst: bool = False) -> None:
    """`flask notify worker`: an RQ worker inside the app context, sweeping the outbox at start."""
    dispatch_pending()
    queue = _queue()
    # SimpleWorker runs jobs in this process: no fork sharing the database connections.
    SimpleWorker([queue], connection=queue.connection).work(burst=burst, with_scheduler=True)
