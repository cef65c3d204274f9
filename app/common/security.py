"""Response headers every page gets: security, caching, conditional requests."""
from flask import Flask, abort, g, request
from flask_login import current_user
from htmx_flask.requests import HtmxAwareRequest
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def mark_personal() -> None:
    """Call from a view whose page shows someone's personal data: never stored by any cache."""
    g.personal_page = True


class NulFreeMultiDict(ImmutableMultiDict):
    """Query and form values with NUL removed as they are parsed: no keyboard types it,
    PostgreSQL refuses it, and dropping it loses nothing the person meant to send."""

    def __init__(self, mapping=None):
        super().__init__([(key, value.replace("\x00", "") if isinstance(value, str) else value)
                          for key, value in iter_multi_items(mapping or ())])


class GopyRequest(HtmxAwareRequest):
    parameter_storage_class = NulFreeMultiDict


def refuse_nul_in_path() -> None:
    """A NUL in the path would reach a database lookup by slug or code: a 400, not a 500."""
    if "\x00" in request.path:
        abort(400)


def register(app: Flask) -> None:
    app.request_class = GopyRequest
    app.before_request(refuse_nul_in_path)

    @app.after_request
    def set_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", g.get("referrer_policy", "same-origin"))
        response.headers.setdefault("X-Frame-Options", "DENY")
        if response.mimetype == "text/html":
            _cache_html(response)
        return response


def _cache_html(response) -> None:
    if "Cache-Control" in response.headers:
        return
    personal = g.get("personal_page") or (current_user and current_user.is_authenticated)
    if personal:
        response.headers["Cache-Control"] = "private, no-store"
        return
    # Public pages: the browser keeps them and asks again with If-None-Match; an
    # unchanged page costs a 304 and no body over a 2G link.
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.update(("Cookie", "Accept-Language"))
    if request.method == "GET" and response.status_code == 200:
        response.add_etag()
        response.make_conditional(request)
