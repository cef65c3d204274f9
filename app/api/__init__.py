"""Interconnection: the JSON API (v1) with its OpenAPI document and reference pages, Open311
GeoReport v2, API tokens and signed webhooks, for agencies' and partners' systems."""
from flask import Blueprint, Flask

from app.api import http, problems, webhooks
from app.extensions import csrf

bp_v1 = Blueprint("api_v1", __name__, url_prefix="/api/v1")
bp_open311 = Blueprint("open311", __name__, url_prefix="/open311/v2")
bp_docs = Blueprint("api_docs", __name__, url_prefix="/api")
for _blueprint in (bp_v1, bp_open311):
    _blueprint.after_request(http.finish)


def register(app: Flask) -> None:
    """Errors as problem details, a token instead of a session (so no CSRF token: nothing a
    browser's cookies can do reaches these routes), every call logged, and the webhooks
    listening for submission steps."""
    problems.register(app)
    for blueprint in (bp_v1, bp_open311):
        csrf.exempt(blueprint)
    webhooks.register(app)
