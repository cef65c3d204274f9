"""Template filters that turn stored values into words for the reader; each feature area
registers its own beside these (see `register` in the area's package)."""
from flask import Flask
from flask_babel import format_decimal
from flask_babel import gettext as _

from app.common import places
from app.common.roles import role_label


def locality(item) -> str:
    """Commune and province of anything with `province_code` and `ward_code`."""
    ward = places.ward_name(item.province_code, item.ward_code)
    province = places.province_name(item.province_code)
    return ", ".join(part for part in (ward, province) if part)


def filesize(size: int) -> str:
    if size >= 1024 * 1024:
        return _("%(n)s MB", n=format_decimal(round(size / 1024 / 1024, 1)))
    return _("%(n)s KB", n=format_decimal(max(1, round(size / 1024))))


def register(app: Flask) -> None:
    app.jinja_env.filters.update(locality=locality, filesize=filesize, role_label=role_label)
