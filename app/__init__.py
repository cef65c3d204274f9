"""Góp Ý: the application factory."""
from flask import Flask

from app.common import params
from app.config import BASE_DIR, INSTANCE_DIR, Config


def create_app(config_class: type = Config) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=None,  # static files are served under content-hashed names by core
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_object(config_class)
    params.register(app)  # the <id:> converter, before any route is declared
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
    """Each area's package holds its blueprint; importing its route modules attaches the
    views. The packages themselves import no routes, so a lower module of an area (a model,
    the moderation policy) can be imported without pulling in its pages."""
    from app import accounts, admin, core, desk, feedback, forum, moderation, notify, opendata, stats, tracking
    from app.accounts import routes as _accounts_routes  # noqa: F401
    from app.admin import agencies as _admin_agencies  # noqa: F401
    from app.admin import deadlines as _admin_deadlines  # noqa: F401
    from app.admin import index as _admin_index  # noqa: F401
    from app.admin import staff as _admin_staff  # noqa: F401
    from app.admin import topics as _admin_topics  # noqa: F401
    from app.core import routes as _core_routes  # noqa: F401
    from app.desk import routes as _desk_routes  # noqa: F401
    from app.feedback import routes as _feedback_routes  # noqa: F401
    from app.forum import routes as _forum_routes  # noqa: F401
    from app.moderation import routes as _moderation_routes  # noqa: F401
    from app.notify import routes as _notify_routes  # noqa: F401
    from app.opendata import routes as _opendata_routes  # noqa: F401
    from app.stats import exports as _stats_exports  # noqa: F401  (registers its open-data file)
    from app.stats import routes as _stats_routes  # noqa: F401
    from app.tracking import routes as _tracking_routes  # noqa: F401
    from app.tracking import submitter as _tracking_submitter  # noqa: F401

    for area in (core, accounts, feedback, tracking, desk, stats, opendata, notify, forum, moderation, admin):
        app.register_blueprint(area.bp)
