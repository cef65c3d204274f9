"""The API's HTTP habits, written once: bearer tokens, rate limits per token with RateLimit
headers, a log line per call, JSON with ETag / Last-Modified / 304, and opaque cursors."""
import base64
import binascii
import hashlib
import json
from datetime import UTC, datetime, timedelta

from flask import current_app, g, request
from flask_babel import gettext as _
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import or_, update

from app.api import tokens
from app.api.models import ApiCall, ApiToken
from app.api.problems import Problem
from app.common.time import utcnow
from app.extensions import db

ANONYMOUS_LIMIT = 60  # calls per minute from one address without a token
LAST_USE_STEP = timedelta(minutes=1)


def principal() -> tokens.Principal:
    """Who this request speaks for, read once per request from `Authorization: Bearer`
    (or `api_key`, Open311's way). A wrong, revoked or expired token is a 401, never
    silently anonymous."""
    if "api_principal" not in g:
        g.api_principal = _authenticate()
    return g.api_principal


def _authenticate() -> tokens.Principal:
    raw = _presented_token()
    if raw is None:
        return tokens.ANONYMOUS
    token = tokens.find_valid(raw)
    if token is None:
        raise Problem("unauthorized", _("The token is unknown, revoked or expired."),
                      headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    g.api_token_id = token.id
    return tokens.principal_for(token)


def _presented_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Problem("unauthorized", _("Send the token as “Authorization: Bearer <token>”."),
                          headers={"WWW-Authenticate": "Bearer"})
        return value.strip()
    key = request.values.get("api_key") if request.path.startswith("/open311/") else None
    return key or None


def require(scope: str | None) -> tokens.Principal:
    """The principal, if it holds `scope`: 401 when a token is needed, 403 when it lacks it."""
    who = principal()
    if who.can(scope):
        return who
    if not who.is_authenticated:
        raise Problem("unauthorized", _("This needs a token with the scope %(scope)s.", scope=scope),
                      headers={"WWW-Authenticate": f'Bearer scope="{scope}"'})
    raise Problem("forbidden", _("This needs a token with the scope %(scope)s.", scope=scope),
                  headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'})


def _limiter() -> FixedWindowRateLimiter:
    state = current_app.extensions.get("api_limiter")
    if state is None:
        storage = storage_from_string(current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
        state = current_app.extensions["api_limiter"] = FixedWindowRateLimiter(storage)
    return state


def rate_limit(who: tokens.Principal) -> None:
    """One fixed window per minute, per token (or per address without one). The headers
    follow the IETF RateLimit fields draft; a refused call is a 429 with Retry-After."""
    if not current_app.config.get("API_RATELIMIT_ENABLED", True):
        return
    per_minute = who.rate_limit if who.token_id else ANONYMOUS_LIMIT
    item = parse(f"{per_minute}/minute")
    key = f"token-{who.token_id}" if who.token_id else f"ip-{request.remote_addr}"
    allowed = _limiter().hit(item, "gopy-api", key)
    stats = _limiter().get_window_stats(item, "gopy-api", key)
    reset = max(0, int(stats.reset_time - utcnow().replace(tzinfo=UTC).timestamp()))
    g.api_ratelimit = {"RateLimit-Limit": str(per_minute), "RateLimit-Remaining": str(stats.remaining),
                       "RateLimit-Reset": str(reset), "RateLimit-Policy": f"{per_minute};w=60"}
    if not allowed:
        raise Problem("rate-limited", _("At most %(n)d calls a minute; try again in %(s)d seconds.", n=per_minute,
                                        s=reset), headers={**g.api_ratelimit, "Retry-After": str(reset)})


def finish(response):
    """After every API call: the rate-limit headers, and the call written to the log with
    its token (in its own transaction, after the work of the call is done)."""
    for name, value in g.get("api_ratelimit", {}).items():
        response.headers.setdefault(name, value)
    token_id = g.get("api_token_id")
    if token_id is not None:
        _log_call(token_id, response.status_code)
    return response


def _log_call(token_id: int, status: int) -> None:
    now = utcnow()
    try:
        db.session.rollback()  # nothing of the call's own may ride along with the log line
        db.session.add(ApiCall(token_id=token_id, method=request.method, path=request.path[:300], status=status,
                               created_at=now))
        # "Last used" to the minute: a busy token does not rewrite its row on every call.
        db.session.execute(update(ApiToken).where(
            ApiToken.id == token_id, or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - LAST_USE_STEP))
            .values(last_used_at=now))
        db.session.commit()
    except Exception:  # a log line must never turn an answer into an error
        db.session.rollback()
        current_app.logger.warning("api call log failed for token %s", token_id)


def json_response(data, status: int = 200, last_modified: datetime | None = None, personal: bool = False,
                  headers: dict | None = None):
    """JSON with a strong ETag over the body; If-None-Match / If-Modified-Since answer 304.
    Personal data is never stored by any cache; the rest may be kept and revalidated."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    response = current_app.response_class(body, status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "private, no-store" if personal else "private, no-cache"
    response.vary.update(("Authorization", "Accept-Language"))
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 200 and request.method == "GET":
        response.set_etag(hashlib.sha256(body).hexdigest()[:32])
        if last_modified is not None:
            response.last_modified = last_modified.replace(tzinfo=UTC, microsecond=0)
        response.make_conditional(request)
    return response


def encode_cursor(values: list) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, shape: tuple) -> list:
    """The values a cursor carries, checked against the types expected (`shape`): anything
    else is a 400, never a query with a wrong value."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(shape):
            raise ValueError
        return [_typed(kind, value) for kind, value in zip(shape, values, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise Problem("invalid-input", _("The cursor is not one this API gave."),
                      errors=[{"name": "cursor", "reason": _("Use the next_cursor of a previous page.")}]) from None


def _typed(kind, value):
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31:
        return value
    raise ValueError
