"""The in-app inbox of an account holder: submission steps, forum replies, moderators' decisions."""
from flask import g
from flask_login import current_user

from app.common import paging
from app.common.permissions import login_required
from app.common.rendering import render
from app.common.security import mark_personal
from app.notify import bp, outbox, services


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
