"""The one administration area (/quan-tri): one module per thing an administrator manages,
each calling the owning area's service. Only administrators reach any of it."""
from flask import Blueprint

from app.common.permissions import restrict_blueprint
from app.common.roles import Role

bp = Blueprint("admin", __name__, url_prefix="/quan-tri")
restrict_blueprint(bp, Role.ADMIN)
