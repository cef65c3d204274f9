"""Two-step sign-in with an authenticator app (TOTP, RFC 6238, through pyotp) and ten
single-use recovery codes, hashed like passwords' cousins: only their keyed hash is kept."""
import hashlib
import hmac
import io
import secrets
import time

import pyotp
import segno
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from app.accounts.models import RecoveryCode, User, password_matches
from app.common.errors import ValidationError
from app.common.time import utcnow
from app.extensions import db

ISSUER = "Góp Ý"
RECOVERY_CODES = 10
STEP = 30  # seconds, the authenticator apps' default


def required_for(user: User) -> bool:
    """Whether configuration makes this account's role sign in in two steps (REQUIRE_2FA_ROLES)."""
    roles = {role.strip() for role in current_app.config.get("REQUIRE_2FA_ROLES", "").split(",") if role.strip()}
    return user.role in roles


def new_secret() -> str:
    return pyotp.random_base32()


def new_recovery_codes() -> list[str]:
    """Ten codes like "k7m2q-x9d4t": lower-case base32, easy to read aloud and to type."""
    alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
    return ["-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(2))
            for _ in range(RECOVERY_CODES)]


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email or user.phone or str(user.id), issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code (no image request, no script)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True, nl=False,
                                    title=ISSUER)
    return out.getvalue().decode()


def _matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step whose code this is (one step of clock drift either way), or None."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = int(at if at is not None else time.time())
    for offset in (0, -1, 1):
        step = now // STEP + offset
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def enable(user: User, secret: str, codes: list[str], code: str) -> User:
    """Turn two-step sign-in on, once the app shows it holds the secret (a code it made)."""
    step = _matching_step(secret, code)
    if step is None:
        raise ValidationError("code", _("This code is not right. Check the time on your phone and type the code "
                                        "the app shows now."))
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, utcnow(), step
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_code_hash(user.id, value)) for value in codes)
    db.session.commit()
    return user


def disable(user: User, password: str) -> User:
    """Turn two-step sign-in off, given the password (never for a role that must use it)."""
    if required_for(user):
        raise ValidationError("password", _("Your role must sign in in two steps, so it cannot be turned off."))
    if not password_matches(user, password, current_app.config.get("PASSWORD_HASH_METHOD")):
        raise ValidationError("password", _("This is not your current password."))
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.commit()
    return user


def verify(user: User, code: str) -> bool:
    """Whether `code` is the app's current code (never one already accepted) or an unused
    recovery code (used up by this call)."""
    if not user.has_two_factor:
        return False
    step = _matching_step(user.totp_secret, code)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            return False  # replayed: each code opens one sign-in
        user.totp_last_step = step
        db.session.commit()
        return True
    wanted = _code_hash(user.id, code)
    for recovery in db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                                  RecoveryCode.used_at.is_(None))):
        if hmac.compare_digest(recovery.code_hash, wanted):
            recovery.used_at = utcnow()
            db.session.commit()
            return True
    return False


def recovery_codes_left(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id,
                                                                RecoveryCode.used_at.is_(None))).all())


def _code_hash(user_id: int, code: str) -> str:
    normal = "".join(code.lower().split()).replace("-", "")
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{user_id}:{normal}".encode(), hashlib.sha256).hexdigest()
