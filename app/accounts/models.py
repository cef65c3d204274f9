"""People who sign in: individuals, organisations and staff, and their external identities."""
from datetime import datetime
from functools import cache

from flask_babel import gettext as _
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.common.roles import Role
from app.common.time import utcnow
from app.extensions import db


class AccountKind:
    INDIVIDUAL = "individual"
    ORGANISATION = "organisation"


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(16), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(256))
    full_name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16), default=AccountKind.INDIVIDUAL)
    org_name: Mapped[str | None] = mapped_column(String(200))
    tax_code: Mapped[str | None] = mapped_column(String(14))
    org_foreign: Mapped[bool] = mapped_column(default=False)
    role: Mapped[str] = mapped_column(String(16), default=Role.CITIZEN, index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    email_verified_at: Mapped[datetime | None]
    phone_verified_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Raised by sign-out, a password change or a reset, and a suspension: every session
    # cookie and remember-me cookie carries the version it was issued under (get_id), and
    # the user loader refuses any other, so all of them end at once.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Two-step sign-in (TOTP, RFC 6238): the shared secret, when it was turned on, and the
    # last time step accepted, so one code is never accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None]
    # Set when the person erased their account: the row stays, emptied of every personal
    # detail, so their forum posts and the cases' timelines still point somewhere.
    erased_at: Mapped[datetime | None]

    agency = relationship("Agency", lazy="joined")
    identities: Mapped[list["Identity"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def set_password(self, password: str, method: str | None = None) -> None:
        self.password_hash = generate_password_hash(password, method=method or "scrypt")

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and signs into the remember-me cookie: the
        id and the session version, so a raised version refuses every earlier cookie."""
        return f"{self.id}:{self.session_version or 1}"

    def end_sessions(self) -> None:
        """Sign out everywhere: every session and remember-me cookie issued so far stops working."""
        self.session_version = (self.session_version or 1) + 1

    @property
    def has_two_factor(self) -> bool:
        return bool(self.totp_secret and self.totp_enabled_at)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sign-in for disabled accounts
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role in Role.STAFF

    @property
    def is_organisation(self) -> bool:
        return self.kind == AccountKind.ORGANISATION

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def display_name(self) -> str:
        if self.erased_at is not None:
            return _("a former member")
        return self.org_name if self.is_organisation and self.org_name else self.full_name


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not anyone's password", method=method)


def password_matches(user: "User | None", password: str, method: str | None = None) -> bool:
    """Check a password with the same work whether or not the account exists: an unknown
    account (or one without a password) is checked against a dummy hash of the same method,
    so the time taken does not tell who has an account."""
    method = method or "scrypt"
    stored = user.password_hash if user is not None and user.password_hash else None
    matched = check_password_hash(stored or _dummy_hash(method), password)
    return matched and stored is not None


def spend_hash_work(password: str, method: str | None = None) -> None:
    """The work of hashing a new password, done when none is stored (a registration that
    is refused silently), so a refusal takes as long as an account being made."""
    generate_password_hash(password, method=method or "scrypt")


class Identity(db.Model):
    """A sign-in through an external identity provider, e.g. the national digital identity
    (VNeID) over OpenID Connect: the provider's subject and the assurance level it vouches."""

    __tablename__ = "identity"
    __table_args__ = (UniqueConstraint("provider", "subject", name="uq_identity_provider_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(255))
    assurance_level: Mapped[int] = mapped_column(default=1)
    # The provider's own word for how the person was identified (the `acr` claim or another
    # configured one), kept as it came: the level above is what the platform makes of it.
    acr: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="identities")


class AssuranceLevel:
    """How sure the platform is of who a person is: a password account (0), an identity the
    provider vouches for (1), an identity verified in person, e.g. VNeID level 2 (2)."""

    NONE = 0
    DECLARED = 1
    IN_PERSON = 2


class VerificationCode(db.Model):
    """A six-digit code sent to an e-mail address or phone to prove the person holds it."""

    __tablename__ = "verification_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(8))  # email, sms
    code_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None]
    # Which address it went to (a keyed hash, not the address): the send limits count per
    # number or e-mail address as well as per account.
    recipient_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.current_timestamp())


class PasswordReset(db.Model):
    """A one-time link to choose a new password, sent by e-mail or SMS; only its hash is kept."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    recipient_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class RecoveryCode(db.Model):
    """One of the ten single-use codes that stand in for the authenticator app; hashed."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]


class OrganisationStatus:
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class Organisation(db.Model):
    """An organisation someone asked to speak for; its badge shows only once verified (by an
    administrator who saw a document, or by the owner's identity). A tax code belongs to at
    most one verified organisation: a partial unique index says so in the database itself."""

    __tablename__ = "organisation"
    __table_args__ = (
        Index("uq_organisation_verified_tax_code", "tax_code", unique=True,
              sqlite_where=text("status = 'verified'"), postgresql_where=text("status = 'verified'")),
        Index("ix_organisation_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    tax_code: Mapped[str] = mapped_column(String(14))
    status: Mapped[str] = mapped_column(String(16), default=OrganisationStatus.PENDING)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    document_key: Mapped[str | None] = mapped_column(String(64))
    document_name: Mapped[str | None] = mapped_column(String(200))
    document_type: Mapped[str | None] = mapped_column(String(64))
    verified_by: Mapped[str | None] = mapped_column(String(16))  # administrator, identity
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    members: Mapped[list["OrganisationMember"]] = relationship(back_populates="organisation",
                                                               cascade="all, delete-orphan")

    @property
    def verified(self) -> bool:
        return self.status == OrganisationStatus.VERIFIED


class OrganisationMember(db.Model):
    """Someone the owner of a verified organisation lets act for it."""

    __tablename__ = "organisation_member"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id", name="uq_organisation_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="members")
    user: Mapped[User] = relationship()
