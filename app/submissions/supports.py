"""The public's part in a published submission: supporting it ("this concerns me too", once
per account, or once per verified phone for a guest) and following it (each public step in
the follower's inbox, see messages.py)."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.common import sendlimits
from app.common.errors import Conflict, ValidationError
from app.common.time import utcnow
from app.extensions import db
from app.notify import services as notify
from app.notify.models import Channel
from app.submissions.models import Submission, SubmissionFollower, Support, SupportCode

CODE_TTL = timedelta(minutes=30)


def is_open_to_the_public(submission: Submission) -> bool:
    """Published and not merged into another: the original is the one to support and follow."""
    return bool(submission.consent_publish) and submission.merged_into_id is None


def _check_open(submission: Submission) -> None:
    if not is_open_to_the_public(submission):
        raise Conflict(_("This submission is not published, so it cannot be supported or followed."))


# Supports.

def has_supported(submission: Submission, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return _existing(submission, user.id, _verified_phone(user)) is not None


def _verified_phone(user) -> str | None:
    return user.phone if user.phone and user.phone_verified_at else None


def _existing(submission: Submission, user_id: int | None, phone: str | None) -> Support | None:
    same = [Support.user_id == user_id] if user_id else []
    if phone:
        same.append(Support.phone == phone)
    return db.session.scalar(select(Support).where(Support.submission_id == submission.id, or_(*same)).limit(1))


def support_as_user(submission: Submission, user) -> bool:
    """Count this account's support; True when it is new, False when it was counted before
    (a second press, or the same verified phone as a guest)."""
    _check_open(submission)
    phone = _verified_phone(user)
    if _existing(submission, user.id, phone):
        return False
    return _add(submission, user.id, phone)


def _add(submission: Submission, user_id: int | None, phone: str | None) -> bool:
    db.session.add(Support(submission_id=submission.id, user_id=user_id, phone=phone))
    # A plain UPDATE: counting a support must not bump the version an officer's form carries,
    # or every support would turn an officer's next step into a conflict.
    db.session.execute(update(Submission).where(Submission.id == submission.id)
                       .values(support_count=Submission.support_count + 1)
                       .execution_options(synchronize_session=False))
    try:
        db.session.commit()
    except IntegrityError:  # the same person, twice at once: the other request counted it
        db.session.rollback()
        return False
    finally:
        db.session.expire(submission, ["support_count"])
    return True


def request_phone_support(submission: Submission, phone: str) -> SupportCode:
    """A guest's support: send a six-digit code to the phone; it counts once confirmed. The
    limits of every code sent to the public (common.sendlimits) hold per number: so many an
    hour and a day, one live code, locked for the day after too many wrong codes."""
    _check_open(submission)
    same_phone = SupportCode.phone == phone
    sendlimits.check_not_locked(SupportCode, same_phone)
    sendlimits.check_sends(SupportCode, same_phone)
    sendlimits.retire_live(SupportCode, same_phone)
    code = f"{secrets.randbelow(10**6):06d}"
    pending = SupportCode(submission_id=submission.id, phone=phone, code_hash=_hash(phone, code),
                          expires_at=utcnow() + CODE_TTL)
    db.session.add(pending)
    notify.enqueue(Channel.SMS, phone, _("Gop Y: your code to support submission %(code)s is %(pin)s. "
                                         "It is valid for 30 minutes.", code=submission.code, pin=code),
                   submission_id=submission.id)
    db.session.commit()
    return pending


def confirm_phone_support(submission: Submission, pending_id: int | None, code: str) -> bool:
    """Check the code; True when the support is new, False when this phone supported it before."""
    pending = db.session.get(SupportCode, pending_id) if pending_id else None
    if pending is not None:
        sendlimits.check_not_locked(SupportCode, SupportCode.phone == pending.phone)
    if (pending is None or pending.submission_id != submission.id or pending.expires_at < utcnow()
            or pending.attempts >= sendlimits.CODE_MAX_ATTEMPTS):
        raise ValidationError("code", _("This code has expired. Ask for a new one."))
    if not secrets.compare_digest(pending.code_hash, _hash(pending.phone, (code or "").strip())):
        pending.attempts += 1
        db.session.commit()
        raise ValidationError("code", _("This code is not right. Check the message we sent and try again."))
    phone = pending.phone
    pending.expires_at = utcnow()  # spent; the row stays, so it still counts against the number's limits
    if _existing(submission, None, phone):
        db.session.commit()
        return False
    return _add(submission, None, phone)


def _hash(phone: str, code: str) -> str:
    secret = current_app.config["SECRET_KEY"]
    return hashlib.sha256(f"{secret}:support:{phone}:{code}".encode()).hexdigest()


# Following.

def is_following(submission: Submission, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(SubmissionFollower.id).where(SubmissionFollower.submission_id == submission.id,
                                                                  SubmissionFollower.user_id == user.id)) is not None


def follow(submission: Submission, user) -> bool:
    """Follow a published submission; True when new, False when already followed."""
    _check_open(submission)
    if is_following(submission, user):
        return False
    db.session.add(SubmissionFollower(submission_id=submission.id, user_id=user.id))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def unfollow(submission: Submission, user) -> bool:
    result = db.session.execute(delete(SubmissionFollower).where(SubmissionFollower.submission_id == submission.id,
                                                                 SubmissionFollower.user_id == user.id))
    db.session.commit()
    return bool(result.rowcount)


def followers(submission: Submission) -> list:
    """The accounts following `submission`, to be told of its steps."""
    rows = db.session.scalars(select(SubmissionFollower).options(joinedload(SubmissionFollower.user))
                              .where(SubmissionFollower.submission_id == submission.id))
    return [row.user for row in rows if row.user is not None and row.user.active]
