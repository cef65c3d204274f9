"""The posting policy the forum asks before it writes: trust levels and the limits each lifts,
slow mode, duplicates, holds (a new account's first posts, the word filter, many links),
suspensions and silences.

Trust grows as in Discourse (https://blog.discourse.org/2018/06/understanding-discourse-trust-levels/),
earned by time, reading and posting without moderators acting against the author:

| level | earned when | posts a minute / a day | held | links before a hold |
| --- | --- | --- | --- | --- |
| 0 new | on joining | 2 / 20 | the first 2 posts | 3 |
| 1 basic | 1 day old and 5 threads read, or 7 days old | 5 / 200 | no | 3 |
| 2 member | 15 days, 20 threads read, 10 posts published, no decision against in 60 days | 10 / 500 | no | 10 |
| 3 regular | 60 days, 100 threads read, 50 posts published, no decision against in 100 days | 20 / 1,000 | no | never |

Flags from level 1 up count towards hiding an item until a moderator looks. A moderator can
set a level by hand (logged); it holds until set again.

The forum gathers the facts (how many posts in the last minute, the author's last post in the
thread, an identical recent text ...) and these rules decide from them alone, so they are
tested without a forum; this module imports nothing of the forum."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select

from app.common.errors import PermissionDenied, ValidationError
from app.common.i18n import format_moment
from app.common.permissions import is_moderator, is_staff, signed_in
from app.common.time import utcnow
from app.extensions import db
from app.moderation import wordfilter
from app.moderation.models import Decision, Suspension, TrustOverride

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


NEW, BASIC, MEMBER, REGULAR = 0, 1, 2, 3
TRUST_LEVELS = {
    NEW: _l("New"),
    BASIC: _l("Basic"),
    MEMBER: _l("Member"),
    REGULAR: _l("Regular"),
}


@dataclass(frozen=True)
class Requirement:
    """What earns a level: days since joining, threads read, posts published, and days since
    a moderator last decided against the author (None: not asked)."""

    days: int
    threads_read: int = 0
    published_posts: int = 0
    clean_days: int | None = None


# Level 1 has two ways in: a little reading after a day, or a week's time alone.
EARNED = {
    BASIC: (Requirement(days=1, threads_read=5), Requirement(days=7)),
    MEMBER: (Requirement(days=15, threads_read=20, published_posts=10, clean_days=60),),
    REGULAR: (Requirement(days=60, threads_read=100, published_posts=50, clean_days=100),),
}
LIMITS = {
    NEW: Limits(per_minute=2, per_day=20),
    BASIC: Limits(per_minute=5, per_day=200),
    MEMBER: Limits(per_minute=10, per_day=500),
    REGULAR: Limits(per_minute=20, per_day=1000),
}
LINKS_BEFORE_HOLD = {NEW: MAX_LINKS, BASIC: MAX_LINKS, MEMBER: 10, REGULAR: None}
NEW_ACCOUNT_LIMITS, ESTABLISHED_LIMITS = LIMITS[NEW], LIMITS[BASIC]


@dataclass(frozen=True)
class TrustFacts:
    """What a trust level is earned from; `override` is a level a moderator set by hand."""

    joined_at: datetime
    threads_read: int = 0
    published_posts: int = 0
    last_decision_against: datetime | None = None
    override: int | None = None


def _meets(requirement: Requirement, facts: TrustFacts, now: datetime) -> bool:
    clean = (requirement.clean_days is None or facts.last_decision_against is None
             or facts.last_decision_against <= now - timedelta(days=requirement.clean_days))
    return (facts.joined_at <= now - timedelta(days=requirement.days) and facts.threads_read >= requirement.threads_read
            and facts.published_posts >= requirement.published_posts and clean)


def trust_level(facts: TrustFacts, now: datetime | None = None) -> int:
    """The level set by hand, else the highest earned (each level needs the one below it)."""
    if facts.override is not None:
        return facts.override
    now = now or utcnow()
    level = NEW
    for candidate in (BASIC, MEMBER, REGULAR):
        if not any(_meets(requirement, facts, now) for requirement in EARNED[candidate]):
            break
        level = candidate
    return level


def trust_label(level: int) -> str:
    return str(TRUST_LEVELS.get(level, level))


# Decisions against an author: they hold back the levels that ask for a clean record.
DECISIONS_AGAINST = ("hide", "delete", "edit", "warn", "suspend", "silence", "auto_hide")


def moderation_record(user_id: int) -> tuple[int | None, datetime | None]:
    """The level a moderator set by hand (or None) and when a decision last went against the person."""
    override = db.session.scalar(select(TrustOverride.level).where(TrustOverride.user_id == user_id))
    last = db.session.scalar(select(func.max(Decision.created_at)).where(
        Decision.subject_id == user_id, Decision.kind.in_(DECISIONS_AGAINST)))
    return override, last


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
    trust: int = NEW


def reason_label(reason: str) -> str:
    return str(REASONS.get(reason, reason))


def hold_label(reason: str | None) -> str:
    return str(HOLD_REASONS.get(reason or "", reason or ""))


def check_posting(user, facts: PostingFacts, now: datetime | None = None) -> None:
    """Refuse a post over the author's limits, inside the thread's slow mode, or a repeat;
    moderators are never limited. The refusal names the body so the text stays in the form."""
    if is_moderator(user):
        return
    now = now or utcnow()
    limits = LIMITS[facts.trust]
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
    allowed = LINKS_BEFORE_HOLD[facts.trust]
    if allowed is not None and links > allowed:
        return HOLD_LINKS
    if facts.trust == NEW and facts.published_posts < HELD_FIRST_POSTS:
        return HOLD_NEW_ACCOUNT
    return None


def edit_hold_reason(user, text: str) -> str | None:
    """An author's edit must not sneak past the filter the first version was checked against."""
    return HOLD_WORDS if not _never_held(user) and wordfilter.hits(text) else None


def active_suspension(user, kinds: tuple[str, ...] = (Suspension.SUSPEND, Suspension.SILENCE)) -> Suspension | None:
    """The person's running suspension or silence (a suspension first), or None."""
    if not signed_in(user):
        return None
    return db.session.scalar(select(Suspension).where(Suspension.user_id == user.id, Suspension.ends_at > utcnow(),
                                                      Suspension.kind.in_(kinds))
                             .order_by(Suspension.kind.desc(), Suspension.ends_at.desc()).limit(1))


def suspension_reason(suspension: Suspension) -> str:
    """The rule in the reader's language, then the moderator's note."""
    parts = [reason_label(suspension.rule) if suspension.rule else "", suspension.reason]
    return ": ".join(part for part in parts if part)


def ensure_not_suspended(user) -> None:
    """Suspended accounts read but do not post, flag or vote; tell them why and until when."""
    suspension = active_suspension(user, (Suspension.SUSPEND,))
    if suspension:
        raise PermissionDenied(_("Your account is suspended until %(end)s: %(reason)s",
                                 end=format_moment(suspension.ends_at),
                                 reason=suspension_reason(suspension)))


def ensure_can_post(user) -> None:
    """Posting is closed to the suspended and to the silenced (who still vote and flag)."""
    ensure_not_suspended(user)
    silence = active_suspension(user, (Suspension.SILENCE,))
    if silence:
        raise PermissionDenied(_("You are silenced until %(end)s: %(reason)s. You can read, vote and flag, "
                                 "but not post.", end=format_moment(silence.ends_at),
                                 reason=suspension_reason(silence)))
