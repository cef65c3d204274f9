"""Tracking: look a code up, the submitter's private page, and attachments for those allowed."""
from flask import Blueprint

bp = Blueprint("tracking", __name__)

