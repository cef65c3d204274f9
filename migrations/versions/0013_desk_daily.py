"""desk in daily use (issue 14): the officer a lead assigned a submission to, named in its
event; each agency's answer templates

Revision ID: 0013_desk_daily
Revises: 0012_sms_intake
Create Date: 2026-12-01 03:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013_desk_daily"
down_revision = "0012_sms_intake"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("submission_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_submission_event_assignee_id_user"), "user",
                                    ["assignee_id"], ["id"])
    op.create_table(
        "response_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_response_template_agency_id_agency"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_template")),
        sa.UniqueConstraint("agency_id", "title", name="uq_response_template_agency_id"),
    )
    with op.batch_alter_table("response_template", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_response_template_agency_id"), ["agency_id"], unique=False)


def downgrade():
    with op.batch_alter_table("response_template", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_response_template_agency_id"))
    op.drop_table("response_template")
    with op.batch_alter_table("submission_event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_submission_event_assignee_id_user"), type_="foreignkey")
        batch_op.drop_column("assignee_id")
