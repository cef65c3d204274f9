"""Tracking routes: public status by code, and attachments for those allowed to see them."""
from flask import abort, current_app, make_response, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.common.errors import ValidationError
from app.common.forms import show_error
from app.common.permissions import can_see_private
from app.common.rendering import form_page, render, wants_fragment
from app.common.security import mark_personal
from app.extensions import db, limiter
from app.submissions import attachments, lookups
from app.submissions.models import Attachment
from app.tracking import bp
from app.tracking.forms import LookupForm
from app.tracking.status import status_context


def _lookup_limit() -> str:
    return current_app.config["TRACKING_LOOKUP_LIMIT"]


@bp.get("/tra-cuu")
@limiter.shared_limit(_lookup_limit, scope="tracking-lookup", exempt_when=lambda: "code" not in request.args)
def lookup():
    """Look a code up; the check digit catches typos before the database is asked."""
    form = LookupForm(request.args)
    # The htmx form replaces #lookup, so every answer to it is that block: the form (with
    # its error, if any) and the status below it; never the whole page inside the page.
    if "code" in request.args and form.validate():
        submission = lookups.find_by_code(form.code.data)
        if submission is None:
            show_error(form, ValidationError("code", _("No submission has this code. Check it against your receipt.")))
            return render("tracking/lookup.html", "tracking/_lookup.html", form=form, status=404)
        return render("tracking/show.html", "tracking/_lookup.html", form=form, **status_context(submission))
    return form_page("tracking/lookup.html", "tracking/_lookup.html", form=form)


@bp.get("/tra-cuu/<code>")
@limiter.shared_limit(_lookup_limit, scope="tracking-lookup")  # one budget for guessing codes either way
def show(code: str):
    """The public status page of one submission: no personal data."""
    submission = lookups.find_by_code(code) or abort(404)
    if not wants_fragment():
        return render("tracking/show.html", "tracking/_status.html", form=LookupForm(code=code),
                      **status_context(submission))
    # The polled fragment: the version changes with every step, so while it stands still
    # the answer is a 304 without even rendering the template.
    etag = f"s{submission.id}-v{submission.version}-{get_locale()}"
    if etag in request.if_none_match:
        response = make_response("", 304)
    else:
        response = render("tracking/_status.html", **status_context(submission))
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("HX-Request")
    return response


@bp.get("/tep/<id:attachment_id>")
def attachment(attachment_id: int):
    """An attachment, for the submitter (by link or account) and the staff handling it."""
    item = db.session.get(Attachment, attachment_id) or abort(404)
    token = request.args.get("t", "")
    token_ok = bool(token) and lookups.find_by_token(token) is item.submission
    if not can_see_private(current_user, item.submission, token_ok=token_ok):
        abort(404)
    mark_personal()
    response = attachments.serve(item) or abort(404)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
