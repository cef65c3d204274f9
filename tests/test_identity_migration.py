"""Migration 0008: self-declared organisation accounts become unverified requests (no badge
until someone checks), and the migration comes down cleanly (SQLite file)."""
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.config import TestConfig


def test_declared_organisations_become_pending_requests(tmp_path):
    class MigrationConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'migrate.sqlite3'}"

    app = create_app(MigrationConfig)
    with app.app_context():
        upgrade(revision="0006_oversight")
        engine = sa.create_engine(MigrationConfig.SQLALCHEMY_DATABASE_URI)
        insert = sa.text('INSERT INTO "user" (email, full_name, kind, org_name, tax_code, org_foreign, role, active, '
                         "created_at) VALUES (:email, :name, :kind, :org, :tax, 0, 'citizen', 1, '2026-01-01')")
        with engine.begin() as connection:
            connection.execute(insert, [
                {"email": "dn@example.vn", "name": "Vũ Thị Doanh", "kind": "organisation", "org": "Công ty Sông Hồng",
                 "tax": "0100109106-001"},
                {"email": "sai@example.vn", "name": "Mã Sai", "kind": "organisation", "org": "Công ty Mã Sai",
                 "tax": "0101234567"},  # fails the checksum: nothing to review
                {"email": "cn@example.vn", "name": "Cá Nhân", "kind": "individual", "org": None, "tax": None},
            ])
        upgrade(revision="0008_identity_orgs")
        with engine.connect() as connection:
            rows = connection.execute(sa.text(
                'SELECT o.name, o.tax_code, o.status, u.email FROM organisation o JOIN "user" u ON u.id = o.owner_id'
            )).all()
        assert rows == [("Công ty Sông Hồng", "0100109106-001", "pending", "dn@example.vn")]
        downgrade(revision="0006_oversight")
        tables = set(sa.inspect(engine).get_table_names())
        assert "organisation" not in tables and "organisation_member" not in tables
        assert "acr" not in {column["name"] for column in sa.inspect(engine).get_columns("identity")}
        engine.dispose()
