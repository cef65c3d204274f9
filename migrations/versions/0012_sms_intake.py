"""sms intake (issue 12): two-way SMS (the gateway ids seen, the parts of long messages,
the submissions waiting for DONG Y, the numbers that said HUY), how each submission came in
(submission.channel), and how each consent was given and who recorded it

Revision ID: 0012_sms_intake
Revises: 0011_alerts
Create Date: 2026-12-01 03:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012_sms_intake"
down_revision = "0011_alerts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sms_inbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gateway_id", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_inbound")),
        sa.UniqueConstraint("gateway_id", name=op.f("uq_sms_inbound_gateway_id")),
    )
    op.create_index("ix_sms_inbound_phone_received", "sms_inbound", ["phone", "received_at"], unique=False)
    op.create_table(
        "sms_part",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_part")),
        sa.UniqueConstraint("phone", "reference", "part", name="uq_sms_part_phone_reference_part"),
    )
    op.create_table(
        "sms_pending",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_pending")),
        sa.UniqueConstraint("phone", name=op.f("uq_sms_pending_phone")),
    )
    op.create_table(
        "sms_opt_out",
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("phone", name=op.f("pk_sms_opt_out")),
    )
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=8), server_default="web", nullable=False))
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("method", sa.String(length=12), server_default="web", nullable=False))
        batch_op.add_column(sa.Column("recorded_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_consent_recorded_by_id_user"), "user", ["recorded_by_id"], ["id"],
                                    ondelete="SET NULL")


def downgrade():
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_consent_recorded_by_id_user"), type_="foreignkey")
        batch_op.drop_column("recorded_by_id")
        batch_op.drop_column("method")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_column("channel")
    op.drop_table("sms_opt_out")
    op.drop_table("sms_pending")
    op.drop_table("sms_part")
    op.drop_index("ix_sms_inbound_phone_received", table_name="sms_inbound")
    op.drop_table("sms_inbound")
