"""Open data: the published submissions, their public steps and the statistics' summary as
CSV and JSON Lines, streamed and filterable like the public list; a nightly dump with its
SHA-256 checksums; a data dictionary and a licence (CC BY 4.0)."""
from flask import Blueprint

bp = Blueprint("opendata", __name__, url_prefix="/du-lieu-mo")
