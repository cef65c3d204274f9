"""attachment bytes in the database, so every node serves every file

Revision ID: 0004_attachment_blob
Revises: 0003_forum
Create Date: 2026-12-01 01:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0004_attachment_blob"
down_revision = "0003_forum"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attachment_blob",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_attachment_blob")),
    )


def downgrade():
    op.drop_table("attachment_blob")
