"""API tokens and webhook endpoints: issue (shown once), revoke, the call log; register an
endpoint (its secret shown once), its delivery log, resend, turn it off and on, give up
(the API area's services do the work)."""
from flask import abort, flash
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp
from app.admin.forms import TokenForm, WebhookForm
from app.agencies.services import agency_choices
from app.api import tokens, webhooks
from app.common.forms import ButtonForm
from app.common.rendering import form_page, render, run_form, see_other
from app.common.security import mark_personal
from app.common.time import utcnow


def _token_form() -> TokenForm:
    form = TokenForm()
    form.scopes.choices = [(scope, f"{scope}: {label}") for scope, label in tokens.SCOPE_LABELS.items()]
    form.agency_id.choices = agency_choices(str(get_locale()), _("None (a partner app)"))
    form.acting_user_id.choices = tokens.agency_staff_choices(_("Nobody (public data and new submissions only)"))
    return form


@bp.route("/api", methods=["GET", "POST"])
def api_tokens():
    """Tokens: the list with last use, and a form that issues one; the token is shown once."""
    mark_personal()
    form = _token_form()
    done, issued = run_form(form, lambda: tokens.issue(_token_request(form), current_user))
    # The value exists only in this answer: never in a redirect, a flash or the database.
    return form_page("admin/api_tokens.html", form=form, issued=issued if done else None,
                     tokens=tokens.all_tokens(), now=utcnow(), buttons=ButtonForm())


def _token_request(form: TokenForm) -> tokens.TokenRequest:
    return tokens.TokenRequest(name=form.name.data, scopes=form.scopes.data, contact_email=form.contact_email.data,
                               days=form.days.data, agency_id=form.agency_id.data,
                               acting_user_id=form.acting_user_id.data, rate_limit=form.rate_limit.data)


@bp.get("/api/<id:token_id>")
def api_token(token_id: int):
    """One token: what it may do, and its latest calls."""
    token = tokens.get(token_id) or abort(404)
    return render("admin/api_token.html", token=token, calls=tokens.recent_calls(token), now=utcnow(),
                  buttons=ButtonForm())


@bp.post("/api/<id:token_id>/thu-hoi")
def api_token_revoke(token_id: int):
    """Revoke a token: its next call gets 401."""
    token = tokens.get(token_id) or abort(404)
    if ButtonForm().validate_on_submit():
        tokens.revoke(token)
        flash(_("The token was revoked."))
    return see_other("admin.api_token", token_id=token.id)


def _webhook_form() -> WebhookForm:
    form = WebhookForm()
    now = utcnow()
    form.token_id.choices = [("", _("Choose a token"))] + [(t.id, f"{t.name} ({t.prefix}…)")
                                                           for t in tokens.all_tokens() if t.is_valid(now)]
    form.events.choices = [(name, f"{name}: {label}") for name, label in webhooks.EVENTS.items()]
    return form


@bp.route("/webhook", methods=["GET", "POST"])
def webhook_endpoints():
    """Endpoints: the list, and a form that registers one; its secret is shown once."""
    mark_personal()
    form = _webhook_form()
    done, endpoint = run_form(form, lambda: webhooks.add_endpoint(form.token_id.data, form.url.data, form.events.data,
                                                                  form.description.data or ""))
    return form_page("admin/webhooks.html", form=form, created=endpoint if done else None,
                     endpoints=webhooks.all_endpoints())


@bp.get("/webhook/<id:endpoint_id>")
def webhook_endpoint(endpoint_id: int):
    """An endpoint's delivery log: every message, its attempts, its last error."""
    endpoint = webhooks.get(endpoint_id) or abort(404)
    return render("admin/webhook.html", endpoint=endpoint, deliveries=webhooks.delivery_log(endpoint),
                  buttons=ButtonForm())


@bp.post("/webhook/<id:endpoint_id>/<any(bat, tat, 'bo-qua'):action>")
def webhook_switch(endpoint_id: int, action: str):
    """Turn an endpoint on (everything waiting is sent), off, or give up what waits for it."""
    endpoint = webhooks.get(endpoint_id) or abort(404)
    if ButtonForm().validate_on_submit():
        if action == "bat":
            webhooks.enable(endpoint)
        elif action == "tat":
            webhooks.disable(endpoint, _("Turned off by an administrator."))
        else:
            webhooks.give_up(endpoint)
        flash(_("Saved."))
    return see_other("admin.webhook_endpoint", endpoint_id=endpoint.id)


@bp.post("/webhook/<id:endpoint_id>/gui-lai/<id:message_id>")
def webhook_resend(endpoint_id: int, message_id: int):
    """Send one delivery again now, with the same webhook-id."""
    endpoint = webhooks.get(endpoint_id) or abort(404)
    if ButtonForm().validate_on_submit() and webhooks.resend(endpoint, message_id):
        flash(_("It will be sent again in a moment."))
    return see_other("admin.webhook_endpoint", endpoint_id=endpoint.id)
