"""delivery (issue 12): why and by whom a message was given up, the indexes for delivering
each recipient's messages in order and for showing a person that we could not reach them;
when each periodic job last ran. Messages the old code dropped after eight attempts are put
back in line: an outage lost them, not the address.

Revision ID: 0010_delivery
Revises: 0009_privacy
Create Date: 2026-12-01 03:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0010_delivery"
down_revision = "0009_privacy"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "periodic_run",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_periodic_run")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failure", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("given_up_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("given_up_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_outbox_message_given_up_by_id_user"), "user",
                                    ["given_up_by_id"], ["id"], ondelete="SET NULL")
        batch_op.create_index("ix_outbox_message_channel_recipient", ["channel", "recipient", "status"],
                              unique=False)
        batch_op.create_index("ix_outbox_message_user_status", ["user_id", "status"], unique=False)
    outbox = sa.table("outbox_message", sa.column("channel", sa.String), sa.column("status", sa.String),
                      sa.column("last_error", sa.String), sa.column("failure", sa.String))
    op.execute(outbox.update().where(outbox.c.status == "failed", outbox.c.channel.in_(("email", "sms")))
               .values(status="pending"))
    op.execute(outbox.update().where(outbox.c.status == "failed").values(failure="admin"))


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_user_status")
        batch_op.drop_index("ix_outbox_message_channel_recipient")
        batch_op.drop_constraint(batch_op.f("fk_outbox_message_given_up_by_id_user"), type_="foreignkey")
        batch_op.drop_column("given_up_by_id")
        batch_op.drop_column("given_up_at")
        batch_op.drop_column("failure")
    op.drop_table("periodic_run")
