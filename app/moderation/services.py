"""Moderation services: abuse limits, holds, flags, moderator actions, the log and appeals."""
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.common.errors import Conflict, PermissionDenied, ValidationError
from app.common.permissions import is_moderator
from app.common.time import utcnow
from app.extensions import db
from app.forum.markup import clean_line
from app.forum.models import Board, Post, Thread, Visibility
from app.moderation import wordfilter
from app.moderation.models import Appeal, FilterWord, Flag, ModerationAction, Suspension
from app.notify import services as notify

REASONS = {
    "spam": _l("Spam or advertising"),
    "offensive": _l("Offensive or abusive"),
    "off_topic": _l("Off topic"),
    "personal_data": _l("Someone else's personal data"),
    "unlawful": _l("Unlawful content"),
    "other": _l("Something else"),
}
ACTIONS = {
    "approve": _l("Approved"),
    "hide": _l("Hidden"),
    "restore": _l("Restored"),
    "delete": _l("Deleted"),
    "edit": _l("Edited"),
    "lock": _l("Locked"),
    "unlock": _l("Unlocked"),
    "pin": _l("Pinned"),
    "unpin": _l("Unpinned"),
    "move": _l("Moved"),
    "slow_mode": _l("Slow mode set"),
    "warn": _l("Author warned"),
    "suspend": _l("Author suspended"),
    "dismiss": _l("Flags dismissed"),
    "auto_hide": _l("Hidden after flags, until reviewed"),
    "appeal_upheld": _l("Appeal refused"),
    "appeal_overturned": _l("Appeal accepted"),
}
POST_ACTIONS = ("approve", "hide", "restore", "delete", "dismiss", "warn", "suspend")
THREAD_ACTIONS = POST_ACTIONS + ("lock", "unlock", "pin", "unpin", "move", "slow_mode")
# Actions against an author, which the author is told of and may appeal.
APPEALABLE = ("hide", "delete", "edit", "warn", "suspend", "auto_hide")

ESTABLISHED_AFTER = timedelta(days=7)
HELD_FIRST_POSTS = 2
AUTO_HIDE_FLAGS = 3
MAX_LINKS = 3


@dataclass(frozen=True)
class Limits:
    per_minute: int
    per_day: int


NEW_ACCOUNT_LIMITS = Limits(per_minute=2, per_day=20)
ESTABLISHED_LIMITS = Limits(per_minute=5, per_day=200)


def reason_label(reason: str) -> str:
    return str(REASONS.get(reason, reason))


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def is_established(user) -> bool:
    return user.created_at <= utcnow() - ESTABLISHED_AFTER


def active_suspension(user) -> Suspension | None:
    if not user or not user.is_authenticated:
        return None
    return db.session.scalar(select(Suspension).where(Suspension.user_id == user.id, Suspension.ends_at > utcnow())
                             .order_by(Suspension.ends_at.desc()).limit(1))


def ensure_not_suspended(user) -> None:
    """Suspended accounts read but do not post, flag or vote; tell them why and until when."""
    suspension = active_suspension(user)
    if suspension:
        raise PermissionDenied(_("Your account is suspended until %(end)s: %(reason)s",
                                 end=format_datetime(suspension.ends_at, "short"), reason=suspension_reason(suspension)))


def suspension_reason(suspension: Suspension) -> str:
    """The rule in the reader's language, then the moderator's note."""
    parts = [reason_label(suspension.rule) if suspension.rule else "", suspension.reason]
    return ": ".join(part for part in parts if part)


def check_posting_limits(user, thread: Thread | None, body_key: str) -> None:
    """Posts per minute and per day by account age, the thread's slow mode, and duplicates."""
    if is_moderator(user):
        return
    now = utcnow()
    limits = ESTABLISHED_LIMITS if is_established(user) else NEW_ACCOUNT_LIMITS
    recent = _posts_since(user, now - timedelta(minutes=1))
    if recent >= limits.per_minute:
        raise ValidationError("body", _("You are posting too fast. Wait a minute and send again; your text is kept."))
    if _posts_since(user, now - timedelta(days=1)) >= limits.per_day:
        raise ValidationError("body", ngettext("You have reached the limit of %(num)d post a day. Come back tomorrow.",
                                               "You have reached the limit of %(num)d posts a day. Come back tomorrow.",
                                               limits.per_day))
    if thread is not None and thread.slow_mode_minutes:
        last = db.session.scalar(select(func.max(Post.created_at)).where(Post.thread_id == thread.id, Post.author_id == user.id))
        if last and last > now - timedelta(minutes=thread.slow_mode_minutes):
            raise ValidationError("body", ngettext("This thread is in slow mode: one post every %(num)d minute.",
                                                   "This thread is in slow mode: one post every %(num)d minutes.",
                                                   thread.slow_mode_minutes))
    duplicate = db.session.scalar(select(Post.id).where(
        Post.author_id == user.id, Post.search_text == body_key, Post.created_at > now - timedelta(days=1)).limit(1))
    if duplicate:
        raise ValidationError("body", _("You already posted this text. Write something new, or edit your post."))


def _posts_since(user, since) -> int:
    return db.session.scalar(select(func.count()).select_from(Post).where(Post.author_id == user.id, Post.created_at > since))


def hold_reason(user, text: str, link_count: int) -> str | None:
    """Why a post waits for a moderator before anyone sees it, or None."""
    if is_moderator(user) or user.is_staff:
        return None
    if wordfilter.hits(text):
        return "word_filter"
    if link_count > MAX_LINKS:
        return "links"
    if not is_established(user):
        published = db.session.scalar(select(func.count()).select_from(Post).where(
            Post.author_id == user.id, Post.status == Visibility.PUBLISHED))
        if published < HELD_FIRST_POSTS:
            return "new_account"
    return None


HOLD_REASONS = {
    "word_filter": _l("a word on the filter list"),
    "links": _l("many links"),
    "new_account": _l("first posts of a new account"),
}


def hold_label(reason: str | None) -> str:
    return str(HOLD_REASONS.get(reason or "", reason or ""))


# Flags


def flag(user, target_type: str, target_id: int, reason: str, note: str = "") -> Flag:
    """Record one flag per person per item; three established flaggers hide the item."""
    ensure_not_suspended(user)
    target = _target(target_type, target_id)
    if reason not in REASONS:
        raise ValidationError("reason", _("Choose a reason."))
    note = clean_line(note)[:300]
    if reason == "other" and not note:
        raise ValidationError("note", _("Say what is wrong."))
    if db.session.scalar(select(Flag.id).where(Flag.user_id == user.id, Flag.target_type == target_type,
                                               Flag.target_id == target_id)):
        raise Conflict(_("You have already flagged this. Moderators will look at it."))
    item = Flag(user_id=user.id, target_type=target_type, target_id=target_id, reason=reason, note=note)
    db.session.add(item)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("You have already flagged this. Moderators will look at it.")) from None
    _hide_when_flagged_enough(target_type, target)
    db.session.commit()
    return item


def _hide_when_flagged_enough(target_type: str, target) -> None:
    established = db.session.scalar(
        select(func.count(func.distinct(Flag.user_id))).join(User, User.id == Flag.user_id)
        .where(Flag.target_type == target_type, Flag.target_id == target.id, Flag.resolved_at.is_(None),
               User.created_at <= utcnow() - ESTABLISHED_AFTER))
    if established >= AUTO_HIDE_FLAGS and target.status == Visibility.PUBLISHED:
        before = _listed_in(target_type, target)
        target.status = Visibility.HIDDEN
        _recount(before, None)
        _log("auto_hide", target_type, target.id, "", "", None, target.author_id)


def _target(target_type: str, target_id: int):
    model = {"post": Post, "thread": Thread}.get(target_type)
    target = db.session.get(model, target_id) if model and 0 < target_id < 2**31 else None
    if target is None:
        raise ValidationError(None, _("This item no longer exists."))
    return target


# The review queue


def held_posts(limit: int = 20) -> list[Post]:
    return list(db.session.scalars(select(Post).where(Post.status == Visibility.HELD).order_by(Post.id).limit(limit)))


def flagged_items(limit: int = 20) -> list[dict]:
    """Open flags grouped by item, most flagged first, with each reason's count."""
    rows = db.session.execute(
        select(Flag.target_type, Flag.target_id, Flag.reason, func.count())
        .where(Flag.resolved_at.is_(None)).group_by(Flag.target_type, Flag.target_id, Flag.reason)).all()
    grouped: dict[tuple[str, int], dict] = {}
    for target_type, target_id, reason, count in rows:
        entry = grouped.setdefault((target_type, target_id), {"type": target_type, "id": target_id, "reasons": {}, "count": 0})
        entry["reasons"][reason] = count
        entry["count"] += count
    items = sorted(grouped.values(), key=lambda item: (-item["count"], item["id"]))[:limit]
    for item in items:
        item["target"] = db.session.get(Post if item["type"] == "post" else Thread, item["id"])
        item["notes"] = list(db.session.scalars(select(Flag.note).where(
            Flag.target_type == item["type"], Flag.target_id == item["id"], Flag.resolved_at.is_(None), Flag.note != "")))
    return [item for item in items if item["target"] is not None]


def open_appeals() -> list[Appeal]:
    return list(db.session.scalars(select(Appeal).where(Appeal.outcome.is_(None)).order_by(Appeal.id).limit(20)))


# Actions


def act(moderator, action: str, target_type: str, target_id: int, rule: str = "", note: str = "",
        days: int | None = None, board_id: int | None = None, minutes: int | None = None) -> ModerationAction:
    """Carry out one moderator action on a post or thread (or its author) and log it."""
    if not is_moderator(moderator):
        raise PermissionDenied()
    target = _target(target_type, target_id)
    allowed = POST_ACTIONS if target_type == "post" else THREAD_ACTIONS
    if action not in allowed:
        raise ValidationError("action", _("Choose an action."))
    if rule and rule not in REASONS:
        raise ValidationError("rule", _("Choose a rule."))
    note = clean_line(note)[:300]
    if action in APPEALABLE and not rule:
        raise ValidationError("rule", _("Say which rule was broken: the author is told."))
    before, was_held = _listed_in(target_type, target), target.status == Visibility.HELD
    _apply(action, target_type, target, moderator, note, days, board_id, minutes, rule)
    if not was_held:  # publishing a held thread counts it already
        _recount(before, _listed_in(target_type, target))
    entry = _log(action, target_type, target.id, rule, note, moderator, target.author_id)
    if action in ("approve", "hide", "restore", "delete", "dismiss"):
        _resolve_flags(target_type, target.id)
    if action in APPEALABLE:
        _tell_author(entry)
    if action == "suspend":
        db.session.add(Suspension(user_id=target.author_id, rule=rule, reason=note,
                                  ends_at=utcnow() + timedelta(days=days or 1), action_id=entry.id))
    db.session.commit()
    return entry


def _apply(action, target_type, target, moderator, note, days, board_id, minutes, rule) -> None:
    from app.forum import services as forum

    if action == "approve":
        if target.status == Visibility.HELD:
            forum.publish(target if target_type == "post" else forum.opening_post(target))
        else:
            target.status = Visibility.PUBLISHED
    elif action in ("hide", "restore", "delete"):
        if action == "restore" and target.status == Visibility.HELD:
            raise ValidationError("action", _("A held post is approved, not restored."))
        target.status = {"hide": Visibility.HIDDEN, "restore": Visibility.PUBLISHED, "delete": Visibility.DELETED}[action]
    elif action in ("lock", "unlock"):
        target.locked = action == "lock"
    elif action in ("pin", "unpin"):
        target.pinned = action == "pin"
    elif action == "move":
        board = db.session.get(Board, board_id) if board_id and 0 < board_id < 2**31 else None
        if board is None:
            raise ValidationError("board_id", _("Choose a board."))
        target.board_id = board.id
    elif action == "slow_mode":
        if minutes is None or not 0 <= minutes <= 1440:
            raise ValidationError("minutes", _("Enter a number of minutes from 0 to 1440."))
        target.slow_mode_minutes = minutes
    elif action == "suspend" and (days is None or not 1 <= days <= 365):
        raise ValidationError("days", _("Enter a number of days from 1 to 365."))


def _listed_in(target_type: str, target) -> int | None:
    """The board whose thread count includes this thread, if any."""
    if target_type != "thread" or target.status != Visibility.PUBLISHED:
        return None
    return target.board_id


def _recount(before: int | None, after: int | None) -> None:
    # Board pages are paged by the stored count; keep it true when threads move, hide or come back.
    if before == after:
        return
    for board_id, delta in ((before, -1), (after, 1)):
        board = db.session.get(Board, board_id) if board_id else None
        if board:
            board.thread_count = max(0, board.thread_count + delta)


def _log(action, target_type, target_id, rule, note, moderator, subject_id) -> ModerationAction:
    entry = ModerationAction(action=action, target_type=target_type, target_id=target_id, rule=rule or "",
                             note=note or "", moderator_id=getattr(moderator, "id", None), subject_id=subject_id)
    db.session.add(entry)
    db.session.flush()
    return entry


def record_edit(moderator, post: Post, rule: str, note: str) -> ModerationAction:
    """A moderator's edit of someone's post, logged and told to the author."""
    entry = _log("edit", "post", post.id, rule, note, moderator, post.author_id)
    _tell_author(entry)
    return entry


def _resolve_flags(target_type: str, target_id: int) -> None:
    for item in db.session.scalars(select(Flag).where(Flag.target_type == target_type, Flag.target_id == target_id,
                                                      Flag.resolved_at.is_(None))):
        item.resolved_at = utcnow()


def _tell_author(entry: ModerationAction) -> None:
    """The author hears of the decision in their inbox, with the way to the reasons and the appeal."""
    thread_id = entry.target_id if entry.target_type == "thread" else db.session.get(Post, entry.target_id).thread_id
    title = db.session.get(Thread, thread_id).title
    if entry.note:
        body = _l("A moderator acted on your contribution in “%(title)s”: %(note)s", title=title, note=entry.note)
    else:
        body = _l("A moderator acted on your contribution in “%(title)s”", title=title)
    notify.notify_users([db.session.get(User, entry.subject_id)], body, link=notify.local_url("moderation.appeal", action_id=entry.id))


def public_log(page: int, per_page: int = 20):
    return db.paginate(select(ModerationAction).order_by(ModerationAction.id.desc()), page=page, per_page=per_page,
                       error_out=False)


# Appeals


def appeal(user, action_id: int, text: str) -> Appeal:
    """The author of a moderated item appeals, once."""
    entry = db.session.get(ModerationAction, action_id) if 0 < action_id < 2**31 else None
    if entry is None or entry.subject_id != user.id or entry.action not in APPEALABLE:
        raise PermissionDenied()
    text = clean_line(text)
    if not 10 <= len(text) <= 1000:
        raise ValidationError("text", _("Explain in 10 to 1,000 characters."))
    if db.session.scalar(select(Appeal.id).where(Appeal.action_id == action_id)):
        raise Conflict(_("You have already appealed this decision."))
    item = Appeal(action_id=action_id, user_id=user.id, text=text)
    db.session.add(item)
    db.session.commit()
    return item


def decide_appeal(moderator, appeal_id: int, overturn: bool) -> Appeal:
    """Accepting an appeal restores what was hidden or lifts the suspension."""
    if not is_moderator(moderator):
        raise PermissionDenied()
    item = db.session.get(Appeal, appeal_id) if 0 < appeal_id < 2**31 else None
    if item is None or item.outcome:
        raise Conflict(_("This appeal has already been decided."))
    entry = item.action
    if overturn:
        _undo(entry)
    item.outcome = "overturned" if overturn else "upheld"
    item.decided_at = utcnow()
    _log("appeal_" + item.outcome, entry.target_type, entry.target_id, entry.rule, "", moderator, entry.subject_id)
    db.session.commit()
    return item


def _undo(entry: ModerationAction) -> None:
    if entry.action in ("hide", "delete", "auto_hide"):
        target = _target(entry.target_type, entry.target_id)
        before = _listed_in(entry.target_type, target)
        target.status = Visibility.PUBLISHED
        _recount(before, _listed_in(entry.target_type, target))
    elif entry.action == "suspend":
        for suspension in db.session.scalars(select(Suspension).where(Suspension.action_id == entry.id)):
            suspension.ends_at = utcnow()


def appealable_action(user, action_id: int) -> ModerationAction | None:
    entry = db.session.get(ModerationAction, action_id) if 0 < action_id < 2**31 else None
    if entry is None or entry.subject_id != user.id or entry.action not in APPEALABLE:
        return None
    return entry


def has_appealed(action_id: int) -> bool:
    return db.session.scalar(select(Appeal.id).where(Appeal.action_id == action_id)) is not None


# The word list


def add_word(admin, word: str) -> FilterWord:
    word = clean_line(word).lower()
    if not 2 <= len(word) <= 64:
        raise ValidationError("word", _("Enter a word or phrase of 2 to 64 characters."))
    if db.session.scalar(select(FilterWord.id).where(FilterWord.word == word)):
        raise Conflict(_("This word is already on the list."))
    item = FilterWord(word=word)
    db.session.add(item)
    db.session.commit()
    return item


def remove_word(admin, word_id: int) -> None:
    item = db.session.get(FilterWord, word_id) if 0 < word_id < 2**31 else None
    if item:
        db.session.delete(item)
        db.session.commit()


def seed_words() -> None:
    """The few mild entries a new installation starts with (safe to run again)."""
    existing = set(db.session.scalars(select(FilterWord.word)))
    db.session.add_all(FilterWord(word=word) for word in wordfilter.SEED_WORDS if word not in existing)
    db.session.commit()
