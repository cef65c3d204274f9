"""The one rule for codes and links the public can have sent to a phone or an e-mail address:
at most SEND_LIMIT_PER_HOUR and SEND_LIMIT_PER_DAY per account and per address, and a lockout
for the day after CODE_MAX_WRONG_PER_DAY wrong codes. Each kind of code keeps its own table
(a row per message sent, with `created_at` and, for codes, `attempts`); the callers name the
rows that count (the account's, the address's) and this module counts them the same way."""
import hashlib
import hmac
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.common.errors import RateLimited
from app.common.time import utcnow
from app.extensions import db

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
CODE_MAX_ATTEMPTS = 5  # wrong tries before a code is dead
CODE_MAX_WRONG_PER_DAY = 10  # wrong tries on one account's (or number's) codes before they are locked for the day


def address_hash(address: str) -> str:
    """A keyed hash of an e-mail address or phone number: the limits count per address
    without the tables holding another copy of it."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, address.strip().lower().encode(), hashlib.sha256).hexdigest()


def sends_refused(model, *same) -> bool:
    """Whether the rows of `model` matching any of the conditions `same` (the account, the
    address) have had their share of messages in the last hour or day."""
    now = utcnow()
    for window, limit_name in ((HOUR, "SEND_LIMIT_PER_HOUR"), (DAY, "SEND_LIMIT_PER_DAY")):
        sent = db.session.scalar(select(func.count()).select_from(model).where(
            or_(*same), model.created_at > now - window))
        if sent >= current_app.config[limit_name]:
            return True
    return False


def check_sends(model, *same) -> None:
    """Refuse (429, in the user's language) one more code to these rows' account or address."""
    if sends_refused(model, *same):
        raise RateLimited(_("We have sent as many codes as we may for now: at most %(hour)d an hour and %(day)d a "
                            "day. Use the last code we sent, or try again later.",
                            hour=current_app.config["SEND_LIMIT_PER_HOUR"],
                            day=current_app.config["SEND_LIMIT_PER_DAY"]))


def wrong_codes_today(model, *same) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(model.attempts), 0)).where(
        or_(*same), model.created_at > utcnow() - DAY))


def check_not_locked(model, *same) -> None:
    """Refuse (429) while these rows' wrong codes of the last day reach CODE_MAX_WRONG_PER_DAY."""
    if wrong_codes_today(model, *same) >= CODE_MAX_WRONG_PER_DAY:
        raise RateLimited(_("Too many wrong codes today. For your safety, codes are locked until tomorrow. "
                            "Try again tomorrow, or send your feedback without verifying."))


def retire_live(model, *same) -> None:
    """One live code at a time: the earlier unexpired codes of these rows expire now."""
    now = utcnow()
    for earlier in db.session.scalars(select(model).where(or_(*same), model.expires_at > now)):
        earlier.expires_at = now
