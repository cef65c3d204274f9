"""What other areas call: enqueue a message with the change that causes it (delivered after
the commit, see tasks.dispatch_pending), put a line in someone's inbox, read the inbox, and
build links for messages."""
from flask import Flask, after_this_request, current_app, g, has_request_context, url_for
from flask_babel import force_locale
from sqlalchemy import func, select, update

from app.common import paging
from app.common.paging import Page
from app.common.text import sms_text
from app.common.time import utcnow
from app.extensions import db
from app.notify import background
from app.notify.models import Channel, Notification, OutboxMessage, SmsOptOut
from app.notify.tasks import dispatch_pending


def register_sender(app: Flask, channel: str, send) -> None:
    """Let another area deliver a channel notify does not know (the API's webhooks):
    `send(message)` gets the OutboxMessage and raises on any failure."""
    app.extensions.setdefault("notify_senders", {})[channel] = send


def enqueue(channel: str, recipient: str, body: str, subject: str | None = None, html: str | None = None,
            user_id: int | None = None, submission_id: int | None = None) -> OutboxMessage | None:
    """Add a message to the session; the caller's commit stores it with the change itself.
    None, and nothing sent, for an SMS to a number that asked for no more (HUY)."""
    if channel == Channel.SMS:
        if sms_opted_out(recipient):
            return None
        body = sms_text(body)[:160]
    message = OutboxMessage(channel=channel, recipient=recipient, subject=subject, body=body, html=html,
                            user_id=user_id, submission_id=submission_id)
    db.session.add(message)
    if has_request_context():
        _deliver_after_response()
    return message


def sms_opted_out(phone: str) -> bool:
    return db.session.get(SmsOptOut, phone) is not None


def opt_out_sms(phone: str) -> None:
    """No more SMS to this number (added to the session: the caller commits)."""
    if not sms_opted_out(phone):
        db.session.add(SmsOptOut(phone=phone))


def opt_in_sms(phone: str) -> None:
    """The person wrote to the platform again: they may be answered."""
    existing = db.session.get(SmsOptOut, phone)
    if existing is not None:
        db.session.delete(existing)


def notify_users(recipients, body, link: str | None = None, submission_id: int | None = None) -> None:
    """Put a line in each recipient's inbox, written in their own language: pass `body` as a
    lazy_gettext string, rendered here once per recipient; `link` is a local path to open.
    A recipient is anything with an `id` and a `locale` (an account). Added to the session:
    the caller's commit stores it with the change that caused it."""
    if link is not None and (not link.startswith("/") or link.startswith("//")):
        raise ValueError("an inbox link is a local path")
    seen = set()
    for recipient in sorted(recipients, key=lambda r: r.id):
        if recipient.id in seen:
            continue
        seen.add(recipient.id)
        with force_locale(recipient.locale or "vi"):
            text = str(body)
        db.session.add(Notification(user_id=recipient.id, submission_id=submission_id, body=text[:500], link=link))


def unread_count(user) -> int:
    """How many lines of the inbox this person has not seen yet (0 for a guest)."""
    if not user or not user.is_authenticated:
        return 0
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)))


def inbox_page(user, page: int, per_page: int = 20) -> Page:
    query = select(Notification).where(Notification.user_id == user.id).order_by(
        Notification.created_at.desc(), Notification.id.desc())
    return paging.fetch(query, page, per_page)


def mark_inbox_read(user) -> None:
    db.session.execute(update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
                       .values(read_at=utcnow()))
    db.session.commit()


def public_url(endpoint: str, **values) -> str:
    """An absolute link for a message, built the same way inside or outside a request."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    scheme, _sep, host = base.partition("://")
    return current_app.url_map.bind(host, url_scheme=scheme).build(endpoint, values, force_external=True)


def local_url(endpoint: str, **values) -> str:
    """A path inside the site for an inbox link, built the same way inside or outside a request."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def deliver_soon() -> None:
    """Messages were put back in line (a resend, an endpoint on again): send them once the
    answer is out, as a step's own messages are."""
    if has_request_context():
        _deliver_after_response()


def _deliver_after_response() -> None:
    """Once the response is out (and the step committed), wake this process's delivery
    thread, which hands the messages to the broker or, with none configured, sends them: no
    request waits for a mail server. NOTIFY_DELIVERY = "sync" (the tests) sends them in the
    request's own thread once the response is closed, so a test sees them sent."""
    app = current_app._get_current_object()
    if g.get("delivery_scheduled"):
        return
    g.delivery_scheduled = True

    @after_this_request
    def schedule(response):
        if app.config.get("NOTIFY_DELIVERY") == "sync":
            def run():
                with app.app_context():
                    dispatch_pending()
            response.call_on_close(run)
        else:
            response.call_on_close(lambda: background.wake(app))
        return response
