"""Submissions and what belongs to them: topics, attachments, consents, timeline events,
the answer being drafted, the rating of the answer, the deadline rules, and what the public
does with a published one: support it ("this concerns me too") and follow it."""
from datetime import date, datetime

from sqlalchemy import DDL, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.time import utcnow
from app.extensions import db
from app.submissions.states import ConsentMethod, DraftState, IntakeChannel, Status


class Topic(db.Model):
    """A node of the topic tree; data that administrators edit, not code."""

    __tablename__ = "topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id"), index=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    parent = relationship("Topic", remote_side=[id])

    def localized_name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name


class Submission(db.Model):
    __tablename__ = "submission"
    __table_args__ = (
        Index("ix_submission_status_received", "status", "received_at"),
        Index("ix_submission_agency_status_due", "agency_id", "status", "due_date"),
        Index("ix_submission_user_received", "user_id", "received_at"),
        Index("ix_submission_public_received", "consent_publish", "received_at"),
        # The desk's queues: by due date, for one agency or for the coordinators' whole list.
        Index("ix_submission_agency_due", "agency_id", "due_date", "id"),
        Index("ix_submission_due", "due_date", "id"),
        Index("ix_submission_received", "received_at"),
        # The API's lists and syncs page by last change (updated_at, id): the published ones,
        # and one agency's cases.
        Index("ix_submission_public_updated", "consent_publish", "updated_at", "id"),
        Index("ix_submission_agency_updated", "agency_id", "updated_at", "id"),
        # Diacritics-free substring search over a million rows: a trigram index on
        # PostgreSQL (the extension is created first, below); SQLite has no equivalent.
        Index("ix_submission_search_trgm", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
        # The public search reads public_text only; "is it one of these?" and the desk's
        # duplicate hints compare title_key by trigram similarity.
        Index("ix_submission_public_trgm", "public_text", postgresql_using="gin",
              postgresql_ops={"public_text": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
        Index("ix_submission_title_trgm", "title_key", postgresql_using="gin",
              postgresql_ops={"title_key": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
        # The public list sorted by supports.
        Index("ix_submission_public_supports", "consent_publish", "support_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    private_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # One key per rendered form: a retried or double-tapped POST finds the first record.
    idempotency_key: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id"), index=True)
    province_code: Mapped[int | None] = mapped_column(index=True)
    ward_code: Mapped[int | None]
    # A point a client sent (Open311's lat/long); the commune stays the location we use.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    legal_reference: Mapped[str | None] = mapped_column(String(300))
    proposed_change: Mapped[str | None] = mapped_column(Text)
    # The handling desk's search: the whole body and the sender's name, never shown to the
    # public. public_text is what the public may search: the title, the content as published
    # and the answers, personal data masked (publication.py); empty while unpublished.
    search_text: Mapped[str] = mapped_column(Text, default="")
    public_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    title_key: Mapped[str] = mapped_column(String(240), default="", server_default="")
    # Verified supports (Support rows), kept here so the public list can sort by them.
    support_count: Mapped[int] = mapped_column(default=0, server_default="0")

    # Who sent it: an account, or contact details only.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(254), index=True)
    contact_phone: Mapped[str | None] = mapped_column(String(16), index=True)
    submitter_kind: Mapped[str] = mapped_column(String(16), default="individual")
    org_name: Mapped[str | None] = mapped_column(String(200))
    tax_code: Mapped[str | None] = mapped_column(String(14))
    org_foreign: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    # How it came in (states.IntakeChannel): the desk marks those that came by SMS.
    channel: Mapped[str] = mapped_column(String(8), default=IntakeChannel.WEB, server_default=IntakeChannel.WEB)
    consent_publish: Mapped[bool] = mapped_column(default=False)
    anonymous_public: Mapped[bool] = mapped_column(default=False)

    # Processing (the desk fills these; DESIGN.md's workflow).
    status: Mapped[str] = mapped_column(String(24), default=Status.RECEIVED)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    due_date: Mapped[date | None]
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None]
    # The desk's clock: paused while awaiting the submitter, stopped when answered.
    paused_on: Mapped[date | None]
    answered_at: Mapped[datetime | None]
    # Two officers acting at once: the second write fails instead of overwriting.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    topic = relationship("Topic", lazy="joined")
    agency = relationship("Agency", lazy="joined")
    user = relationship("User", foreign_keys=[user_id])
    # The officer handling it, named to the staff of the agency (never to the public).
    assignee = relationship("User", foreign_keys=[assignee_id])
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="Attachment.id"
    )
    consents: Mapped[list["Consent"]] = relationship(cascade="all, delete-orphan", order_by="Consent.id")
    events: Mapped[list["SubmissionEvent"]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="SubmissionEvent.id"
    )

    @property
    def public_events(self) -> list["SubmissionEvent"]:
        return [event for event in self.events if event.is_public]


event.listen(db.metadata, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"))


class Attachment(db.Model):
    """A file kept outside the web root under a random name; served only to those allowed."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="attachments")


class Consent(db.Model):
    """What a person agreed to, when, and under which version of the privacy notice
    (Personal Data Protection Law 91/2025/QH15: explicit, recorded consent)."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))  # processing, publish, anonymous
    granted: Mapped[bool]
    notice_version: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # How it was given (states.ConsentMethod), and the staff member who recorded a consent
    # given in person at the counter or on the hotline.
    method: Mapped[str] = mapped_column(String(12), default=ConsentMethod.WEB, server_default=ConsentMethod.WEB)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class SubmissionEvent(db.Model):
    """One step of a submission: the submitter's timeline and the audit trail are this table."""

    __tablename__ = "submission_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    public_note: Mapped[str | None] = mapped_column(Text)
    internal_note: Mapped[str | None] = mapped_column(Text)
    is_public: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The officer a lead assigned the submission to, or took it back from.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    submission: Mapped[Submission] = relationship(back_populates="events")
    agency = relationship("Agency")
    # The desk's audit trail names who acted; joined so a timeline costs one query.
    actor = relationship("User", lazy="joined", foreign_keys=[actor_id])
    assignee = relationship("User", lazy="joined", foreign_keys=[assignee_id])



class DeadlineRule(db.Model):
    """Working days allowed per kind of submission; administrators edit these rows."""

    __tablename__ = "deadline_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), unique=True)
    classify_days: Mapped[int] = mapped_column(default=3)
    answer_days: Mapped[int] = mapped_column(default=10)



class AnswerDraft(db.Model):
    """The one answer being prepared for a submission, until a lead publishes it."""

    __tablename__ = "answer_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), unique=True)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(12), default=DraftState.PENDING)
    lead_comment: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    author = relationship("User")


class Rating(db.Model):
    """The submitter's rating of the answer: one per submission, 1 to 5 stars."""

    __tablename__ = "rating"
    __table_args__ = (
        UniqueConstraint("submission_id", name="uq_rating_submission_id"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    stars: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Support(db.Model):
    """"This concerns me too": one per account, or one per verified phone for a guest (an
    account's verified phone is recorded too, so the same person cannot count twice)."""

    __tablename__ = "support"
    __table_args__ = (
        UniqueConstraint("submission_id", "user_id", name="uq_support_submission_user"),
        UniqueConstraint("submission_id", "phone", name="uq_support_submission_phone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    phone: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupportCode(db.Model):
    """A guest's support waiting for the code sent to their phone; it counts once proved."""

    __tablename__ = "support_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    phone: Mapped[str] = mapped_column(String(16), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SubmissionFollower(db.Model):
    """An account told of each public step of a published submission, in its inbox."""

    __tablename__ = "submission_follower"
    __table_args__ = (UniqueConstraint("submission_id", "user_id", name="uq_submission_follower_submission_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")
