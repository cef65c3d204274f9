"""Tracking: look a code up, the submitter's private page, and attachments for those allowed."""
from flask import Blueprint

bp = Blueprint("tracking", __name__)

from app.tracking import replies, routes  # noqa: E402,F401
