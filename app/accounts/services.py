"""What an account holder does: register, sign in, edit the profile, verify a contact, claim guest
submissions."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.accounts.models import AccountKind, User, VerificationCode
from app.common import paging
from app.common.errors import Conflict, ValidationError
from app.common.paging import Page
from app.common.text import clean_line
from app.common.time import utcnow
from app.common.validators import normalize_identifier
from app.extensions import db
from app.notify import services as notify
from app.notify.models import Channel
from app.submissions.models import Submission

CODE_TTL = timedelta(minutes=30)
CODE_MAX_ATTEMPTS = 5


def find_by_identifier(kind: str, value: str) -> User | None:
    column = User.email if kind == "email" else User.phone
    return db.session.scalar(select(User).where(column == value))


def register(kind: str, full_name: str, identifier_kind: str, identifier: str, password: str,
             org_name: str | None = None, tax_code: str | None = None, org_foreign: bool = False,
             locale: str = "vi") -> User:
    if find_by_identifier(identifier_kind, identifier):
        raise Conflict(_("An account with this e-mail address or number already exists. Sign in instead."))
    user = User(full_name=clean_line(full_name), kind=kind, locale=locale)
    setattr(user, identifier_kind, identifier)
    if kind == AccountKind.ORGANISATION:
        user.org_name, user.tax_code, user.org_foreign = clean_line(org_name or ""), tax_code, org_foreign
    user.set_password(password, current_app.config.get("PASSWORD_HASH_METHOD"))
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(identifier: str, password: str) -> User:
    """The active account these credentials open; the refusal never says which part was wrong."""
    parsed = normalize_identifier(identifier)
    user = find_by_identifier(*parsed) if parsed else None
    if user is None or not user.check_password(password) or not user.active:
        raise ValidationError("password", _("The e-mail address or number and the password do not match."))
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
    """Write a fresh code and the message carrying it in one transaction."""
    recipient = user.email if channel == Channel.EMAIL else user.phone
    if not recipient:
        raise ValidationError(None, _("Add this contact to your profile first."))
    code = f"{secrets.randbelow(10**6):06d}"
    db.session.add(VerificationCode(user_id=user.id, channel=channel, code_hash=_hash(user.id, code),
                                    expires_at=utcnow() + CODE_TTL))
    text = _("Your Góp Ý verification code is %(code)s. It is valid for 30 minutes.", code=code)
    notify.enqueue(channel, recipient, text, subject=_("Your verification code"), user_id=user.id)
    db.session.commit()


def confirm_verification_code(user: User, channel: str, code: str) -> None:
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
