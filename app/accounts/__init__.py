"""Accounts: register, sign in and out, profile, verified contacts, my submissions."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)

