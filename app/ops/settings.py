"""Start-up refuses settings that are fine on a laptop and wrong on a public server.

GOPY_ENV=production turns the checks on; each problem is named with what to do. One that an
operator accepts on purpose (a test site on SQLite, say) is waived by naming it in
GOPY_ALLOW_UNSAFE, e.g. GOPY_ALLOW_UNSAFE=sqlite,file-mail.
"""
from flask import Flask


class UnsafeSettings(SystemExit):
    """Stops the process with the message, before any worker serves a request."""


def problems(config) -> dict[str, str]:
    """The name and explanation of each unsafe setting."""
    found = {}
    if not config.get("SECRET_KEY_FROM_ENV"):
        found["secret-key"] = ("SECRET_KEY is not set, so one was generated into the instance folder: each node "
                               "would sign with its own, and a lost folder breaks every session and private link. "
                               "Set SECRET_KEY (64 hex characters) the same on every node, and keep it.")
    elif len(config.get("SECRET_KEY") or "") < 32:
        found["secret-key"] = "SECRET_KEY is shorter than 32 characters: python3 -c 'import secrets; " \
                              "print(secrets.token_hex(32))' makes one."
    if config.get("SQLALCHEMY_DATABASE_URI", "").startswith("sqlite"):
        found["sqlite"] = "DATABASE_URL is not set: SQLite serves one machine only. Set DATABASE_URL=postgresql://..."
    if not config.get("MAIL_SERVER"):
        found["file-mail"] = ("MAIL_SERVER is not set: e-mails would be written to files and marked sent, and no one "
                              "would receive them. Set MAIL_SERVER (and MAIL_PORT, MAIL_USE_TLS, MAIL_USERNAME, ...).")
    if not config.get("SMS_GATEWAY_URL"):
        found["file-sms"] = ("SMS_GATEWAY_URL is not set: text messages, verification codes among them, would be "
                             "written to SMS_FILE. Set SMS_GATEWAY_URL and SMS_GATEWAY_TOKEN.")
    if not config.get("PUBLIC_BASE_URL_FROM_ENV"):
        found["public-base-url"] = ("PUBLIC_BASE_URL is not set: links in e-mail and SMS would point to "
                                    "127.0.0.1. Set it to the site's address, e.g. https://gopy.example.gov.vn")
    elif not config.get("PUBLIC_BASE_URL", "").startswith("https://"):
        found["public-base-url"] = "PUBLIC_BASE_URL does not start with https://: private links would travel in clear."
    if not config.get("SESSION_COOKIE_SECURE"):
        found["insecure-cookie"] = "SESSION_COOKIE_SECURE is not 1: the session cookie would also travel over http."
    return found


def refuse_unsafe(app: Flask) -> None:
    if app.config.get("GOPY_ENV") != "production":
        return
    waived = {name.strip() for name in app.config.get("GOPY_ALLOW_UNSAFE", "").split(",") if name.strip()}
    remaining = {name: text for name, text in problems(app.config).items() if name not in waived}
    if remaining:
        lines = [f"  [{name}] {text}" for name, text in remaining.items()]
        raise UnsafeSettings("Góp Ý will not start with GOPY_ENV=production and these settings:\n" + "\n".join(lines)
                             + "\nFix them (docs/deploy.md), or waive one on purpose: GOPY_ALLOW_UNSAFE="
                             + ",".join(remaining))
