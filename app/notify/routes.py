"""The in-app inbox of an account holder: submission steps, forum replies, moderators' decisions;
and the unsubscribe link of every e-mail, which works without signing in."""
from flask import abort, g, request
from flask_login import current_user

from app.common import paging
from app.common.permissions import login_required
from app.common.rendering import render, see_other
from app.common.security import mark_personal
from app.extensions import csrf
from app.notify import bp, outbox, preferences, services


@bp.app_context_processor
def notify_helpers():
    return {"inbox_unread_count": _unread_count, "notify_unreachable": _unreachable}


def _unreachable(user_id: int | None = None, submission_id: int | None = None, current=None) -> list[dict]:
    """For templates/notify/_unreachable.html: the channel and the masked address of each
    contact we gave up on (the person's own page: their account or their private link);
    with `current`, only those still among the person's addresses (one they changed is over)."""
    return [{"channel": message.channel, "address": outbox.masked(message.recipient)}
            for message in outbox.unreachable(user_id=user_id, submission_id=submission_id)
            if current is None or message.recipient in current]


def _unread_count() -> int:
    # The header and the forum's menu both show it: count once per request.
    if "inbox_unread" not in g:
        g.inbox_unread = services.unread_count(current_user)
    return g.inbox_unread


@bp.get("/thong-bao")
@login_required
def inbox():
    """My notifications, newest first; shown as unread once, then marked read."""
    mark_personal()
    page = services.inbox_page(current_user, paging.requested_page())
    response = render("notify/inbox.html", "notify/_inbox.html", page=page)
    services.mark_inbox_read(current_user)
    return response


@bp.route("/thong-bao/huy/<signature>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: a mail client's one-click POST carries no form token; the signed link is the proof
def unsubscribe(signature: str):
    """GET asks to confirm (a link scanner must not unsubscribe anyone); POST, from the page or
    a mail client's one-click, stops that kind of e-mail and answers 303 to the confirmation."""
    found = preferences.read_unsubscribe_token(signature)
    if found is None:
        abort(404)
    user_id, kind = found
    if request.method == "POST":
        preferences.unsubscribe(user_id, kind)
        return see_other("notify.unsubscribe", signature=signature, done=1)
    return render("notify/unsubscribe.html", kind=preferences.kind_label(kind), done=request.args.get("done") == "1")
