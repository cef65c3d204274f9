"""Error reports to Sentry (or a compatible service such as GlitchTip) when SENTRY_DSN is
set: exceptions only, no request bodies, cookies, users or URLs with tokens."""
from flask import Flask


def init_sentry(app: Flask) -> None:
    dsn = app.config.get("SENTRY_DSN")
    if not dsn or app.testing:
        return
    # Imported only when configured: without a DSN nothing of Sentry's loads or runs.
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration

    sentry_sdk.init(dsn=dsn, integrations=[FlaskIntegration(transaction_style="url")], send_default_pii=False,
                    environment=app.config.get("GOPY_ENV"), traces_sample_rate=0.0, before_send=scrub_event,
                    max_request_body_size="never")


def scrub_event(event: dict, _hint) -> dict:
    """Keep the route pattern (the transaction) and drop the URL, query, headers and data."""
    request = event.get("request") or {}
    for key in ("url", "query_string", "headers", "cookies", "data", "env"):
        request.pop(key, None)
    event.pop("user", None)
    return event
