"""Locale choice and locale-aware formatting (Vietnamese first, Asia/Ho_Chi_Minh)."""
import re
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

LANG_COOKIE = "lang"


def select_locale() -> str:
    """User setting, then cookie, then Accept-Language, then Vietnamese."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # a CLI command or a queue worker: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return user_locale
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in languages:
        return cookie
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only follow a local path, never another host."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


_NAMED = ("short", "medium", "long", "full")
_TWO_DIGIT_YEAR = re.compile(r"(?<![yY])([yY])\1(?![yY])")


def _four_digit_years(pattern: str) -> str:
    """CLDR's short patterns write the year in two digits ("1/12/26"), which reads as a
    day or a month in a case file: every date we show has its four digits."""
    return _TWO_DIGIT_YEAR.sub(r"\1", pattern)


def format_day(value, fmt: str = "medium") -> str:
    """A date in the reader's language, its year always in four digits."""
    if not value:
        return ""
    if fmt in _NAMED:
        fmt = _four_digit_years(get_locale().date_formats[fmt].pattern)
    return format_date(value, fmt)


def format_moment(value, fmt: str = "short") -> str:
    """A moment in Vietnam time in the reader's language, its year always in four digits."""
    if not value:
        return ""
    if fmt in _NAMED:
        locale = get_locale()
        date_pattern = _four_digit_years(locale.date_formats[fmt].pattern)
        time_pattern = locale.time_formats[fmt].pattern
        fmt = str(locale.datetime_formats[fmt]).replace("{1}", date_pattern).replace("{0}", time_pattern)
    return format_datetime(value, fmt)


def register(app: Flask) -> None:
    app.jinja_env.globals.update(current_locale=lambda: str(get_locale()))
    app.jinja_env.filters.update(
        date=format_day,
        datetime=format_moment,
        number=lambda value: format_decimal(value),
    )
