"""Errors as RFC 9457 problem details, in the caller's language (Accept-Language, Vietnamese
by default), for every answer of the API that is not a success, routing errors included."""
from flask import jsonify, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from app.common import errors
from app.common.errors import Conflict, PermissionDenied, ValidationError

PROBLEM_TYPES = {
    "bad-request": (400, _l("The request cannot be read")),
    "invalid-input": (400, _l("Some values are not valid")),
    "unauthorized": (401, _l("A valid token is needed")),
    "forbidden": (403, _l("The token may not do this")),
    "not-found": (404, _l("Nothing was found at this address")),
    "method-not-allowed": (405, _l("This method is not allowed here")),
    "not-acceptable": (406, _l("No representation in the formats you accept")),
    "conflict": (409, _l("The submission changed or is not in a state that allows this")),
    "too-large": (413, _l("The request is too large")),
    "unsupported-media-type": (415, _l("Send JSON or a multipart form")),
    "unprocessable": (422, _l("The request was understood but cannot be carried out")),
    "rate-limited": (429, _l("Too many requests")),
    "server-error": (500, _l("Something went wrong on our side")),
}
_BY_STATUS = {status: slug for slug, (status, _title) in reversed(PROBLEM_TYPES.items())}
PREFIXES = ("/api/v1",)  # /open311/ answers in its own error format (open311.py)


class Problem(Exception):
    """Raised anywhere in the API: answered as application/problem+json."""

    def __init__(self, slug: str, detail: str | None = None, errors: list[dict] | None = None,
                 headers: dict | None = None):
        super().__init__(slug)
        self.slug, self.detail, self.errors, self.headers = slug, detail, errors, headers or {}

    @property
    def status(self) -> int:
        return PROBLEM_TYPES[self.slug][0]


def type_uri(slug: str) -> str:
    return url_for("api_docs.guide", _external=True, _anchor=f"problem-{slug}")


def response(problem: Problem):
    status, title = PROBLEM_TYPES[problem.slug]
    body = {"type": type_uri(problem.slug), "title": str(title), "status": status, "instance": request.path}
    if problem.detail:
        body["detail"] = problem.detail
    if problem.errors:
        body["errors"] = problem.errors
    reply = jsonify(body)
    reply.status_code = status
    reply.mimetype = "application/problem+json"
    reply.headers["Cache-Control"] = "no-store"
    reply.headers["Content-Language"] = str(get_locale())
    reply.vary.add("Accept-Language")
    for name, value in problem.headers.items():
        reply.headers[name] = value
    return reply


def from_domain_error(error) -> Problem:
    """A service's refusal, as the desk would show it, with the field it concerns."""
    if isinstance(error, ValidationError):
        field = error.field or "body"
        return Problem("invalid-input", error.message, errors=[{"name": field, "reason": error.message}])
    if isinstance(error, PermissionDenied):
        return Problem("forbidden", error.message or None)
    if isinstance(error, Conflict):
        return Problem("conflict", error.message)
    return Problem("unprocessable", getattr(error, "message", "") or None)


def from_http_error(error: HTTPException):
    slug = _BY_STATUS.get(error.code or 500, "bad-request" if (error.code or 500) < 500 else "server-error")
    headers = {}
    if error.code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    return response(Problem(slug, headers=headers))


def register(app) -> None:
    """Every error under the API's prefixes answers as a problem, whichever handler meets it:
    the app-wide pages (common.errors) hand such paths here."""
    errors.answer_machines(app, PREFIXES, from_http_error, lambda: response(Problem("server-error")))
    app.register_error_handler(Problem, response)
