"""Domain errors raised by services, and the friendly pages for HTTP errors."""
from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """Something the user asked for cannot be done; the message is already translated."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


class ValidationError(DomainError):
    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field


class PermissionDenied(DomainError):
    pass


class Conflict(DomainError):
    """Someone else changed the thing first; nothing was written."""


class RateLimited(DomainError):
    """Asked too often (codes sent, wrong codes): the 429 page says what to do instead."""


def keeps_input_on_expired_token(view):
    """Mark a form view: when its CSRF token expired, run it again so its form re-renders
    with every value the person typed and a fresh token, instead of a bare error page."""
    view.keeps_input_on_expired_token = True
    return view


def _handle_csrf_error(error: CSRFError):
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, "keeps_input_on_expired_token", False):
        # The view validates its FlaskForm, whose own token check fails the same way,
        # so it re-renders the form with the values; nothing is written. Its own checks
        # (a rate limit) may still refuse it: that is their page, not a 500.
        try:
            return view(**(request.view_args or {}))
        except HTTPException as refused:
            return _error_page(refused.code or 500)
    machine = _machine_handlers()
    if machine:
        return machine[0](error)
    return _error_page(400, _("Your session expired for your safety. Go back, reload the page and try again."))


def answer_machines(app: Flask, prefixes: tuple[str, ...], http_error, server_error) -> None:
    """An area that answers machines (the API) renders its own errors under its URL
    prefixes: `http_error(HTTPException)` and `server_error()` instead of the HTML pages.
    Routing errors (404, 405) meet no blueprint's handler, so they are dispatched here."""
    app.extensions.setdefault("machine_errors", []).append((prefixes, http_error, server_error))


def _machine_handlers():
    for prefixes, http_error, server_error in current_app.extensions.get("machine_errors", ()):
        if request.path.startswith(prefixes):
            return http_error, server_error
    return None


def _error_page(code: int, message: str | None = None):
    template = f"errors/{code}.html" if code in (403, 404, 405, 413, 429, 500) else "errors/generic.html"
    # htmx swaps no 4xx/5xx by default, so a refused request showed nothing; gopy.js shows this notice.
    fragment = request.headers.get("HX-Request") == "true"
    headers = {"HX-Reswap": "innerHTML"} if fragment else {}
    return render_template(template, code=code, message=message, fragment=fragment), code, headers


def register(app: Flask) -> None:
    app.register_error_handler(CSRFError, _handle_csrf_error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        machine = _machine_handlers()
        if machine:
            return machine[0](error)
        response = _error_page(error.code or 500)
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            return response[0], 405, {"Allow": ", ".join(error.valid_methods)}
        return response

    @app.errorhandler(PermissionDenied)
    def permission_denied(error: PermissionDenied):
        return _error_page(403, error.message or None)

    @app.errorhandler(RateLimited)
    def rate_limited(error: RateLimited):
        return _error_page(429, error.message or None)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        # The route pattern, not the path: a path can hold a private-link token or a code.
        rule = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
        app.logger.exception("Unhandled error on %s %s", request.method, rule)
        machine = _machine_handlers()
        return machine[1]() if machine else _error_page(500)
