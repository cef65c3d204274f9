"""The agency desk: queues, the submission page and its actions, on-time rates."""
import click
from flask import Blueprint

from app.submissions.reminders import send_overdue_reminders

bp = Blueprint("desk", __name__)


@bp.cli.command("reminders")
def reminders_command():
    """Send the overdue reminders due today now (the worker runs this daily, see app/schedule.py)."""
    click.echo(f"{send_overdue_reminders()} reminders sent")
