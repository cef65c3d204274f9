"""API tokens: issued by an administrator with scopes and an expiry, shown once, stored as a
hash, revocable; and the principal a token stands for, which the one permission rule
(`app.common.permissions.handles`) judges like any desk user."""
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.agencies.models import Agency
from app.api.models import ApiCall, ApiToken
from app.common.errors import ValidationError
from app.common.roles import Role
from app.common.text import clean_line, vi_person_key
from app.common.time import utcnow
from app.extensions import db

TOKEN_PREFIX = "gopy_"


class Scope:
    READ_PUBLIC = "read:public"
    READ_CASES = "read:cases"
    WRITE_CASES = "write:cases"
    CREATE_SUBMISSIONS = "create:submissions"
    ALL = (READ_PUBLIC, READ_CASES, WRITE_CASES, CREATE_SUBMISSIONS)
    # Cases are an agency's own: these scopes need an agency and one of its staff to act as.
    AGENCY_ONLY = (READ_CASES, WRITE_CASES)


SCOPE_LABELS = {
    Scope.READ_PUBLIC: _l("Read published submissions, their timelines and answers, reference data, statistics"),
    Scope.READ_CASES: _l("Read the agency's own cases, with the submitter's contact details"),
    Scope.WRITE_CASES: _l("Take workflow steps on the agency's own cases, as the desk does"),
    Scope.CREATE_SUBMISSIONS: _l("Send submissions on a person's behalf (a one-stop desk, a hotline)"),
}


@dataclass(frozen=True)
class Principal:
    """Who a request speaks for. For an agency's token: the staff account it acts as, with
    that person's role and the token's agency, so `handles(principal, submission)` and the
    workflow's actor rules apply unchanged. Anonymous callers read public data only."""

    token_id: int | None = None
    scopes: frozenset = field(default_factory=lambda: frozenset({Scope.READ_PUBLIC}))
    id: int | None = None
    role: str | None = None
    agency_id: int | None = None
    rate_limit: int = 60
    is_authenticated: bool = False
    is_active: bool = False

    def can(self, scope: str | None) -> bool:
        return scope is None or scope in self.scopes


ANONYMOUS = Principal()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def principal_for(token: ApiToken) -> Principal:
    """The token's principal; its acting account counts only while it is active staff of
    the token's agency (moved or disabled staff take the token's case access with them)."""
    user = token.acting_user
    acts = (user is not None and user.active and token.agency_id is not None and user.agency_id == token.agency_id
            and user.role in Role.AGENCY_STAFF)
    return Principal(token_id=token.id, scopes=token.scope_set, id=user.id if acts else None,
                     role=user.role if acts else None, agency_id=token.agency_id if acts else None,
                     rate_limit=token.rate_limit, is_authenticated=True, is_active=acts)


def find_valid(raw: str, now: datetime | None = None) -> ApiToken | None:
    """The unrevoked, unexpired token with this value, or None."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(raw)))
    return token if token is not None and token.is_valid(now or utcnow()) else None


@dataclass
class TokenRequest:
    """What an administrator fills in to issue a token."""

    name: str
    scopes: list[str]
    contact_email: str
    days: int
    agency_id: int | None = None
    acting_user_id: int | None = None
    rate_limit: int = 600


def issue(request: TokenRequest, admin=None) -> tuple[ApiToken, str]:
    """Create a token; return it and its value, which is never stored and never shown again."""
    scopes = [scope for scope in Scope.ALL if scope in set(request.scopes)]
    if not scopes:
        raise ValidationError("scopes", _("Choose at least one scope."))
    agency = db.session.get(Agency, request.agency_id) if request.agency_id else None
    acting = _acting_user(request, agency, scopes)
    value = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=clean_line(request.name), prefix=value[:12], token_hash=token_hash(value),
                     scopes=" ".join(scopes), agency_id=agency.id if agency else None,
                     acting_user_id=acting.id if acting else None, contact_email=request.contact_email.strip().lower(),
                     rate_limit=request.rate_limit, created_by_id=getattr(admin, "id", None),
                     expires_at=utcnow() + timedelta(days=request.days))
    db.session.add(token)
    db.session.commit()
    return token, value


def _acting_user(request: TokenRequest, agency, scopes: list[str]):
    if not set(scopes) & set(Scope.AGENCY_ONLY):
        return None
    if agency is None:
        raise ValidationError("agency_id", _("Reading or handling cases needs the agency whose cases they are."))
    user = db.session.get(User, request.acting_user_id) if request.acting_user_id else None
    if user is None or user.agency_id != agency.id or user.role not in Role.AGENCY_STAFF or not user.active:
        raise ValidationError("acting_user_id", _("Choose an active officer or lead of this agency."))
    return user


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()


def all_tokens() -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())))


def get(token_id: int) -> ApiToken | None:
    return db.session.get(ApiToken, token_id)


def agency_staff_choices(placeholder: str) -> list[tuple]:
    """Officers and leads an agency's token may act as, named with their agency."""
    rows = db.session.execute(
        select(User.id, User.full_name, User.role, Agency.code)
        .join(Agency, User.agency_id == Agency.id)
        .where(User.role.in_(Role.AGENCY_STAFF), User.active)
    ).all()
    rows = sorted(rows, key=lambda row: (row.code, vi_person_key(row.full_name)))
    return [("", placeholder)] + [(row.id, f"{row.full_name} ({row.code})") for row in rows]


def recent_calls(token: ApiToken, limit: int = 50) -> list[ApiCall]:
    """The latest calls made with a token, newest first."""
    return list(db.session.scalars(select(ApiCall).where(ApiCall.token_id == token.id)
                                   .order_by(ApiCall.id.desc()).limit(limit)))
