"""Tracking routes: public status by code, the private page by link, attachments."""
from flask import abort, current_app, g, make_response, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.common.permissions import can_see_private
from app.common.rendering import render, wants_fragment
from app.common.security import mark_personal
from app.extensions import db, limiter
from app.submissions import attachments, lookups
from app.submissions.models import Attachment
from app.tracking import bp
from app.tracking.forms import LookupForm


def _lookup_limit() -> str:
    return current_app.config["TRACKING_LOOKUP_LIMIT"]


@bp.get("/tra-cuu")
@limiter.shared_limit(_lookup_limit, scope="tracking-lookup", exempt_when=lambda: "code" not in request.args)
def lookup():
    """Look a code up; the check digit catches typos before the database is asked."""
    form = LookupForm(request.args)
    # The htmx form replaces #lookup, so every answer to it is that block: the form (with
    # its error, if any) and the status below it; never the whole page inside the page.
    if "code" not in request.args:
        return render("tracking/lookup.html", "tracking/_lookup.html", form=form)
    if not form.validate():
        return render("tracking/lookup.html", "tracking/_lookup.html", form=form, status=422)
    submission = lookups.find_by_code(form.code.data)
    if submission is None:
        form.code.errors.append(_("No submission has this code. Check it against your receipt."))
        return render("tracking/lookup.html", "tracking/_lookup.html", form=form, status=404)
    return render("tracking/show.html", "tracking/_lookup.html", submission=submission, form=form)


@bp.get("/tra-cuu/<code>")
@limiter.shared_limit(_lookup_limit, scope="tracking-lookup")  # one budget for guessing codes either way
def show(code: str):
    """The public status page of one submission: no personal data."""
    submission = lookups.find_by_code(code) or abort(404)
    if not wants_fragment():
        return render("tracking/show.html", "tracking/_status.html", submission=submission, form=LookupForm(code=code))
    # The polled fragment: the version changes with every step, so while it stands still
    # the answer is a 304 without even rendering the template.
    etag = f"s{submission.id}-v{submission.version}-{get_locale()}"
    if etag in request.if_none_match:
        response = make_response("", 304)
    else:
        response = render("tracking/_status.html", submission=submission)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("HX-Request")
    return response


@bp.get("/tra-cuu/rieng/<token>")
def private(token: str):
    """The submitter's own page, reached by the private link: their details and files."""
    from app.tracking.replies import reply_context

    submission = lookups.find_by_token(token) or abort(404)
    mark_personal()
    g.referrer_policy = "no-referrer"  # the link is the key: never leak it to another site
    poll_url = url_for("tracking.private", token=token)
    if wants_fragment():  # the status polled from the private page, notes included
        return render("tracking/_status.html", submission=submission, show_notes=True, poll_url=poll_url)
    return render("tracking/private.html", submission=submission, token=token, just_sent="sent" in request.args,
                  show_notes=True, poll_url=poll_url, **reply_context(submission))


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
