"""The facts the privacy notice states, from the configuration: who the controller is, how to
reach them, the notice's version, how long data is kept."""
from flask import current_app


def facts() -> dict:
    config = current_app.config
    return {
        "version": config["PRIVACY_NOTICE_VERSION"],
        "controller": config["PRIVACY_CONTROLLER_NAME"],
        "contact": config["PRIVACY_CONTROLLER_CONTACT"],
        "retention_months": config["PRIVACY_RETENTION_MONTHS"],
        "export_hours": config["PRIVACY_EXPORT_HOURS"],
    }
