"""Response headers every page gets: security, caching, conditional requests."""
from flask import Flask, abort, g, request
from flask_login import current_user

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def mark_personal() -> None:
    """Call from a view whose page shows someone's personal data: never stored by any cache."""
    g.personal_page = True


def refuse_nul_bytes() -> None:
    """No text field has a use for NUL, and PostgreSQL refuses it: answer 400, not 500."""
    if b"%00" in request.query_string or "\x00" in request.path:
        abort(400)
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if any("\x00" in value for value in request.form.values()):
            abort(400)


def register(app: Flask) -> None:
    app.before_request(refuse_nul_bytes)

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
