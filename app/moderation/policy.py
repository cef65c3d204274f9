"""The posting policy the forum asks before it writes: rate limits by account age, slow mode,
duplicates, holds (a new account's first posts, the word filter, many links), suspensions.

The forum gathers the facts (how many posts in the last minute, the author's last post in the
thread, an identical recent text ...) and these rules decide from them alone, so they are
tested without a forum; this module imports nothing of the forum."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from app.common.errors import PermissionDenied, ValidationError
from app.common.i18n import format_moment
from app.common.permissions import is_moderator, is_staff, signed_in
from app.common.time import utcnow
from app.extensions import db
from app.moderation import wordfilter
from app.moderation.models import Suspension

# The rules a post can break: what a flag names, and what a moderator's decision cites.
REASONS = {
    "spam": _l("Spam or advertising"),
    "offensive": _l("Offensive or abusive"),
    "off_topic": _l("Off topic"),
    "personal_data": _l("Someone else's personal data"),
    "unlawful": _l("Unlawful content"),
    "other": _l("Something else"),
}

# Why a post waits for a moderator before anyone else sees it.
HOLD_WORDS, HOLD_LINKS, HOLD_NEW_ACCOUNT = "word_filter", "links", "new_account"
HOLD_REASONS = {
    HOLD_WORDS: _l("a word on the filter list"),
    HOLD_LINKS: _l("many links"),
    HOLD_NEW_ACCOUNT: _l("first posts of a new account"),
}

ESTABLISHED_AFTER = timedelta(days=7)
HELD_FIRST_POSTS = 2
MAX_LINKS = 3
# The windows the forum counts an author's posts in, and looks for the same text in.
SHORT_WINDOW = timedelta(minutes=1)
LONG_WINDOW = timedelta(days=1)
DUPLICATE_WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class Limits:
    per_minute: int
    per_day: int


NEW_ACCOUNT_LIMITS = Limits(per_minute=2, per_day=20)
ESTABLISHED_LIMITS = Limits(per_minute=5, per_day=200)


@dataclass(frozen=True)
class PostingFacts:
    """What the forum knows of an author when they write: their posts in SHORT_WINDOW and
    LONG_WINDOW, whether the same text went out within DUPLICATE_WINDOW, how many of their
    posts are published, and, for a reply, the thread's slow mode and their last post in it."""

    posts_last_minute: int = 0
    posts_last_day: int = 0
    same_text_recently: bool = False
    published_posts: int = 0
    slow_mode_minutes: int = 0
    last_post_in_thread: datetime | None = None


def reason_label(reason: str) -> str:
    return str(REASONS.get(reason, reason))


def hold_label(reason: str | None) -> str:
    return str(HOLD_REASONS.get(reason or "", reason or ""))


def is_established(user, now: datetime | None = None) -> bool:
    return user.created_at <= (now or utcnow()) - ESTABLISHED_AFTER


def check_posting(user, facts: PostingFacts, now: datetime | None = None) -> None:
    """Refuse a post over the author's limits, inside the thread's slow mode, or a repeat;
    moderators are never limited. The refusal names the body so the text stays in the form."""
    if is_moderator(user):
        return
    now = now or utcnow()
    limits = ESTABLISHED_LIMITS if is_established(user, now) else NEW_ACCOUNT_LIMITS
    if facts.posts_last_minute >= limits.per_minute:
        raise ValidationError("body", _("You are posting too fast. Wait a minute and send again; your text is kept."))
    if facts.posts_last_day >= limits.per_day:
        raise ValidationError("body", ngettext("You have reached the limit of %(num)d post a day. Come back tomorrow.",
                                               "You have reached the limit of %(num)d posts a day. Come back tomorrow.",
                                               limits.per_day))
    slow = facts.slow_mode_minutes
    if slow and facts.last_post_in_thread and facts.last_post_in_thread > now - timedelta(minutes=slow):
        raise ValidationError("body", ngettext("This thread is in slow mode: one post every %(num)d minute.",
                                               "This thread is in slow mode: one post every %(num)d minutes.", slow))
    if facts.same_text_recently:
        raise ValidationError("body", _("You already posted this text. Write something new, or edit your post."))


def _never_held(user) -> bool:
    return is_moderator(user) or is_staff(user)


def hold_reason(user, text: str, links: int, facts: PostingFacts, now: datetime | None = None) -> str | None:
    """Why a new post waits for a moderator before anyone else sees it, or None."""
    if _never_held(user):
        return None
    if wordfilter.hits(text):
        return HOLD_WORDS
    if links > MAX_LINKS:
        return HOLD_LINKS
    if not is_established(user, now) and facts.published_posts < HELD_FIRST_POSTS:
        return HOLD_NEW_ACCOUNT
    return None


def edit_hold_reason(user, text: str) -> str | None:
    """An author's edit must not sneak past the filter the first version was checked against."""
    return HOLD_WORDS if not _never_held(user) and wordfilter.hits(text) else None


def active_suspension(user) -> Suspension | None:
    if not signed_in(user):
        return None
    return db.session.scalar(select(Suspension).where(Suspension.user_id == user.id, Suspension.ends_at > utcnow())
                             .order_by(Suspension.ends_at.desc()).limit(1))


def suspension_reason(suspension: Suspension) -> str:
    """The rule in the reader's language, then the moderator's note."""
    parts = [reason_label(suspension.rule) if suspension.rule else "", suspension.reason]
    return ": ".join(part for part in parts if part)


def ensure_not_suspended(user) -> None:
    """Suspended accounts read but do not post, flag or vote; tell them why and until when."""
    suspension = active_suspension(user)
    if suspension:
        raise PermissionDenied(_("Your account is suspended until %(end)s: %(reason)s",
                                 end=format_moment(suspension.ends_at),
                                 reason=suspension_reason(suspension)))
