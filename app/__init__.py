"""Góp Ý: the application factory."""
from flask import Flask

from app.config import BASE_DIR, INSTANCE_DIR, Config


def create_app(config_class: type = Config) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=None,  # static files are served under content-hashed names by core
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_object(config_class)
    from app import models  # noqa: F401  (every table, before anything queries)

    _init_extensions(app)
    _register_blueprints(app)

    from app.common import errors, filters, i18n, rendering, security
    from app.submissions import templating

    errors.register(app)
    filters.register(app)
    templating.register(app)
    i18n.register(app)
    rendering.register(app)
    security.register(app)

    from app import cli

    cli.register(app)
    return app


def _init_extensions(app: Flask) -> None:
    from app.extensions import babel, compress, csrf, db, htmx, limiter, login_manager, migrate
    from app.common.i18n import select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    csrf.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    from app.common import compression

    compression.register(app)
    htmx.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from app.accounts import bp as accounts_bp
    from app.core import bp as core_bp
    from app.desk import bp as desk_bp
    from app.feedback import bp as feedback_bp
    from app.notify import bp as notify_bp
    from app.forum import bp as forum_bp
    from app.moderation import bp as moderation_bp
    from app.tracking import bp as tracking_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(feedback_bp)
    app.register_blueprint(tracking_bp)
    app.register_blueprint(desk_bp)
    app.register_blueprint(notify_bp)
    app.register_blueprint(forum_bp)
    app.register_blueprint(moderation_bp)
