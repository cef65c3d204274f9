"""Render the whole page, or only its fragment for an htmx request (same route, same markup)."""
from flask import Flask, make_response, redirect, render_template, request, url_for

from app.common.assets import manifest
from app.common.errors import Conflict, ValidationError
from app.common.forms import show_error
from app.common.paging import page_url
from app.extensions import db


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


def form_page(page_template: str, fragment_template: str | None = None, /, *, form, **context):
    """A page that shows `form`: 422 while the form carries errors (htmx is told to swap
    422, see gopy.js), 200 otherwise. Every value typed stays in the form."""
    return render(page_template, fragment_template, status=form_status(form), form=form, **context)


def form_status(*forms) -> int:
    """422 when any of the page's forms carries an error, 200 otherwise."""
    return 422 if any(form.errors for form in forms) else 200


def see_other(endpoint: str, **values):
    """POST → redirect → GET: the answer to every form that did what it was asked."""
    return redirect(url_for(endpoint, **values), 303)


def run_form(form, action, fallback_field: str | None = None):
    """On a submitted form (a POST), validate `form` and run `action()`. Returns (True,
    result) when it was done; else
    (False, None) with the validation errors, or the service's refusal, on the form (the
    session rolled back, nothing written),
    ready for form_page to answer 422."""
    if not form.validate_on_submit():
        return False, None
    try:
        return True, action()
    except (ValidationError, Conflict) as error:  # PermissionDenied answers the 403 page
        db.session.rollback()
        show_error(form, error, fallback_field)
        return False, None


def static_url(name: str) -> str | None:
    hashed = manifest.url_path(name)
    return url_for("core.static", filename=hashed) if hashed else None


def register(app: Flask) -> None:
    app.jinja_env.globals.update(static_url=static_url, page_url=page_url)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
