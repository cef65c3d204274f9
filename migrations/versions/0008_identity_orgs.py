"""identity and organisations (issue 9): the provider's acr on an identity; organisations
with their verification and members; every self-declared organisation account becomes an
unverified request (its badge waits for an administrator or a strong identity)

Revision ID: 0008_identity_orgs
Revises: 0007_accounts_security
Create Date: 2026-12-01 03:50:00

"""
import sqlalchemy as sa
from alembic import op
from stdnum.vn import mst

# revision identifiers, used by Alembic.
revision = "0008_identity_orgs"
down_revision = "0007_accounts_security"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("identity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("acr", sa.String(length=64), nullable=True))

    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("tax_code", sa.String(length=14), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("document_key", sa.String(length=64), nullable=True),
        sa.Column("document_name", sa.String(length=200), nullable=True),
        sa.Column("document_type", sa.String(length=64), nullable=True),
        sa.Column("verified_by", sa.String(length=16), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user.id"], name=op.f("fk_organisation_decided_by_id_user"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["owner_id"], ["user.id"], name=op.f("fk_organisation_owner_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index("ix_organisation_status_created", ["status", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_organisation_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index("uq_organisation_verified_tax_code", ["tax_code"], unique=True,
                              sqlite_where=sa.text("status = 'verified'"),
                              postgresql_where=sa.text("status = 'verified'"))

    op.create_table(
        "organisation_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_organisation_member_organisation_id_organisation"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_organisation_member_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_member")),
        sa.UniqueConstraint("organisation_id", "user_id", name="uq_organisation_member"),
    )
    with op.batch_alter_table("organisation_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_member_user_id"), ["user_id"], unique=False)

    _declared_organisations_become_requests()


def _declared_organisations_become_requests():
    """Each organisation account with a tax code that passes the checksum becomes a pending
    request in its owner's name: nobody keeps a badge nobody checked."""
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT id, org_name, full_name, tax_code, created_at FROM \"user\" "
        "WHERE kind = 'organisation' AND tax_code IS NOT NULL")).all()
    organisation = sa.table("organisation", sa.column("name"), sa.column("tax_code"), sa.column("status"),
                            sa.column("owner_id"), sa.column("note"), sa.column("created_at"))
    requests = []
    for user_id, org_name, full_name, tax_code, created_at in rows:
        head = (tax_code or "").replace("-", "")
        if not mst.is_valid(head):
            continue
        requests.append({"name": (org_name or full_name)[:200], "tax_code": mst.format(head),
                         "status": "pending", "owner_id": user_id, "note": "", "created_at": created_at})
    if requests:
        op.bulk_insert(organisation, requests)


def downgrade():
    with op.batch_alter_table("organisation_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_member_user_id"))
    op.drop_table("organisation_member")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index("uq_organisation_verified_tax_code")
        batch_op.drop_index(batch_op.f("ix_organisation_owner_id"))
        batch_op.drop_index("ix_organisation_status_created")
    op.drop_table("organisation")
    with op.batch_alter_table("identity", schema=None) as batch_op:
        batch_op.drop_column("acr")
