"""Moderation: flags, the review queue, actions with their public log, appeals, abuse limits."""
from flask import Blueprint

bp = Blueprint("moderation", __name__)

