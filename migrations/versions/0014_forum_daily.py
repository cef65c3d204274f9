"""forum daily use (issue 14): post revisions, the word list's change log, canned replies,
hand-set trust levels, silences beside suspensions, trigram indexes for forum search and
threads by last activity

Revision ID: 0014_forum_daily
Revises: 0013_desk_daily
Create Date: 2026-12-01 03:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014_forum_daily"
down_revision = "0013_desk_daily"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "forum_post_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["editor_id"], ["user.id"], name=op.f("fk_forum_post_revision_editor_id_user")),
        sa.ForeignKeyConstraint(["post_id"], ["forum_post.id"], name=op.f("fk_forum_post_revision_post_id_forum_post"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_post_revision")),
    )
    with op.batch_alter_table("forum_post_revision", schema=None) as batch_op:
        batch_op.create_index("ix_forum_post_revision_post", ["post_id", "id"], unique=False)

    op.create_table(
        "moderation_word_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("word", sa.String(length=64), nullable=False),
        sa.Column("change", sa.String(length=8), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["moderator_id"], ["user.id"],
                                name=op.f("fk_moderation_word_change_moderator_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_word_change")),
    )
    with op.batch_alter_table("moderation_word_change", schema=None) as batch_op:
        batch_op.create_index("ix_moderation_word_change_created", ["created_at"], unique=False)

    op.create_table(
        "moderation_canned_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"],
                                name=op.f("fk_moderation_canned_reply_created_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_canned_reply")),
    )

    op.create_table(
        "moderation_trust",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["set_by_id"], ["user.id"], name=op.f("fk_moderation_trust_set_by_id_user")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_moderation_trust_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_trust")),
        sa.UniqueConstraint("user_id", name=op.f("uq_moderation_trust_user_id")),
    )

    with op.batch_alter_table("forum_thread", schema=None) as batch_op:
        batch_op.create_index("ix_forum_thread_last_post", ["last_post_at", "id"], unique=False)

    with op.batch_alter_table("moderation_suspension", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=8), server_default="suspend", nullable=False))

    if op.get_bind().dialect.name == "postgresql":
        # Forum search matches inside the text (LIKE '%...%'): trigram indexes, as the desk's.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX IF NOT EXISTS ix_forum_post_search_trgm ON forum_post "
                   "USING gin (search_text gin_trgm_ops)")
        op.execute("CREATE INDEX IF NOT EXISTS ix_forum_thread_search_trgm ON forum_thread "
                   "USING gin (search_text gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_forum_thread_search_trgm")
        op.execute("DROP INDEX IF EXISTS ix_forum_post_search_trgm")
    with op.batch_alter_table("moderation_suspension", schema=None) as batch_op:
        batch_op.drop_column("kind")
    with op.batch_alter_table("forum_thread", schema=None) as batch_op:
        batch_op.drop_index("ix_forum_thread_last_post")
    op.drop_table("moderation_trust")
    op.drop_table("moderation_canned_reply")
    with op.batch_alter_table("moderation_word_change", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_word_change_created")
    op.drop_table("moderation_word_change")
    with op.batch_alter_table("forum_post_revision", schema=None) as batch_op:
        batch_op.drop_index("ix_forum_post_revision_post")
    op.drop_table("forum_post_revision")
