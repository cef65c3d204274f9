"""What the interconnection keeps: the tokens administrators issue, the log of every call
made with one, and the webhook endpoints that receive a submission's steps."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.time import utcnow
from app.extensions import db


class ApiToken(db.Model):
    """A bearer token for an agency's system or a partner app. Only its SHA-256 is stored:
    the token itself is shown once, when it is issued."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # The first characters, shown in lists and logs so a token can be recognised, never used.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(200))  # space-separated, as in OAuth
    # An agency's token acts as one of its staff accounts: the desk's permission rule and
    # the workflow's events see that person; a partner app's token has neither.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    acting_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    contact_email: Mapped[str] = mapped_column(String(254))
    rate_limit: Mapped[int] = mapped_column(default=600)  # calls per minute
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    agency = relationship("Agency", lazy="joined")
    acting_user = relationship("User", foreign_keys=[acting_user_id], lazy="joined")

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def is_valid(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class ApiCall(db.Model):
    """One call made with a token: who (the token), what (method, path), how it ended."""

    __tablename__ = "api_call"
    __table_args__ = (Index("ix_api_call_token_created", "token_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(300))
    status: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookEndpoint(db.Model):
    """An HTTPS address that receives the events it subscribed to, signed with its secret
    (Standard Webhooks). What a payload may say is what its token may read."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(String(200))
    events: Mapped[str] = mapped_column(String(300))  # space-separated event types
    # "whsec_" and base64: the key both sides sign with, so it is kept, not hashed.
    secret: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The first failure of the current run of failures; cleared by any success.
    failing_since: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(Text)

    token: Mapped[ApiToken] = relationship(lazy="joined")

    @property
    def event_set(self) -> frozenset[str]:
        return frozenset(self.events.split())

    @property
    def recipient(self) -> str:
        """How the outbox names this endpoint: the URL may change, the id does not."""
        return f"webhook:{self.id}"
