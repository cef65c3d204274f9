"""Accounts: register, sign in and out, profile, verified contacts, my submissions."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)

from app.accounts import routes  # noqa: E402,F401
