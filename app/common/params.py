"""Numbers from URLs and query strings: ids and page numbers outside what the database can
hold are "no such thing" (404, or the default), never an overflow deep in a query (500)."""
from urllib.parse import urlencode

from flask import Flask, redirect, request
from werkzeug.routing import IntegerConverter

# Every id column is a PostgreSQL integer (and SQLite's rowid is wider): 1 .. 2**31 - 1.
MAX_ID = 2**31 - 1


def valid_id(value) -> bool:
    return isinstance(value, int) and 0 < value <= MAX_ID


class IdConverter(IntegerConverter):
    """`<id:name>` in a route: a positive integer within MAX_ID; anything else is a 404."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=MAX_ID)


def id_arg(name: str) -> int | None:
    """An id from the query string, or None when it is missing, not a number or out of range."""
    value = request.args.get(name, type=int)
    return value if valid_id(value) else None


def int_arg(name: str, default: int | None = None, low: int = 0, high: int = MAX_ID) -> int | None:
    value = request.args.get(name, type=int)
    return value if value is not None and low <= value <= high else default


# Query keys are English words, like the form fields they come from; these Vietnamese
# ones were used before and may sit in bookmarks and printed receipts.
LEGACY_KEYS = {"trang": "page", "ma": "code", "trich": "quote", "moi": "sent"}


def _redirect_legacy_keys():
    if request.method != "GET" or not LEGACY_KEYS.keys() & request.args.keys():
        return None
    pairs = [(LEGACY_KEYS.get(key, key), value) for key, value in request.args.items(multi=True)]
    return redirect(f"{request.path}?{urlencode(pairs)}", 301)


def register(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
    app.before_request(_redirect_legacy_keys)
