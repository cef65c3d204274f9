"""Entry points for the task queue's workers: each runs inside an application context,
built here when the worker is a plain `rq worker` rather than `flask notify worker`."""
from flask import has_app_context

from app import create_app
from app.notify.tasks import deliver_job
from app.privacy import export, services


def deliver(message_id: int) -> bool:
    """Claim an outbox row, send it, mark it sent."""
    if has_app_context():
        return deliver_job(message_id)
    with create_app().app_context():
        return deliver_job(message_id)


def build_export(export_id: int) -> bool:
    """Build one person's "my data" ZIP."""
    if has_app_context():
        return export.build(export_id)
    with create_app().app_context():
        return export.build(export_id)


def run_retention(dry_run: bool = False):
    """The daily retention sweep (for the worker's scheduler)."""
    if has_app_context():
        return services.run_retention(dry_run=dry_run)
    with create_app().app_context():
        return services.run_retention(dry_run=dry_run)
