"""Render the whole page, or only its fragment for an htmx request (same route, same markup)."""
from flask import Flask, make_response, render_template, request, url_for

from app.common.assets import manifest


def wants_fragment() -> bool:
    """An htmx request that replaces part of a page; boosts and history restores want pages."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(page_template: str, fragment_template: str | None = None, /, *, status: int = 200, **context):
    """The page `{% include %}`s the fragment, so both answers carry identical markup."""
    template = fragment_template if fragment_template and wants_fragment() else page_template
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def static_url(name: str) -> str | None:
    hashed = manifest.url_path(name)
    return url_for("core.static", filename=hashed) if hashed else None


def register(app: Flask) -> None:
    app.jinja_env.globals.update(static_url=static_url)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
