"""Entry points for the task queue's workers: each runs inside an application context,
built here when the worker is a plain `rq worker` rather than `flask notify worker`."""
from flask import has_app_context

from app import create_app
from app.notify.tasks import deliver_job


def deliver(message_id: int) -> bool:
    """Claim an outbox row, send it, mark it sent."""
    if has_app_context():
        return deliver_job(message_id)
    with create_app().app_context():
        return deliver_job(message_id)
