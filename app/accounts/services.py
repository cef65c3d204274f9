"""What an account holder does: register, sign in, edit the profile, verify a contact, claim guest
submissions, change or reset a password, sign out everywhere."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.accounts.models import (
    AccountKind,
    PasswordReset,
    User,
    VerificationCode,
    password_matches,
    spend_hash_work,
)
from app.accounts.passwords import password_problem
from app.common import paging, sendlimits
from app.common.errors import ValidationError
from app.common.paging import Page
from app.common.text import clean_line
from app.common.time import utcnow
from app.common.validators import normalize_identifier
from app.extensions import db
from app.notify import services as notify
from app.notify.models import Channel
from app.submissions.models import Submission

CODE_TTL = timedelta(minutes=30)
CODE_MAX_ATTEMPTS = sendlimits.CODE_MAX_ATTEMPTS
RESET_TTL = timedelta(hours=1)


def find_by_identifier(kind: str, value: str) -> User | None:
    column = User.email if kind == "email" else User.phone
    return db.session.scalar(select(User).where(column == value))


def _hash_method() -> str | None:
    return current_app.config.get("PASSWORD_HASH_METHOD")


def check_new_password(user: User | None, password: str, *inputs: str | None) -> None:
    """Refuse a weak password on the `password` field (the name, e-mail and phone count as weak parts)."""
    known = (user.full_name, user.email, user.phone, user.org_name) if user is not None else ()
    problem = password_problem(password, *known, *inputs)
    if problem:
        raise ValidationError("password", problem)


def register(kind: str, full_name: str, identifier_kind: str, identifier: str, password: str,
             org_name: str | None = None, tax_code: str | None = None, org_foreign: bool = False,
             locale: str = "vi") -> User | None:
    """Open an account, or, when the contact already has one, tell that contact instead: the
    page answers the same either way (and does the same hashing work), so registration does
    not reveal who has an account. Returns the new account, or None."""
    check_new_password(None, password, full_name, identifier, org_name)
    existing = find_by_identifier(identifier_kind, identifier)
    channel = Channel.EMAIL if identifier_kind == "email" else Channel.SMS
    if existing is not None:
        spend_hash_work(password, _hash_method())
        if channel == Channel.SMS:  # the link first: an SMS is cut at 160 characters
            text = _("%(reset)s - Góp Ý: this number already has an account. Forgot the password? Open the link.",
                     reset=notify.public_url("accounts.forgot"))
        else:
            text = _("Someone tried to open a Góp Ý account with this address, which already has one. "
                     "If it was you, sign in: %(login)s - or choose a new password: %(reset)s. "
                     "If not, you need do nothing.",
                     login=notify.public_url("accounts.login"), reset=notify.public_url("accounts.forgot"))
        notify.enqueue(channel, identifier, text, subject=_("Your Góp Ý account"), user_id=existing.id)
        db.session.commit()
        return None
    user = User(full_name=clean_line(full_name), kind=kind, locale=locale)
    setattr(user, identifier_kind, identifier)
    if kind == AccountKind.ORGANISATION:
        user.org_name, user.tax_code, user.org_foreign = clean_line(org_name or ""), tax_code, org_foreign
    user.set_password(password, _hash_method())
    db.session.add(user)
    db.session.flush()
    text = _("Your Góp Ý account is ready. Sign in: %(login)s", login=notify.public_url("accounts.login"))
    notify.enqueue(channel, identifier, text, subject=_("Your Góp Ý account"), user_id=user.id)
    db.session.commit()
    return user


def authenticate(identifier: str, password: str) -> User:
    """The active account these credentials open; the refusal never says which part was wrong,
    and an unknown account costs the same password check as a known one."""
    parsed = normalize_identifier(identifier)
    user = find_by_identifier(*parsed) if parsed else None
    matched = password_matches(user, password, _hash_method())
    if not matched or user is None or not user.active:
        raise ValidationError("password", _("The e-mail address or number and the password do not match."))
    return user


def end_sessions(user: User) -> None:
    """Sign out everywhere: every session and remember-me cookie of this account stops working."""
    user.end_sessions()
    db.session.commit()


def change_password(user: User, current: str, new: str) -> User:
    """A new password, given the current one; every other session ends."""
    if not password_matches(user, current, _hash_method()):
        raise ValidationError("current", _("This is not your current password."))
    check_new_password(user, new)
    user.set_password(new, _hash_method())
    user.end_sessions()
    tell_password_changed(user)
    db.session.commit()
    return user


def tell_password_changed(user: User) -> None:
    """Tell the account holder their password changed, by the verified e-mail address (else the
    verified phone), so that someone else's change does not go unnoticed. In the account's
    language; added to the session, the caller's commit sends it with the change."""
    if user.email and user.email_verified_at:
        channel, recipient = Channel.EMAIL, user.email
    elif user.phone and user.phone_verified_at:
        channel, recipient = Channel.SMS, user.phone
    else:
        return
    reset = notify.public_url("accounts.forgot")
    with force_locale(user.locale or "vi"):
        if channel == Channel.SMS:  # the link first: an SMS is cut at 160 characters
            text = _("%(reset)s - Góp Ý: your password was changed. If it was not you, open the link to choose a "
                     "new one.", reset=reset)
        else:
            text = _("The password of your Góp Ý account was just changed, and every other session was signed "
                     "out. If it was you, you need do nothing. If it was not you, choose a new password now: "
                     "%(reset)s", reset=reset)
        subject = _("Your Góp Ý password was changed")
    notify.enqueue(channel, recipient, text, subject=subject, user_id=user.id)


def request_password_reset(identifier_kind: str, identifier: str) -> None:
    """Send a one-time link to choose a new password to this e-mail address or phone, when it
    belongs to an active account and neither has had its share of links lately. The caller
    answers the same page whatever happened, so nobody learns who has an account."""
    user = find_by_identifier(identifier_kind, identifier)
    if user is None or not user.active:
        return
    recipient_hash = sendlimits.address_hash(identifier)
    if sendlimits.sends_refused(PasswordReset, PasswordReset.user_id == user.id,
                                  PasswordReset.recipient_hash == recipient_hash):
        return
    channel = Channel.EMAIL if identifier_kind == "email" else Channel.SMS
    token = secrets.token_urlsafe(24)
    now = utcnow()
    # One live link at a time: asking again retires the earlier ones.
    for earlier in db.session.scalars(select(PasswordReset).where(PasswordReset.user_id == user.id,
                                                                 PasswordReset.used_at.is_(None))):
        earlier.used_at = now
    db.session.add(PasswordReset(user_id=user.id, channel=channel, token_hash=_token_hash(token),
                                 recipient_hash=recipient_hash, expires_at=now + RESET_TTL))
    link = notify.public_url("accounts.reset", token=token)
    if channel == Channel.SMS:  # the link first: an SMS is cut at 160 characters
        text = _("%(link)s - Góp Ý: open within 1 hour to choose a new password. Did not ask? Ignore this.",
                 link=link)
    else:
        text = _("To choose a new Góp Ý password, open %(link)s within 1 hour. If you did not ask, ignore this.",
                 link=link)
    notify.enqueue(channel, identifier, text, subject=_("Choose a new password"), user_id=user.id)
    db.session.commit()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def live_reset(token: str) -> PasswordReset | None:
    """The unused, unexpired reset this link carries, or None."""
    if not token or len(token) > 100:
        return None
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == _token_hash(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


def reset_password(token: str, password: str) -> User:
    """Set the password a reset link allows, once; every session of the account ends."""
    reset = live_reset(token)
    user = db.session.get(User, reset.user_id) if reset else None
    if user is None or not user.active:
        raise ValidationError(None, _("This link has expired or was already used. Ask for a new one."))
    check_new_password(user, password)
    user.set_password(password, _hash_method())
    user.end_sessions()
    reset.used_at = utcnow()
    # The link reached the person, which proves they hold that contact.
    if reset.channel == Channel.EMAIL and user.email and reset.recipient_hash == sendlimits.address_hash(user.email):
        user.email_verified_at = user.email_verified_at or utcnow()
    if reset.channel == Channel.SMS and user.phone and reset.recipient_hash == sendlimits.address_hash(user.phone):
        user.phone_verified_at = user.phone_verified_at or utcnow()
    tell_password_changed(user)
    db.session.commit()
    return user


def update_profile(user: User, **values) -> User:
    for field in ("email", "phone"):
        new = values.pop(field) or None
        if new != getattr(user, field):
            if new and find_by_identifier(field, new):
                raise ValidationError(field, _("Another account already uses this."))
            if not new and not (user.email if field == "phone" else user.phone):
                raise ValidationError(field, _("Keep an e-mail address or a mobile number to sign in with."))
            setattr(user, field, new)
            setattr(user, f"{field}_verified_at", None)  # a new contact must be proved again
    user.full_name = clean_line(values["full_name"])
    user.kind, user.locale = values["kind"], values["locale"]
    organisation = user.kind == AccountKind.ORGANISATION
    user.org_name = clean_line(values.get("org_name") or "") if organisation else None
    user.tax_code = values.get("tax_code") if organisation else None
    user.org_foreign = bool(values.get("org_foreign")) if organisation else False
    db.session.commit()
    return user


def send_verification_code(user: User, channel: str) -> None:
    """Write a fresh code and the message carrying it in one transaction. At most
    SEND_LIMIT_PER_HOUR and SEND_LIMIT_PER_DAY codes per account and per address; a new code
    retires the earlier ones, so asking again never buys more guesses."""
    recipient = user.email if channel == Channel.EMAIL else user.phone
    if not recipient:
        raise ValidationError(None, _("Add this contact to your profile first."))
    sendlimits.check_not_locked(VerificationCode, VerificationCode.user_id == user.id)
    recipient_hash = sendlimits.address_hash(recipient)
    sendlimits.check_sends(VerificationCode, VerificationCode.user_id == user.id,
                           VerificationCode.recipient_hash == recipient_hash)
    now = utcnow()
    sendlimits.retire_live(VerificationCode, VerificationCode.user_id == user.id)
    code = f"{secrets.randbelow(10**6):06d}"
    db.session.add(VerificationCode(user_id=user.id, channel=channel, code_hash=_hash(user.id, code),
                                    expires_at=now + CODE_TTL, recipient_hash=recipient_hash, created_at=now))
    text = _("Your Góp Ý verification code is %(code)s. It is valid for 30 minutes.", code=code)
    notify.enqueue(channel, recipient, text, subject=_("Your verification code"), user_id=user.id)
    db.session.commit()


def confirm_verification_code(user: User, channel: str, code: str) -> None:
    sendlimits.check_not_locked(VerificationCode, VerificationCode.user_id == user.id)
    pending = db.session.scalar(
        select(VerificationCode)
        .where(VerificationCode.user_id == user.id, VerificationCode.channel == channel,
               VerificationCode.used_at.is_(None), VerificationCode.expires_at > utcnow())
        .order_by(VerificationCode.id.desc())
    )
    if pending is None or pending.attempts >= CODE_MAX_ATTEMPTS:
        raise ValidationError("code", _("This code has expired. Ask for a new one."))
    if not secrets.compare_digest(pending.code_hash, _hash(user.id, code.strip())):
        pending.attempts += 1
        db.session.commit()
        if pending.attempts >= CODE_MAX_ATTEMPTS:
            raise ValidationError("code", _("This code is not right, and it was the last try for this code. "
                                            "Ask for a new one."))
        raise ValidationError("code", _("This code is not right. Check the message we sent and try again."))
    pending.used_at = utcnow()
    setattr(user, f"{'email' if channel == Channel.EMAIL else 'phone'}_verified_at", utcnow())
    db.session.commit()


@dataclass(frozen=True)
class Contact:
    channel: str
    address: str
    verified: bool


def contacts(user: User) -> list[Contact]:
    """The account's e-mail address and phone, each with whether it has been proved."""
    found = [Contact(Channel.EMAIL, user.email, user.email_verified_at is not None),
             Contact(Channel.SMS, user.phone, user.phone_verified_at is not None)]
    return [contact for contact in found if contact.address]


def claimable_submissions(user: User) -> list[Submission]:
    """Guest submissions sent with a contact this account has proved it holds."""
    conditions = []
    if user.email and user.email_verified_at:
        conditions.append(Submission.contact_email == user.email)
    if user.phone and user.phone_verified_at:
        conditions.append(Submission.contact_phone == user.phone)
    if not conditions:
        return []
    # Not "user_id IS NULL": nearly every row is a guest's, yet SQLite then walks the
    # (user_id, received_at) index over all of them (150 ms a page at 100k submissions, more
    # than a second at 1M, on every "my submissions" view). Comparing an expression keeps
    # the planner on the selective contact indexes, on SQLite and PostgreSQL alike.
    unclaimed = func.coalesce(Submission.user_id, 0) == 0
    return list(db.session.scalars(
        select(Submission).where(or_(*conditions), unclaimed).order_by(Submission.received_at)
    ))


def claim_submissions(user: User) -> int:
    found = claimable_submissions(user)
    for submission in found:
        submission.user_id = user.id
    db.session.commit()
    return len(found)


def my_submissions(user: User, page: int, per_page: int = 20) -> Page:
    query = select(Submission).where(Submission.user_id == user.id).order_by(Submission.received_at.desc(),
                                                                              Submission.id.desc())
    return paging.fetch(query, page, per_page)


def _hash(user_id: int, code: str) -> str:
    secret = current_app.config["SECRET_KEY"]
    return hashlib.sha256(f"{secret}:{user_id}:{code}".encode()).hexdigest()
