"""People who sign in: individuals, organisations and staff, and their external identities."""
from datetime import datetime

from flask_babel import gettext as _
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
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
    # Set when the person erased their account: the row stays, emptied of every personal
    # detail, so their forum posts and the cases' timelines still point somewhere.
    erased_at: Mapped[datetime | None]

    agency = relationship("Agency", lazy="joined")
    identities: Mapped[list["Identity"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def set_password(self, password: str, method: str | None = None) -> None:
        self.password_hash = generate_password_hash(password, method=method or "scrypt")

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="identities")


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
