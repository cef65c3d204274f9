"""Góp Ý: the application factory, and the one place that knows every area (the composition
root: .importlinter puts it above them all)."""
import os

from flask import Flask

from app import (
    accounts,
    admin,
    api,
    cli,
    core,
    desk,
    feedback,
    forum,
    models,  # noqa: F401  (every table, before anything queries)
    moderation,
    notify,
    opendata,
    ops,
    privacy,
    schedule,
    sms,
    stats,
    tracking,
)
from app.accounts import identity_routes as _accounts_identity  # noqa: F401
from app.accounts import notifications as _accounts_notifications  # noqa: F401
from app.accounts import routes as _accounts_routes  # noqa: F401  (importing a routes module attaches its views)
from app.admin import agencies as _admin_agencies  # noqa: F401
from app.admin import api as _admin_api  # noqa: F401
from app.admin import badges as _admin_badges  # noqa: F401
from app.admin import boards as _admin_boards  # noqa: F401
from app.admin import deadlines as _admin_deadlines  # noqa: F401
from app.admin import dialogues as _admin_dialogues  # noqa: F401
from app.admin import index as _admin_index  # noqa: F401
from app.admin import organisations as _admin_organisations  # noqa: F401
from app.admin import outbox as _admin_outbox  # noqa: F401
from app.admin import privacy as _admin_privacy  # noqa: F401
from app.admin import staff as _admin_staff  # noqa: F401
from app.admin import topics as _admin_topics  # noqa: F401
from app.api import docs as _api_docs  # noqa: F401
from app.api import open311 as _api_open311  # noqa: F401
from app.api import v1 as _api_v1  # noqa: F401
from app.common import compression, errors, filters, i18n, logs, params, proxy, rendering, security
from app.common.i18n import select_locale, select_timezone
from app.config import BASE_DIR, INSTANCE_DIR, Config
from app.core import routes as _core_routes  # noqa: F401
from app.desk import routes as _desk_routes  # noqa: F401
from app.extensions import babel, compress, csrf, db, htmx, limiter, login_manager, migrate
from app.feedback import counter as _feedback_counter  # noqa: F401
from app.feedback import routes as _feedback_routes  # noqa: F401
from app.forum import routes as _forum_routes  # noqa: F401
from app.forum import templating as forum_templating
from app.moderation import routes as _moderation_routes  # noqa: F401
from app.moderation import templating as moderation_templating
from app.notify import routes as _notify_routes  # noqa: F401
from app.opendata import routes as _opendata_routes  # noqa: F401
from app.ops import settings
from app.privacy import routes as _privacy_routes  # noqa: F401
from app.sms import routes as _sms_routes  # noqa: F401
from app.stats import exports as _stats_exports  # noqa: F401  (registers its open-data file)
from app.stats import routes as _stats_routes  # noqa: F401
from app.submissions import alerts, templating
from app.tracking import routes as _tracking_routes  # noqa: F401
from app.tracking import submitter as _tracking_submitter  # noqa: F401


def create_app(config_class: type = Config) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=None,  # static files are served under content-hashed names by core
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_object(config_class)
    # Everything the app writes (the SQLite file, uploads, the SMS log, mail files) is private.
    os.umask(0o077)
    logs.configure(app)
    settings.refuse_unsafe(app)
    params.register(app)  # the <id:> converter, before any route is declared
    _init_extensions(app)
    _register_blueprints(app)
    for area in (errors, filters, templating, alerts, forum_templating, moderation_templating, i18n, rendering,
                 security, cli, ops, schedule):
        area.register(app)
    proxy.install(app)
    return app


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    csrf.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    compression.register(app)
    htmx.init_app(app)


def _register_blueprints(app: Flask) -> None:
    """Each area's package holds its blueprint; the route modules imported above attach the
    views. The packages themselves import no routes, so a lower module of an area (a model,
    the moderation policy) can be imported without pulling in its pages."""
    for area in (core, accounts, feedback, tracking, desk, stats, opendata, sms, notify, forum, moderation, privacy,
                 admin):
        app.register_blueprint(area.bp)
    for blueprint in (api.bp_v1, api.bp_open311, api.bp_docs):
        app.register_blueprint(blueprint)
    api.register(app)
