"""Personal-data rights (Law 91/2025/QH15, Decree 356/2025): the notice's facts, consent
withdrawal, "my data" export, erasure, retention, and the log of staff reading personal data."""
from flask import Blueprint

bp = Blueprint("privacy", __name__)
