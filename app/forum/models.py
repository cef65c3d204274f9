"""Forum tables: boards, threads, posts, votes, read marks, follows, badges."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.time import utcnow
from app.extensions import db


class Visibility:
    PUBLISHED = "published"
    HELD = "held"  # waits for a moderator before anyone else sees it
    HIDDEN = "hidden"
    DELETED = "deleted"


class PostPolicy:
    EVERYONE = "everyone"
    OFFICIALS = "officials"  # agency staff, verified experts, moderators and administrators
    ALL = (EVERYONE, OFFICIALS)


class BadgeKind:
    """Badges an administrator grants; "official" and "organisation" come from the account itself."""

    EXPERT = "expert"
    VERIFIED = "verified"
    GRANTED = (EXPERT, VERIFIED)


class Board(db.Model):
    __tablename__ = "forum_board"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(500), default="")
    post_policy: Mapped[str] = mapped_column(String(16), default=PostPolicy.EVERYONE)
    position: Mapped[int] = mapped_column(default=0)
    thread_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Thread(db.Model):
    __tablename__ = "forum_thread"
    __table_args__ = (
        Index("ix_forum_thread_board_list", "board_id", "status", "pinned", "last_post_at"),
        Index("ix_forum_thread_submission", "submission_id"),
        # Search results come newest activity first: walking this index stops at a page's end
        # instead of sorting every matching thread (bench/forum_search.py).
        Index("ix_forum_thread_last_post", "last_post_at", "id"),
        # Search matches inside the text (LIKE '%...%'): a trigram index on PostgreSQL, as the
        # desk's search has (migration 0014; SQLite has no equivalent and scans).
        Index("ix_forum_thread_search_trgm", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("forum_board.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    search_text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=Visibility.PUBLISHED)
    locked: Mapped[bool] = mapped_column(default=False)
    pinned: Mapped[bool] = mapped_column(default=False)
    slow_mode_minutes: Mapped[int] = mapped_column(default=0)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    # No foreign key: posts are never removed (only marked deleted), and a key here would make
    # a cycle between thread and post that SQLite cannot add by ALTER.
    answer_post_id: Mapped[int | None]
    # Counted on write so a thread of 1,000 posts costs no COUNT(*) to open.
    post_count: Mapped[int] = mapped_column(default=0)
    last_post_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A policy dialogue is a thread with a schedule (and a panel).
    dialogue_starts_at: Mapped[datetime | None]
    dialogue_ends_at: Mapped[datetime | None]

    board = relationship("Board", lazy="joined")
    author = relationship("User", lazy="joined")
    submission = relationship("Submission")

    @property
    def is_dialogue(self) -> bool:
        return self.dialogue_ends_at is not None

    @property
    def dialogue_closed(self) -> bool:
        return self.is_dialogue and utcnow() >= self.dialogue_ends_at

    @property
    def is_visible(self) -> bool:
        return self.status == Visibility.PUBLISHED


class Post(db.Model):
    __tablename__ = "forum_post"
    __table_args__ = (
        Index("ix_forum_post_thread_list", "thread_id", "id"),
        Index("ix_forum_post_author_created", "author_id", "created_at"),
        Index("ix_forum_post_status", "status"),
        Index("ix_forum_post_search_trgm", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)  # rendered and sanitized once, on save
    search_text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=Visibility.PUBLISHED)
    held_reason: Mapped[str | None] = mapped_column(String(32))
    is_opening: Mapped[bool] = mapped_column(default=False)
    quote_of_id: Mapped[int | None] = mapped_column(ForeignKey("forum_post.id"))
    # In a dialogue: a panel answer points at the question it answers.
    answer_to_id: Mapped[int | None] = mapped_column(ForeignKey("forum_post.id"), index=True)
    answered_at: Mapped[datetime | None]
    score: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    edit_note: Mapped[str | None] = mapped_column(String(300))

    thread = relationship("Thread", foreign_keys=[thread_id])
    author = relationship("User", lazy="joined")

    @property
    def is_deleted(self) -> bool:
        return self.status == Visibility.DELETED


class PostRevision(db.Model):
    """The text a post had before an edit: moderators see the changes as a diff."""

    __tablename__ = "forum_post_revision"
    __table_args__ = (Index("ix_forum_post_revision_post", "post_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"))
    body_source: Mapped[str] = mapped_column(Text)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # who replaced this text
    created_at: Mapped[datetime] = mapped_column(default=utcnow)  # when it was replaced


class PostVote(db.Model):
    """One vote per account per post (dialogue questions are voted the same way)."""

    __tablename__ = "forum_post_vote"
    __table_args__ = (UniqueConstraint("post_id", "user_id", name="uq_forum_post_vote_post_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ThreadRead(db.Model):
    """How far a signed-in reader has read a thread: the unread markers come from it."""

    __tablename__ = "forum_thread_read"
    __table_args__ = (UniqueConstraint("user_id", "thread_id", name="uq_forum_thread_read_user_thread"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id", ondelete="CASCADE"))
    read_at: Mapped[datetime] = mapped_column(default=utcnow)


class Follow(db.Model):
    __tablename__ = "forum_follow"
    __table_args__ = (
        UniqueConstraint("user_id", "thread_id", "board_id", name="uq_forum_follow_user_target"),
        Index("ix_forum_follow_thread", "thread_id"),
        Index("ix_forum_follow_board", "board_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("forum_thread.id", ondelete="CASCADE"))
    board_id: Mapped[int | None] = mapped_column(ForeignKey("forum_board.id", ondelete="CASCADE"))


class Badge(db.Model):
    """A badge an administrator granted: verified expert or scientist, identity-verified citizen."""

    __tablename__ = "forum_badge"
    __table_args__ = (UniqueConstraint("user_id", "kind", name="uq_forum_badge_user_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # expert, verified
    label: Mapped[str] = mapped_column(String(120), default="")  # e.g. "PGS.TS., Viện Vật lý"
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Panelist(db.Model):
    """An official or expert an administrator named to answer in a dialogue."""

    __tablename__ = "forum_panelist"
    __table_args__ = (UniqueConstraint("thread_id", "user_id", name="uq_forum_panelist_thread_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    user = relationship("User", lazy="joined")
