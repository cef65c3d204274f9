"""The outbox: what waits, what is retried and what was given up, by channel; retry a
message or a whole channel now, give a message up (the administrator's decision is
recorded). Recipients are masked and bodies never shown: an administrator needs to know that
a message is stuck, not what it says."""
from flask import abort, flash, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.admin import bp
from app.common import paging
from app.common.forms import ButtonForm
from app.common.rendering import render, see_other
from app.common.security import mark_personal
from app.notify import outbox
from app.notify.models import Channel

CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.WEBHOOK)


@bp.get("/hop-thu-di")
def outbox_page():
    """Counts by channel and state, then the messages, newest first, filtered and paged."""
    mark_personal()  # masked, but still about people: never kept by a cache
    channel = request.args.get("channel") if request.args.get("channel") in CHANNELS else None
    state = request.args.get("state") if request.args.get("state") in outbox.STATES else None
    page = paging.fetch(outbox.listing(channel, state), paging.requested_page(), 50)
    return render("admin/outbox.html", "admin/_outbox_list.html", counts=outbox.counts(), channels=CHANNELS,
                  states=outbox.STATES, channel=channel, state=state, page=page, state_of=outbox.state_of,
                  masked=outbox.masked, buttons=ButtonForm())


@bp.post("/hop-thu-di/<id:message_id>/gui-lai")
def outbox_retry(message_id: int):
    """This message goes now (a given-up one too, back in line)."""
    if ButtonForm().validate_on_submit():
        if outbox.retry_message(message_id):
            flash(_("The message goes out at the next pass."))
        else:
            flash(_("That message is being sent or was already sent."))
    return see_other("admin.outbox_page")


@bp.post("/hop-thu-di/<id:message_id>/bo-qua")
def outbox_give_up(message_id: int):
    """Give this waiting message up; the person's page then says we could not reach them."""
    if ButtonForm().validate_on_submit():
        if outbox.give_up_message(message_id, current_user.id):
            flash(_("The message was given up."))
        else:
            flash(_("Only a waiting message can be given up."))
    return see_other("admin.outbox_page")


@bp.post("/hop-thu-di/kenh/<channel>/gui-lai")
def outbox_retry_channel(channel: str):
    """Every message waiting on this channel goes now (its server is known to be back)."""
    if channel not in CHANNELS:
        abort(404)
    if ButtonForm().validate_on_submit():
        count = outbox.retry_channel(channel)
        flash(ngettext("%(num)d waiting message goes out at the next pass.",
                       "%(num)d waiting messages go out at the next pass.", count))
    return see_other("admin.outbox_page", channel=channel)
