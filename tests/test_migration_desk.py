"""The desk migration upgrades a foundation database and downgrades back (SQLite file)."""
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from app import create_app
from tests.conftest import SuiteConfig


def test_desk_migration_up_and_down(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrate.sqlite3'}"

    class MigrationConfig(SuiteConfig):
        SQLALCHEMY_DATABASE_URI = url
        SQLALCHEMY_ENGINE_OPTIONS = {}

    app = create_app(MigrationConfig)
    with app.app_context():
        upgrade(revision="0002_desk")
        tables = set(inspect(create_engine(url)).get_table_names())
        assert {"deadline_rule", "answer_draft", "rating", "notification"} <= tables
        columns = {c["name"] for c in inspect(create_engine(url)).get_columns("submission")}
        assert {"paused_on", "answered_at"} <= columns
        downgrade(revision="0001_foundation")
        assert "rating" not in set(inspect(create_engine(url)).get_table_names())
