"""The task queue: RQ with Redis as the broker. Jobs carry only a message id; the outbox row
and its status column decide whether anything is still to send, so a job run twice, or
a job lost with the broker, never sends twice or loses a message."""
from flask import current_app

QUEUE_NAME = "gopy-notify"


def _queue():
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5)
    return Queue(QUEUE_NAME, connection=connection)


def enqueue_pending() -> int:
    """Hand every due message to the broker; if the broker is down they stay pending in
    the database, and the next sweep (or step) hands them over again."""
    from redis.exceptions import RedisError
    from rq import Retry

    from app.notify.services import due_ids

    ids = due_ids()
    try:
        queue = _queue()
        for message_id in ids:
            # Back-off between retries of a job the worker saw crash.
            queue.enqueue(DELIVER_JOB, message_id, retry=Retry(max=3, interval=[10, 60, 300]),
                          job_id=f"outbox-{message_id}-{_attempts(message_id)}")
    except RedisError as error:
        current_app.logger.warning("broker unavailable, %d messages wait in the outbox: %s", len(ids),
                                   type(error).__name__)
        return 0
    return len(ids)


def _attempts(message_id: int) -> int:
    from app.extensions import db
    from app.notify.models import OutboxMessage

    return db.session.get(OutboxMessage, message_id).attempts


# The job is named, not imported: app.jobs builds an app context when a plain `rq worker`
# runs it, and only the composition root may import create_app.
DELIVER_JOB = "app.jobs.deliver"


def run_worker(burst: bool = False) -> None:
    """`flask worker`: an RQ worker inside the app context, sweeping the outbox at start."""
    from rq import SimpleWorker

    from app.notify.services import dispatch_pending

    dispatch_pending()
    queue = _queue()
    # SimpleWorker runs jobs in this process: no fork sharing the database connections.
    SimpleWorker([queue], connection=queue.connection).work(burst=burst, with_scheduler=True)
