"""/healthz: the process answers. /readyz: it can serve, so the balancer may send it traffic:
the database, Redis (when configured) and the attachment storage all answer."""
from flask import current_app, jsonify
from sqlalchemy import text

from app.extensions import db, limiter
from app.ops import bp
from app.submissions import storage


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Liveness: no dependency is asked, so a slow database never gets the process restarted."""
    return _plain({"status": "ok"}, 200)


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Readiness: each dependency named with ok or the kind of its error, 503 if any failed."""
    checks = {"database": _check(_database), "storage": _check(storage.check)}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _check(_redis)
    ready = all(value == "ok" for value in checks.values())
    return _plain({"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503)


def _plain(body: dict, status: int):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _check(probe) -> str:
    try:
        probe()
    except Exception as error:  # noqa: BLE001  (any failure means not ready; its kind is enough)
        current_app.logger.warning("readiness check failed: %s", type(error).__name__)
        db.session.rollback()
        return type(error).__name__
    return "ok"


def _database() -> None:
    db.session.execute(text("SELECT 1"))


def _redis() -> None:
    from redis import Redis  # only when Redis is configured

    Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=1, socket_timeout=1).ping()
