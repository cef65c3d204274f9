"""Locale choice and locale-aware formatting (Vietnamese first, Asia/Ho_Chi_Minh)."""
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


def register(app: Flask) -> None:
    app.jinja_env.globals.update(current_locale=lambda: str(get_locale()))
    app.jinja_env.filters.update(
        date=lambda value, fmt="medium": format_date(value, fmt) if value else "",
        datetime=lambda value, fmt="short": format_datetime(value, fmt) if value else "",
        number=lambda value: format_decimal(value),
    )
