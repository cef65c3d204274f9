"""Structured logs: one JSON object a line, a request id on every line of a request, and one
access line per request naming the route pattern (/tra-cuu/rieng/<token>), never the URL,
whose path and query can hold a private-link token or a tracking code.

What a log line may carry is decided here, not at each call: messages pass through a
scrubber that blanks what looks like an e-mail address, a phone number, a long number (a
tracking or verification code, an ID-card number) or a long hexadecimal token, so a careless
`logger.info("sent to %s", phone)` somewhere still leaks nothing.
"""
import json
import logging
import re
import secrets
import sys
import time

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_SCRUB = [
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "<email>"),
    (re.compile(r"(?<![\w/])\+?\d[\d .-]{7,}\d(?!\w)"), "<number>"),
    (re.compile(r"\b[0-9a-fA-F]{16,}\b|\b[A-Za-z0-9_-]{32,}\b"), "<token>"),
    (re.compile(r"(?i)(password|passwd|secret|token|dsn)(\W+)\S+"), r"\1\2<hidden>"),
]
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def scrub(text: str) -> str:
    for pattern, replacement in _SCRUB:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    """{"time", "level", "logger", "message", "request_id", ...extra fields} on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        if has_request_context():
            entry["request_id"] = g.get("request_id")
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = scrub(value) if isinstance(value, str) else value
        if record.exc_info:
            # The exception's type and where it was raised; its message may quote user data.
            kind, _value, _trace = record.exc_info
            entry["error"] = kind.__name__ if kind else None
            entry["trace"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class _Handler(logging.StreamHandler):
    """Ours, so a second app in one process does not add a second handler. It writes to the
    standard error of the moment, which a test runner may have swapped since."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure(app: Flask) -> None:
    """Route every logger to one JSON stream (LOG_FORMAT=json, the default) or to readable
    lines (LOG_FORMAT=text); LOG_LEVEL sets the level. Then trace each request."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, _Handler)), None)
    if handler is None:
        handler = _Handler()
        root.addHandler(handler)
    if app.config.get("LOG_FORMAT", "json") == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    for chatty in ("pikepdf", "alembic.runtime.plugins"):  # announce themselves at every start
        logging.getLogger(chatty).setLevel(logging.WARNING)
    app.logger.handlers.clear()  # Flask's own handler would print each line a second time
    app.logger.propagate = True
    app.before_request(_start)
    app.after_request(_finish)


def route_pattern() -> str:
    """The rule that matched (/tep/<id:attachment_id>), or a placeholder: never the path."""
    rule = request.url_rule
    return rule.rule if rule is not None else "<unmatched>"


def _start() -> None:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = given if _SAFE_REQUEST_ID.match(given) else secrets.token_hex(8)
    g.request_started = time.perf_counter()


def _finish(response):
    response.headers.setdefault(REQUEST_ID_HEADER, g.get("request_id", ""))
    started = g.get("request_started")
    elapsed = round((time.perf_counter() - started) * 1000, 1) if started else None
    logging.getLogger("gopy.access").info(
        "%s %s %s", request.method, route_pattern(), response.status_code,
        extra={"method": request.method, "route": route_pattern(), "status": response.status_code,
               "duration_ms": elapsed, "htmx": request.headers.get("HX-Request") == "true"})
    return response
