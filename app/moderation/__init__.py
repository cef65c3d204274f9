"""Moderation: the posting policy the forum asks, flags, the review queue, moderators' decisions
with their public log, appeals, and the word filter."""
from flask import Blueprint

bp = Blueprint("moderation", __name__)
