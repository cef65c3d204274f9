"""Telling people things: an outbox written in the same transaction as the change, then
delivered by e-mail or SMS outside the request; and the account holder's inbox."""
import click
from flask import Blueprint

from app.notify.tasks import dispatch_pending, run_worker

bp = Blueprint("notify", __name__, url_prefix="/tai-khoan")


@bp.cli.command("worker")
@click.option("--burst", is_flag=True, help="Run the due periodic jobs once, empty the queue, and stop.")
def worker_command(burst: bool):
    """The background worker: the periodic jobs (app/schedule.py) and, with REDIS_URL, the RQ
    worker that delivers e-mail and SMS."""
    run_worker(burst=burst)


@bp.cli.command("sweep")
def sweep_command():
    """Hand every message still due to the broker, or send it here with no broker (the worker does this every 30 s)."""
    click.echo(f"{dispatch_pending()} messages dispatched")


@bp.cli.command("digests")
def digests_command():
    """Send today's digest e-mails (run daily by the worker's scheduler)."""
    # Imported here: preferences imports services, which imports this package's tasks.
    from app.notify.digests import send_digests

    click.echo(f"{send_digests()} digests sent")
