"""The forum migration builds the same tables as the models, and comes down cleanly (SQLite file)."""
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.config import TestConfig


def test_forum_migration_goes_up_and_down(tmp_path):
    class MigrationConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'migrate.sqlite3'}"

    app = create_app(MigrationConfig)
    with app.app_context():
        upgrade(revision="0003_forum")
        engine = sa.create_engine(MigrationConfig.SQLALCHEMY_DATABASE_URI)
        tables = set(sa.inspect(engine).get_table_names())
        assert {"forum_board", "forum_thread", "forum_post", "moderation_flag", "moderation_action"} <= tables
        columns = {c["name"] for c in sa.inspect(engine).get_columns("moderation_suspension")}
        assert {"rule", "reason", "ends_at"} <= columns
        downgrade(revision="0001_foundation")
        left = {t for t in sa.inspect(engine).get_table_names() if t.startswith(("forum_", "moderation_"))}
        assert left == set()
        engine.dispose()
