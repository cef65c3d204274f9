"""Moderation services: flags, the review queue, moderators' decisions with their public log,
appeals and the word list. A decision changes forum content through the forum's services and
is logged in the same transaction; the posting rules themselves are in policy.py."""
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.common import paging
from app.common.errors import Conflict, PermissionDenied, ValidationError
from app.common.paging import Page
from app.common.params import valid_id
from app.common.permissions import can_decide_appeal, can_edit, is_moderator
from app.common.time import utcnow
from app.extensions import db
from app.forum import services as forum
from app.forum.markup import clean_line
from app.forum.models import Post, Thread, Visibility
from app.moderation import notices, policy, wordfilter
from app.moderation.models import (
    Appeal,
    CannedReply,
    Decision,
    FilterWord,
    Flag,
    Suspension,
    TrustOverride,
    WordChange,
)
from app.notify import services as notify

DECISIONS = {
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
    "silence": _l("Author silenced"),
    "trust": _l("Trust level set"),
    "dismiss": _l("Flags dismissed"),
    "auto_hide": _l("Hidden after flags, until reviewed"),
    "appeal_upheld": _l("Appeal refused"),
    "appeal_overturned": _l("Appeal accepted"),
}
# The same decisions as a moderator chooses them: what the button does to the item.
ACTIONS = {
    "approve": _l("Approve"),
    "hide": _l("Hide"),
    "restore": _l("Restore"),
    "delete": _l("Delete"),
    "dismiss": _l("Dismiss the flags"),
    "warn": _l("Warn the author"),
    "suspend": _l("Suspend the author"),
    "silence": _l("Silence the author"),
    "lock": _l("Lock the thread"),
    "unlock": _l("Unlock the thread"),
    "pin": _l("Pin the thread"),
    "unpin": _l("Unpin the thread"),
    "move": _l("Move to the board"),
    "slow_mode": _l("Set slow mode"),
}
# What a decision was about, in the public log (which names no one and quotes nothing).
TARGET_LABELS = {"post": _l("a post"), "thread": _l("a thread"), "user": _l("an account")}
POST_DECISIONS = ("approve", "hide", "restore", "delete", "dismiss", "warn", "suspend", "silence")
THREAD_DECISIONS = POST_DECISIONS + ("lock", "unlock", "pin", "unpin", "move", "slow_mode")
# Decisions against an author, which the author is told of and may appeal.
APPEALABLE = ("hide", "delete", "edit", "warn", "suspend", "silence", "auto_hide")
# Decisions that settle the item's open flags.
SETTLES_FLAGS = ("approve", "hide", "restore", "delete", "dismiss")
VISIBILITY = {"hide": Visibility.HIDDEN, "restore": Visibility.PUBLISHED, "delete": Visibility.DELETED}
AUTO_HIDE_FLAGS = 3
LOG_PER_PAGE = 20


def decision_label(kind: str) -> str:
    return str(DECISIONS.get(kind, kind))


def action_label(kind: str) -> str:
    return str(ACTIONS.get(kind, kind))


def actions_for(target) -> list[str]:
    """The plain actions (no field of their own) that apply to this post or thread as it is now."""
    actions = ["approve"] if target.status == Visibility.HELD else []
    if target.status == Visibility.HIDDEN:
        actions.append("restore")
    elif target.status != Visibility.DELETED:
        actions.append("hide")
    if target.status != Visibility.DELETED:
        actions.append("delete")
    actions += ["dismiss", "warn"]
    if isinstance(target, Thread):
        actions += ["unlock" if target.locked else "lock", "unpin" if target.pinned else "pin"]
    return actions


POST_STATUSES = {Visibility.HELD: _l("held"), Visibility.HIDDEN: _l("hidden"), Visibility.DELETED: _l("deleted")}


def post_status_label(status: str) -> str:
    return str(POST_STATUSES.get(status, status))


def target_label(target_type: str) -> str:
    return str(TARGET_LABELS.get(target_type, target_type))


def _target(target_type: str, target_id: int) -> Post | Thread:
    finder = {"post": forum.find_post, "thread": forum.find_thread}.get(target_type)
    target = finder(target_id) if finder else None
    if target is None:
        raise ValidationError(None, _("This item no longer exists."))
    return target


# Flags


def flag(user, target_type: str, target_id: int, reason: str, note: str = "") -> Flag | None:
    """Record one flag per person per item (None when this person had flagged it already: the
    first flag stands); three established flaggers hide the item until a moderator looks."""
    policy.ensure_not_suspended(user)
    target = _target(target_type, target_id)
    if reason not in policy.REASONS:
        raise ValidationError("reason", _("Choose a reason."))
    note = clean_line(note)[:300]
    if reason == "other" and not note:
        raise ValidationError("note", _("Say what is wrong."))
    if db.session.scalar(select(Flag.id).where(Flag.user_id == user.id, Flag.target_type == target_type,
                                               Flag.target_id == target_id)):
        return None
    item = Flag(user_id=user.id, target_type=target_type, target_id=target_id, reason=reason, note=note)
    db.session.add(item)
    try:
        db.session.flush()
    except IntegrityError:  # the same flag sent twice at once on a slow link
        db.session.rollback()
        return None
    _hide_when_flagged_enough(target_type, target)
    if _open_flags(target_type, target_id) == 1:  # the first open flag puts the item in the queue
        notices.tell_moderators("flag", title=_thread_title(target_type, target))
    db.session.commit()
    return item


def _open_flags(target_type: str, target_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Flag).where(
        Flag.target_type == target_type, Flag.target_id == target_id, Flag.resolved_at.is_(None)))


def _thread_title(target_type: str, target) -> str:
    return target.title if target_type == "thread" else forum.find_thread(target.thread_id).title


def _hide_when_flagged_enough(target_type: str, target) -> None:
    """Flags from people of trust level 1 and up count; enough of them hide the item."""
    flaggers = db.session.scalars(select(User).join(Flag, Flag.user_id == User.id).where(
        Flag.target_type == target_type, Flag.target_id == target.id, Flag.resolved_at.is_(None)).distinct()).all()
    trusted = sum(1 for person in flaggers if forum.trust_of(person) >= policy.BASIC)
    if trusted >= AUTO_HIDE_FLAGS and target.status == Visibility.PUBLISHED:
        forum.set_visibility(target, Visibility.HIDDEN)
        _log("auto_hide", target_type, target.id, "", "", None, target.author_id)


# The review queue


def held_posts(limit: int = 20) -> list[Post]:
    return forum.held_posts(limit)


def flagged_items(limit: int = 20) -> list[dict]:
    """Open flags grouped by item, most flagged first, with each reason's count."""
    rows = db.session.execute(
        select(Flag.target_type, Flag.target_id, Flag.reason, func.count())
        .where(Flag.resolved_at.is_(None)).group_by(Flag.target_type, Flag.target_id, Flag.reason)).all()
    grouped: dict[tuple[str, int], dict] = {}
    for target_type, target_id, reason, count in rows:
        entry = grouped.setdefault((target_type, target_id),
                                   {"type": target_type, "id": target_id, "reasons": {}, "count": 0})
        entry["reasons"][reason] = count
        entry["count"] += count
    items = sorted(grouped.values(), key=lambda item: (-item["count"], item["id"]))[:limit]
    for item in items:
        item["target"] = forum.find_post(item["id"]) if item["type"] == "post" else forum.find_thread(item["id"])
        item["notes"] = list(db.session.scalars(select(Flag.note).where(
            Flag.target_type == item["type"], Flag.target_id == item["id"], Flag.resolved_at.is_(None),
            Flag.note != "")))
    return [item for item in items if item["target"] is not None]


def open_appeals() -> list[Appeal]:
    return list(db.session.scalars(select(Appeal).where(Appeal.outcome.is_(None)).order_by(Appeal.id).limit(20)))


def appeals_for(moderator, appeals: list[Appeal]) -> set[int]:
    """The ids of the appeals this moderator may decide (not those of their own decisions)."""
    return {item.id for item in appeals if can_decide_appeal(moderator, item.decision)}


# Decisions


def decide(moderator, kind: str, target_type: str, target_id: int, rule: str = "", note: str = "",
           days: int | None = None, board_id: int | None = None, minutes: int | None = None,
           canned_id: int | None = None) -> Decision:
    """Carry out one moderator's decision on a post or thread (or its author), log it, and tell
    the author when it goes against them. A saved reply stands in for an empty note."""
    if not is_moderator(moderator):
        raise PermissionDenied()
    if not clean_line(note) and canned_id:
        saved = db.session.get(CannedReply, canned_id) if valid_id(canned_id) else None
        note = saved.text if saved else note
    target = _target(target_type, target_id)
    if kind not in (POST_DECISIONS if target_type == "post" else THREAD_DECISIONS):
        raise ValidationError("decision", _("Choose a decision."))
    _check_rule(kind, rule)
    board = _checked_values(kind, target, days, board_id, minutes)
    _carry_out(kind, target, board, minutes)
    entry = _log(kind, target_type, target.id, rule, clean_line(note)[:300], moderator, target.author_id)
    if kind in SETTLES_FLAGS:
        _resolve_flags(target_type, target.id)
    if kind in APPEALABLE:
        _tell_author(entry)
    if kind in ("suspend", "silence"):
        db.session.add(Suspension(user_id=target.author_id, kind=kind, rule=rule, reason=entry.note,
                                  ends_at=utcnow() + timedelta(days=days), decision_id=entry.id))
    db.session.commit()
    return entry


def _check_rule(kind: str, rule: str) -> None:
    if rule and rule not in policy.REASONS:
        raise ValidationError("rule", _("Choose a rule."))
    if kind in APPEALABLE and not rule:
        raise ValidationError("rule", _("Say which rule was broken: the author is told."))


def _checked_values(kind: str, target, days: int | None, board_id: int | None, minutes: int | None):
    """Refuse what a decision cannot be carried out with; the board a thread moves to."""
    if kind == "restore" and target.status == Visibility.HELD:
        raise ValidationError("decision", _("A held post is approved, not restored."))
    if kind == "slow_mode" and (minutes is None or not 0 <= minutes <= 1440):
        raise ValidationError("minutes", _("Enter a number of minutes from 0 to 1440."))
    if kind in ("suspend", "silence") and (days is None or not 1 <= days <= 365):
        raise ValidationError("days", _("Enter a number of days from 1 to 365."))
    board = forum.find_board(board_id) if kind == "move" else None
    if kind == "move" and board is None:
        raise ValidationError("board_id", _("Choose a board."))
    return board


def _carry_out(kind: str, target, board, minutes: int | None) -> None:
    """What the decision changes in the forum, through the forum's services (warn, suspend and
    dismiss change nothing there)."""
    if kind == "approve":
        forum.approve(target)
    elif kind in VISIBILITY:
        forum.set_visibility(target, VISIBILITY[kind])
    elif kind in ("lock", "unlock"):
        forum.lock_thread(target, kind == "lock")
    elif kind in ("pin", "unpin"):
        forum.pin_thread(target, kind == "pin")
    elif kind == "move":
        forum.move_thread(target, board)
    elif kind == "slow_mode":
        forum.set_slow_mode(target, minutes)


def edit_post(moderator, post: Post, body: str, rule: str, note: str) -> Decision:
    """A moderator's edit of someone's post: the rule and a note are required, the note shows
    under the post, and the author is told and may appeal."""
    if not is_moderator(moderator) or not can_edit(moderator, post) or post.author_id == moderator.id:
        raise PermissionDenied()
    policy.ensure_not_suspended(moderator)
    note = clean_line(note)[:300]
    if rule not in policy.REASONS or not note:
        raise ValidationError("note", _("Give the rule and a note: the author is told why."))
    forum.revise(moderator, post, body, note)
    entry = _log("edit", "post", post.id, rule, note, moderator, post.author_id)
    _tell_author(entry)
    db.session.commit()
    return entry


def _log(kind, target_type, target_id, rule, note, moderator, subject_id) -> Decision:
    entry = Decision(kind=kind, target_type=target_type, target_id=target_id, rule=rule or "", note=note or "",
                     moderator_id=getattr(moderator, "id", None), subject_id=subject_id)
    db.session.add(entry)
    db.session.flush()
    return entry


def _resolve_flags(target_type: str, target_id: int) -> None:
    for item in db.session.scalars(select(Flag).where(Flag.target_type == target_type, Flag.target_id == target_id,
                                                      Flag.resolved_at.is_(None))):
        item.resolved_at = utcnow()


def _tell_author(entry: Decision) -> None:
    """The author hears of the decision in their inbox, with the way to the reasons and the appeal."""
    if entry.target_type == "user":
        body = _l("A moderator restricted your account: %(decision)s. %(note)s",
                  decision=decision_label(entry.kind), note=entry.note)
        notify.notify_users([db.session.get(User, entry.subject_id)], body,
                            link=notify.local_url("moderation.appeal", decision_id=entry.id))
        return
    post = forum.find_post(entry.target_id) if entry.target_type == "post" else None
    title = forum.find_thread(post.thread_id if post else entry.target_id).title
    if entry.note:
        body = _l("A moderator acted on your contribution in “%(title)s”: %(note)s", title=title, note=entry.note)
    else:
        body = _l("A moderator acted on your contribution in “%(title)s”", title=title)
    notify.notify_users([db.session.get(User, entry.subject_id)], body,
                        link=notify.local_url("moderation.appeal", decision_id=entry.id))


def public_log(page: int) -> Page:
    """The newest decisions first, without counting them all."""
    return paging.fetch(select(Decision).order_by(Decision.id.desc()), page, LOG_PER_PAGE)


# Appeals


def appealable_decision(user, decision_id: int) -> Decision | None:
    """A decision against this person that they may appeal."""
    entry = db.session.get(Decision, decision_id) if valid_id(decision_id) else None
    if entry is None or entry.subject_id != user.id or entry.kind not in APPEALABLE:
        return None
    return entry


def has_appealed(decision_id: int) -> bool:
    return db.session.scalar(select(Appeal.id).where(Appeal.decision_id == decision_id)) is not None


def appeal(user, decision_id: int, text: str) -> Appeal:
    """The author of a moderated item appeals, once."""
    if appealable_decision(user, decision_id) is None:
        raise PermissionDenied()
    text = clean_line(text)
    if not 10 <= len(text) <= 1000:
        raise ValidationError("text", _("Explain in 10 to 1,000 characters."))
    if has_appealed(decision_id):
        raise Conflict(_("You have already appealed this decision."))
    item = Appeal(decision_id=decision_id, user_id=user.id, text=text)
    db.session.add(item)
    notices.tell_moderators("appeal")
    db.session.commit()
    return item


def decide_appeal(moderator, appeal_id: int, overturn: bool) -> Appeal:
    """Accepting an appeal restores what was hidden or lifts the suspension; both outcomes are logged."""
    if not is_moderator(moderator):
        raise PermissionDenied()
    item = db.session.get(Appeal, appeal_id) if valid_id(appeal_id) else None
    if item is None or item.outcome:
        raise Conflict(_("This appeal has already been decided."))
    entry = item.decision
    if not can_decide_appeal(moderator, entry):
        raise Conflict(_("You made this decision: another moderator or an administrator reviews the appeal."))
    if overturn:
        _undo(entry)
    item.outcome = "overturned" if overturn else "upheld"
    item.decided_at = utcnow()
    _log("appeal_" + item.outcome, entry.target_type, entry.target_id, entry.rule, "", moderator, entry.subject_id)
    db.session.commit()
    return item


def _undo(entry: Decision) -> None:
    if entry.kind in ("hide", "delete", "auto_hide"):
        forum.set_visibility(_target(entry.target_type, entry.target_id), Visibility.PUBLISHED)
    elif entry.kind in ("suspend", "silence"):
        for suspension in db.session.scalars(select(Suspension).where(Suspension.decision_id == entry.id)):
            suspension.ends_at = utcnow()


# A person, as moderators see them: their record, their trust level, silences and suspensions.

RECORD_SIZE = 20


def find_person(user_id: int) -> User | None:
    return db.session.get(User, user_id) if valid_id(user_id) else None


def person_record(user: User) -> dict:
    """Everything a moderator weighs before deciding about a person, on one page: their latest
    posts, flags on their posts and threads and flags they raised, decisions against them,
    suspensions and silences, and their trust level with what it is earned from."""
    posts = list(db.session.scalars(select(Post).where(Post.author_id == user.id).order_by(Post.id.desc())
                                    .limit(RECORD_SIZE)))
    on_posts = select(Post.id).where(Post.author_id == user.id)
    on_threads = select(Thread.id).where(Thread.author_id == user.id)
    received = list(db.session.scalars(select(Flag).where(
        or_(and_(Flag.target_type == "post", Flag.target_id.in_(on_posts)),
            and_(Flag.target_type == "thread", Flag.target_id.in_(on_threads))))
        .order_by(Flag.id.desc()).limit(RECORD_SIZE)))
    raised = list(db.session.scalars(select(Flag).where(Flag.user_id == user.id).order_by(Flag.id.desc())
                                     .limit(RECORD_SIZE)))
    decisions = list(db.session.scalars(select(Decision).where(Decision.subject_id == user.id)
                                        .order_by(Decision.id.desc()).limit(RECORD_SIZE)))
    restrictions = list(db.session.scalars(select(Suspension).where(Suspension.user_id == user.id)
                                           .order_by(Suspension.id.desc()).limit(RECORD_SIZE)))
    facts = forum.trust_facts(user)
    return {"posts": posts, "flags_received": received, "flags_raised": raised, "decisions": decisions,
            "restrictions": restrictions, "facts": facts, "trust": policy.trust_level(facts),
            "active": policy.active_suspension(user)}


def set_trust(moderator, user: User, level: int | None, note: str = "") -> Decision:
    """Set a person's trust level by hand (None: back to the level they earn); logged."""
    if not is_moderator(moderator):
        raise PermissionDenied()
    if level is not None and level not in policy.TRUST_LEVELS:
        raise ValidationError("level", _("Choose a trust level."))
    override = db.session.scalar(select(TrustOverride).where(TrustOverride.user_id == user.id))
    if level is None:
        if override is not None:
            db.session.delete(override)
    elif override is None:
        db.session.add(TrustOverride(user_id=user.id, level=level, set_by_id=moderator.id))
    else:
        override.level, override.set_by_id, override.created_at = level, moderator.id, utcnow()
    label = policy.trust_label(level) if level is not None else _("as earned")
    note = clean_line(note)[:200]
    entry = _log("trust", "user", user.id, "", f"{label}: {note}" if note else label, moderator, user.id)
    db.session.commit()
    return entry


def restrict(moderator, user: User, kind: str, days: int | None, rule: str, note: str = "") -> Decision:
    """Silence (no posting) or suspend (no posting, flagging or voting) a person for some days;
    they are told why and may appeal."""
    if not is_moderator(moderator):
        raise PermissionDenied()
    if kind not in (Suspension.SILENCE, Suspension.SUSPEND):
        raise ValidationError("kind", _("Choose a decision."))
    if days is None or not 1 <= days <= 365:
        raise ValidationError("days", _("Enter a number of days from 1 to 365."))
    _check_rule(kind, rule)
    entry = _log(kind, "user", user.id, rule, clean_line(note)[:300], moderator, user.id)
    db.session.add(Suspension(user_id=user.id, kind=kind, rule=rule, reason=entry.note,
                              ends_at=utcnow() + timedelta(days=days), decision_id=entry.id))
    _tell_author(entry)
    db.session.commit()
    return entry


# Saved replies: the notes moderators give for common decisions, chosen in the decision form.


def canned_replies() -> list[CannedReply]:
    return list(db.session.scalars(select(CannedReply).order_by(CannedReply.title).limit(50)))


def add_canned_reply(moderator, title: str, text: str) -> CannedReply:
    if not is_moderator(moderator):
        raise PermissionDenied()
    title, text = clean_line(title)[:80], clean_line(text)
    if len(title) < 2:
        raise ValidationError("title", _("Enter a short name of 2 to 80 characters."))
    if not text or len(text) > 300:
        raise ValidationError("text", _("Write the note: up to 300 characters."))
    item = CannedReply(title=title, text=text, created_by_id=moderator.id)
    db.session.add(item)
    db.session.commit()
    return item


def remove_canned_reply(moderator, reply_id: int) -> None:
    if not is_moderator(moderator):
        raise PermissionDenied()
    item = db.session.get(CannedReply, reply_id) if valid_id(reply_id) else None
    if item:
        db.session.delete(item)
        db.session.commit()


# The word list: moderators keep it (it is their tool), and every change is logged.

WORD_LOG_SIZE = 20


def words() -> list[FilterWord]:
    return list(db.session.scalars(select(FilterWord).order_by(FilterWord.word)))


def word_changes(limit: int = WORD_LOG_SIZE) -> list[WordChange]:
    """The latest changes to the list: who added or removed which word, and when."""
    return list(db.session.scalars(select(WordChange).order_by(WordChange.id.desc()).limit(limit)))


def add_word(moderator, word: str) -> FilterWord:
    if not is_moderator(moderator):
        raise PermissionDenied()
    word = clean_line(word).lower()
    if not 2 <= len(word) <= 64:
        raise ValidationError("word", _("Enter a word or phrase of 2 to 64 characters."))
    if db.session.scalar(select(FilterWord.id).where(FilterWord.word == word)):
        raise Conflict(_("This word is already on the list."))
    item = FilterWord(word=word)
    db.session.add(item)
    db.session.add(WordChange(word=word, change="add", moderator_id=moderator.id))
    db.session.commit()
    return item


def remove_word(moderator, word_id: int) -> None:
    if not is_moderator(moderator):
        raise PermissionDenied()
    item = db.session.get(FilterWord, word_id) if valid_id(word_id) else None
    if item:
        db.session.add(WordChange(word=item.word, change="remove", moderator_id=moderator.id))
        db.session.delete(item)
        db.session.commit()


def seed_words() -> None:
    """The few mild entries a new installation starts with (safe to run again)."""
    existing = set(db.session.scalars(select(FilterWord.word)))
    db.session.add_all(FilterWord(word=word) for word in wordfilter.SEED_WORDS if word not in existing)
    db.session.commit()
