"""The agency desk: queues, the submission page and its actions, and the admin area."""
from flask import Blueprint

bp = Blueprint("desk", __name__)

from app.desk import admin, routes  # noqa: E402,F401


@bp.context_processor
def _desk_globals():
    from app.desk.deadlines import today
    from app.workflow import Status

    return dict(today=today, open_statuses=Status.OPEN)


@bp.cli.command("reminders")
def reminders_command():
    """Send the overdue reminders due today (run it daily from cron)."""
    import click

    from app.desk.reminders import send_overdue_reminders

    click.echo(f"{send_overdue_reminders()} reminders sent")
