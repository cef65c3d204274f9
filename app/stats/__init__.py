"""Public statistics: volumes, status, speed and on-time rates, a scorecard per agency, all
counted in Vietnamese working days from a summary refreshed on a schedule (refresh.py)."""
from flask import Blueprint

bp = Blueprint("stats", __name__, url_prefix="/thong-ke")
