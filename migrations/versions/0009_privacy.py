"""privacy (issue 9): the log of staff reading personal data, "my data" exports, and the
moment an account was erased

Revision ID: 0009_privacy
Revises: 0008_identity_orgs
Create Date: 2026-12-01 03:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0009_privacy"
down_revision = "0008_identity_orgs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "personal_data_read",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("subject_user_id", sa.Integer(), nullable=True),
        sa.Column("route", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["user.id"], name=op.f("fk_personal_data_read_staff_id_user"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["subject_user_id"], ["user.id"],
                                name=op.f("fk_personal_data_read_subject_user_id_user"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"],
                                name=op.f("fk_personal_data_read_submission_id_submission"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_data_read")),
    )
    with op.batch_alter_table("personal_data_read") as batch_op:
        batch_op.create_index("ix_personal_data_read_created", ["created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_personal_data_read_staff_id"), ["staff_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_personal_data_read_submission_id"), ["submission_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_personal_data_read_subject_user_id"), ["subject_user_id"], unique=False)
    op.create_table(
        "data_export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_data_export_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_export")),
    )
    with op.batch_alter_table("data_export") as batch_op:
        batch_op.create_index(batch_op.f("ix_data_export_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("erased_at")
    with op.batch_alter_table("data_export") as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_export_user_id"))
    op.drop_table("data_export")
    with op.batch_alter_table("personal_data_read") as batch_op:
        batch_op.drop_index(batch_op.f("ix_personal_data_read_subject_user_id"))
        batch_op.drop_index(batch_op.f("ix_personal_data_read_submission_id"))
        batch_op.drop_index(batch_op.f("ix_personal_data_read_staff_id"))
        batch_op.drop_index("ix_personal_data_read_created")
    op.drop_table("personal_data_read")
