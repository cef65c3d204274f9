"""The daily digest: every line kept for a person since the last run, in one e-mail in their
language. Areas whose news is gathered only once a day (the area and topic alerts) register a
source that keeps its lines first. Run daily by the worker's scheduler, or `flask notify digests`."""
from collections import defaultdict
from datetime import datetime

from flask import Flask, current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from app.common.time import utcnow
from app.extensions import db
from app.notify import preferences, services
from app.notify.models import Channel


def register_source(app: Flask, collect) -> None:
    """`collect(now)` keeps digest lines (preferences.keep_for_digest) before the digests go out."""
    app.extensions.setdefault("notify_digest_sources", []).append(collect)


def send_digests(now: datetime | None = None) -> int:
    """Send one e-mail per person with lines waiting; returns how many e-mails were written."""
    now = now or utcnow()
    for collect in current_app.extensions.get("notify_digest_sources", []):
        collect(now)
    db.session.flush()
    by_person = defaultdict(list)
    for item in preferences.pending_digest_items():
        by_person[item.user_id].append(item)
    for user_id, items in by_person.items():
        _send_one(user_id, items)
        for item in items:
            item.sent_at = now
    db.session.commit()
    return len(by_person)


def _send_one(user_id: int, items: list) -> None:
    latest = items[-1]
    with force_locale(latest.locale or "vi"):
        subject = ngettext("Góp Ý: %(num)d new item for you today", "Góp Ý: %(num)d new items for you today",
                           len(items))
        lines = [_("What happened today in what you follow:"), ""]
        for item in items:
            lines.append(f"- {item.body}")
            if item.link:
                lines.append(f"  {preferences.absolute(item.link)}")
        url = preferences.unsubscribe_url(user_id, preferences.ALL_DIGESTS)
        lines += ["", _("Change what you receive: %(url)s", url=preferences.absolute(
            services.local_url("accounts.notification_settings"))), "-- ",
            _("To stop these e-mails (%(kind)s): %(url)s", kind=preferences.kind_label(preferences.ALL_DIGESTS),
              url=url)]
    message = services.enqueue(Channel.EMAIL, latest.email, "\n".join(lines) + "\n", subject=subject[:200],
                               user_id=user_id)
    message.headers = preferences.unsubscribe_headers(url)
