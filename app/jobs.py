"""Entry points for the task queue's workers: each runs inside an application context,
built here when the worker is a plain `rq worker` rather than `flask notify worker`."""
from flask import has_app_context

from app import create_app
from app.notify.outbox import deliver as deliver_message


def deliver(message_id: int) -> bool:
    """Claim an outbox row, send it, mark it sent."""
    if has_app_context():
        return deliver_message(message_id)
    with create_app().app_context():
        return deliver_message(message_id)
