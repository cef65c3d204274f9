"""The one administration area (/quan-tri): one module per thing an administrator manages,
each calling the owning area's service. Only administrators reach any of it."""
from flask import Blueprint

from app.common.permissions import role_required
from app.common.roles import Role

bp = Blueprint("admin", __name__, url_prefix="/quan-tri")


@bp.before_request
@role_required(Role.ADMIN)
def _administrators_only():
    """Every page of the area, whatever module adds it: the check cannot be forgotten."""
    return None
