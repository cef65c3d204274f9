"""Template filters that turn stored values into words for the reader."""
from flask import Flask
from flask_babel import format_decimal
from flask_babel import gettext as _

from app.common import places
from app.tracking import codes
from app.workflow import action_label, status_label


def kind_label(kind: str) -> str:
    from app.feedback.forms import KIND_CHOICES

    return str(dict(KIND_CHOICES).get(kind, kind))


def locality(submission) -> str:
    ward = places.ward_name(submission.province_code, submission.ward_code)
    province = places.province_name(submission.province_code)
    return ", ".join(part for part in (ward, province) if part)


def filesize(size: int) -> str:
    if size >= 1024 * 1024:
        return _("%(n)s MB", n=format_decimal(round(size / 1024 / 1024, 1)))
    return _("%(n)s KB", n=format_decimal(max(1, round(size / 1024))))


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        tracking_code=codes.display,
        status_label=status_label,
        action_label=action_label,
        kind_label=kind_label,
        locality=locality,
        filesize=filesize,
    )
