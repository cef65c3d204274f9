"""Prometheus metrics at /metrics: requests and latency by route pattern, and the state that
operators act on (messages waiting in the outbox and for how long, overdue submissions).

Under gunicorn each worker is a process: with PROMETHEUS_MULTIPROC_DIR set (the systemd unit
and deploy/gunicorn.conf.py do it) prometheus-client keeps the counters in files there and a
scrape of any worker adds every worker's up. The state gauges are read from the database at
scrape time, so every node reports the same figures and none needs a background thread.
"""
import os
import time

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from app.common.logs import route_pattern
from app.common.time import utcnow
from app.extensions import db, limiter
from app.notify.models import MessageStatus, OutboxMessage
from app.ops import bp
from app.submissions.deadlines import overdue_clause
from app.submissions.models import Submission

REQUESTS = Counter("gopy_http_requests_total", "HTTP requests answered, by route pattern, method and status",
                   ["route", "method", "status"])
LATENCY = Histogram("gopy_http_request_duration_seconds", "Time to answer a request, by route pattern",
                    ["route", "method"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
WAITING = (MessageStatus.PENDING, MessageStatus.SENDING)


def instrument(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_count)


def _start() -> None:
    g.metrics_started = time.perf_counter()


def _count(response):
    started = g.get("metrics_started")
    route = route_pattern()
    if route != "/metrics":
        REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        if started is not None:
            LATENCY.labels(route, request.method).observe(time.perf_counter() - started)
    return response


class StateCollector:
    """Figures read from the database when Prometheus asks."""

    def collect(self):
        outbox = GaugeMetricFamily("gopy_outbox_messages", "Outbox messages not yet sent, by channel and status",
                                   labels=["channel", "status"])
        rows = db.session.execute(select(OutboxMessage.channel, OutboxMessage.status, func.count())
                                  .where(OutboxMessage.status != MessageStatus.SENT)
                                  .group_by(OutboxMessage.channel, OutboxMessage.status))
        for channel, status, count in rows:
            outbox.add_metric([channel, status], count)
        yield outbox
        oldest = GaugeMetricFamily("gopy_outbox_oldest_waiting_seconds",
                                   "Age of the oldest message still waiting to be sent (queue lag), by channel",
                                   labels=["channel"])
        now = utcnow()
        rows = db.session.execute(select(OutboxMessage.channel, func.min(OutboxMessage.created_at))
                                  .where(OutboxMessage.status.in_(WAITING)).group_by(OutboxMessage.channel))
        for channel, created_at in rows:
            oldest.add_metric([channel], max((now - created_at).total_seconds(), 0.0))
        yield oldest
        overdue = db.session.scalar(select(func.count()).select_from(Submission).where(overdue_clause()))
        yield GaugeMetricFamily("gopy_submissions_overdue", "Open submissions past their deadline", value=overdue)


@bp.get("/metrics")
@limiter.exempt
def metrics():
    """The exposition text; nginx lets only the monitoring host reach it (deploy/nginx.conf)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    state = CollectorRegistry()
    state.register(StateCollector())
    body += generate_latest(state)
    return Response(body, mimetype=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
