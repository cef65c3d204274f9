"""Telling people things: an outbox written in the same transaction as the change, then
delivered by e-mail or SMS outside the request; and the account holder's inbox."""
from flask import Blueprint

bp = Blueprint("notify", __name__)

from app.notify import routes  # noqa: E402,F401


@bp.cli.command("worker")
def worker_command():
    """Run the RQ worker that delivers e-mail and SMS (needs REDIS_URL)."""
    from app.notify.tasks import run_worker

    run_worker()


@bp.cli.command("sweep")
def sweep_command():
    """Hand every message still due to the broker, or send it here with no broker (cron)."""
    import click

    from app.notify.services import dispatch_pending

    click.echo(f"{dispatch_pending()} messages dispatched")
