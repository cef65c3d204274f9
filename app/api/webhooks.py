"""Webhooks: a submission's steps, sent to the endpoints that asked for them, signed the
Standard Webhooks way (webhook-id, webhook-timestamp, webhook-signature: v1 HMAC-SHA256 over
"id.timestamp.body" with the endpoint's whsec_ secret).

Each step's deliveries are outbox rows written in the step's own transaction (the core
announces every step; see app/submissions/messages.py), so none is lost with a broker or a
receiver down. Notify retries them with back-off, keeps them until an administrator gives up,
and sends a submission's events to an endpoint in order. An endpoint failing for
WEBHOOK_DISABLE_AFTER is disabled and the owner of its token told by e-mail."""
import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
import time
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.api import resources
from app.api.models import ApiToken, WebhookEndpoint
from app.api.tokens import Scope, principal_for
from app.common.errors import ValidationError
from app.common.permissions import handles
from app.common.text import clean_line
from app.common.time import utcnow
from app.extensions import db
from app.notify import outbox
from app.notify import services as notify
from app.notify.models import Channel
from app.submissions import messages

EVENTS = {
    "submission.created": _l("A submission was received"),
    "submission.assigned": _l("A submission was assigned or transferred to an agency"),
    "submission.status_changed": _l("A submission's status changed"),
    "submission.answered": _l("A submission was answered"),
    "submission.reopened": _l("The submitter asked for reconsideration"),
}
# The step that is each event, besides status_changed (any step that changes the status).
STEP_EVENTS = {"submit": "submission.created", "assign": "submission.assigned", "transfer": "submission.assigned",
               "answer": "submission.answered", "reopen": "submission.reopened"}
DISABLE_AFTER = timedelta(days=3)
TIMEOUT_SECONDS = 10
LOOPBACK_HOSTS = ("localhost",)


def register(app: Flask) -> None:
    notify.register_sender(app, Channel.WEBHOOK, deliver)
    messages.step_recorded.connect(on_step)


# Events: what a step is, and who may hear of it.

def event_types(event) -> list[str]:
    """The events one step is, in a fixed order: its own, then a status change if any."""
    types = [STEP_EVENTS[event.action]] if event.action in STEP_EVENTS else []
    if event.action != "submit" and event.to_status and event.to_status != event.from_status:
        types.append("submission.status_changed")
    return types


def on_step(submission, event, **_ignored) -> None:
    """Write one outbox row per subscribed endpoint and event type, inside the step's
    transaction; the payload is fixed now, as the step left the submission."""
    types = event_types(event)
    if not types:
        return
    endpoints = [e for e in _active_endpoints() if e.event_set & set(types)]
    if not endpoints:
        return
    if submission.id is None:
        db.session.flush()  # the first step: the submission needs its id for the outbox rows
    before = _previous_agency(submission)
    for endpoint in endpoints:
        view = _view_for(endpoint, submission, before)
        if view is None:
            continue
        for event_type in (t for t in types if t in endpoint.event_set):
            body = json.dumps({"type": event_type, "timestamp": _iso(event.created_at or utcnow()),
                               "data": {"step": _step(event), "submission": view}},
                              ensure_ascii=False, separators=(",", ":"), default=str)
            notify.enqueue(Channel.WEBHOOK, endpoint.recipient, body, subject=event_type,
                           submission_id=submission.id)


def _active_endpoints() -> list[WebhookEndpoint]:
    now = utcnow()
    endpoints = db.session.scalars(select(WebhookEndpoint).join(ApiToken).where(
        WebhookEndpoint.active, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)).all()
    return list(endpoints)


def _previous_agency(submission) -> int | None:
    """The agency that had the submission before this step (a transfer takes it away)."""
    events = submission.events
    return events[-2].agency_id if len(events) > 1 else None


def _view_for(endpoint: WebhookEndpoint, submission, agency_before: int | None) -> dict | None:
    """What this endpoint may be told, by its token's scopes: the case, contact included, for
    the agency handling it with read:cases; the public view of a published submission with
    read:public, or of a case that just left the agency; nothing otherwise."""
    principal = principal_for(endpoint.token)
    scopes, token = endpoint.token.scope_set, endpoint.token
    with _payload_context():
        if Scope.READ_CASES in scopes and handles(principal, submission):
            view = resources.case_view(submission, principal, resources.published_answers([submission]),
                                       resources.assignee_names([submission]))
            return _plain(view)
        published = Scope.READ_PUBLIC in scopes and submission.consent_publish
        left_us = Scope.READ_CASES in scopes and token.agency_id is not None and agency_before == token.agency_id
        if published or left_us:
            return _plain(resources.public_view(submission, resources.published_answers([submission])))
    return None


def _payload_context():
    """Payloads are written in Vietnamese with absolute links, in a request or out of one
    (a step taken by a scheduled job)."""
    if has_request_context():
        return force_locale("vi")
    return _OutsideRequest()


class _OutsideRequest:
    def __enter__(self):
        base = current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000"
        self._request = current_app.test_request_context(base_url=base)
        self._request.__enter__()
        self._locale = force_locale("vi")
        self._locale.__enter__()

    def __exit__(self, *exc):
        self._locale.__exit__(*exc)
        self._request.__exit__(*exc)


def _plain(view: dict) -> dict:
    """Times as ISO 8601 UTC strings, dates as ISO dates, like the API's own answers."""
    return json.loads(json.dumps(view, default=_iso))


def _iso(value) -> str:
    if hasattr(value, "hour"):
        return value.replace(tzinfo=None, microsecond=0).isoformat() + "Z"
    return value.isoformat()


def _step(event) -> dict:
    return {"name": event.action, "from_status": event.from_status, "to_status": event.to_status,
            "at": _iso(event.created_at or utcnow())}


# Delivery: notify calls `deliver` for each due webhook row.

class DeliveryRefused(Exception):
    """The endpoint is disabled or gone: the message waits (or an administrator gives up)."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is a failure: the receiver must answer at the registered address


def deliver(message) -> None:
    endpoint = db.session.get(WebhookEndpoint, int(message.recipient.removeprefix("webhook:")))
    if endpoint is None or not endpoint.active:
        raise DeliveryRefused("endpoint disabled")
    body = message.body.encode()
    headers = {"Content-Type": "application/json", "User-Agent": "GopY-Webhooks/1",
               **signature_headers(endpoint.secret, f"msg_{message.id}", int(time.time()), body)}
    request = urllib.request.Request(endpoint.url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.build_opener(_NoRedirects).open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(1024)
    except Exception as error:
        _failed(endpoint, error)
        raise
    endpoint.failing_since = None


def signature_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    signature = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp), "webhook-signature": f"v1,{signature}"}


def _failed(endpoint: WebhookEndpoint, error: Exception) -> None:
    now = utcnow()
    endpoint.failing_since = endpoint.failing_since or now
    if now - endpoint.failing_since >= DISABLE_AFTER:
        disable(endpoint, _("Every delivery failed since %(since)s (last error: %(error)s).",
                            since=endpoint.failing_since.isoformat(timespec="minutes"), error=str(error)[:200]),
                commit=False)


def disable(endpoint: WebhookEndpoint, reason: str, commit: bool = True) -> None:
    """Stop delivering to an endpoint (its messages wait) and tell the owner of its token."""
    endpoint.active, endpoint.disabled_at, endpoint.disabled_reason = False, utcnow(), reason
    with force_locale("vi"):
        context = dict(endpoint=endpoint, reason=reason)
        notify.enqueue(Channel.EMAIL, endpoint.token.contact_email, render_template("api/webhook_disabled.txt",
                                                                                   **context),
                       subject=_("Góp Ý: webhook %(url)s was disabled", url=endpoint.url))
    if commit:
        db.session.commit()


# Registration (the administration area calls these).

def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def add_endpoint(token_id: int | None, url: str, events: list[str], description: str = "") -> WebhookEndpoint:
    """Register an endpoint for a token's events; its secret is made here."""
    token = db.session.get(ApiToken, token_id) if token_id else None
    if token is None or not token.is_valid(utcnow()):
        raise ValidationError("token_id", _("Choose a token that is neither revoked nor expired."))
    url = check_url(url)
    chosen = [name for name in EVENTS if name in set(events)]
    if not chosen:
        raise ValidationError("events", _("Choose at least one event."))
    endpoint = WebhookEndpoint(token_id=token.id, url=url, events=" ".join(chosen),
                               description=clean_line(description) or None, secret=new_secret())
    db.session.add(endpoint)
    db.session.commit()
    return endpoint


def check_url(url: str) -> str:
    """HTTPS only; plain HTTP to this machine itself, for a receiver under development."""
    url = (url or "").strip()
    parts = urlsplit(url)
    loopback = parts.hostname is not None and (parts.hostname in LOOPBACK_HOSTS or _is_loopback(parts.hostname))
    if not parts.hostname or len(url) > 500 or not (parts.scheme == "https" or (parts.scheme == "http" and loopback)):
        raise ValidationError("url", _("Enter an https:// address."))
    return url


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def enable(endpoint: WebhookEndpoint) -> int:
    """Deliver again: the run of failures is forgotten and every waiting message is due now."""
    endpoint.active, endpoint.disabled_at, endpoint.disabled_reason, endpoint.failing_since = True, None, None, None
    db.session.commit()
    waiting = outbox.retry_now(endpoint.recipient)
    notify.deliver_soon()
    return waiting


def give_up(endpoint: WebhookEndpoint) -> int:
    """An administrator gives up on what waits for an endpoint: marked failed, kept in the log."""
    return outbox.give_up(endpoint.recipient)


def resend(endpoint: WebhookEndpoint, message_id: int) -> bool:
    """One delivery again, now, with its webhook-id (a receiver can tell the repeat)."""
    again = outbox.send_again(message_id, endpoint.recipient)
    notify.deliver_soon()
    return again


def delivery_log(endpoint: WebhookEndpoint, limit: int = 100):
    return outbox.messages_to(endpoint.recipient, limit)


def all_endpoints() -> list[WebhookEndpoint]:
    return list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id.desc())))


def get(endpoint_id: int) -> WebhookEndpoint | None:
    return db.session.get(WebhookEndpoint, endpoint_id)
