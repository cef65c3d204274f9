"""The agency desk: queues, the submission page and its actions, and the admin area."""
from flask import Blueprint

bp = Blueprint("desk", __name__)

from app.desk import admin, routes  # noqa: E402,F401


@bp.context_processor
def _desk_globals():
    from app.desk.deadlines import today
    from app.workflow import Status

    return dict(today=today, open_statuses=Status.OPEN)
