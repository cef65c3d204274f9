"""Alembic brings an empty database of either kind to the models' schema, and back down."""
import tempfile
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.common.schema import include_for_dialect
from app.config import TestConfig
from app.extensions import db

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _sqlite_url():
    return f"sqlite:///{tempfile.mkdtemp(prefix='gopy-mig-')}/m.sqlite3"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request):
    if request.param == "sqlite":
        yield _sqlite_url()
        return
    name = f"gopy_mig_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _app_for(url):
    return create_app(type("MigrationConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))


def test_upgrade_matches_models_and_downgrade_empties(empty_database):
    app = _app_for(empty_database)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            opts = {"render_as_batch": True, "include_object": include_for_dialect(conn.dialect.name)}
            diff = compare_metadata(MigrationContext.configure(conn, opts=opts), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()  # and up again, as a redeploy would
        db.engine.dispose()
