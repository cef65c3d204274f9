"""Operations: liveness, readiness and Prometheus metrics for the load balancer and the
monitoring, and the optional error reporting. It reads the other areas' tables to count
them and changes nothing, so it sits at the top beside admin and api."""
from flask import Blueprint, Flask

bp = Blueprint("ops", __name__)


def register(app: Flask) -> None:
    from app.ops import errors, health, metrics  # noqa: F401  (attach the views and hooks to bp)

    metrics.instrument(app)
    errors.init_sentry(app)
    app.register_blueprint(bp)
