"""Feedback and proposals: the submission form and what it creates."""
from flask import Blueprint

bp = Blueprint("feedback", __name__, url_prefix="/gop-y")

