"""Telling people things: an outbox written in the same transaction as the change, then
delivered by e-mail or SMS outside the request; and the account holder's inbox."""
from flask import Blueprint

bp = Blueprint("notify", __name__)

from app.notify import routes  # noqa: E402,F401
