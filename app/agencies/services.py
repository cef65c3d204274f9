"""The agencies that receive and answer submissions: listing them, adding one."""
from flask_babel import gettext as _
from sqlalchemy import select

from app.agencies.models import Agency
from app.common.errors import ValidationError
from app.common.text import clean_line, vi_sort_key
from app.extensions import db


def agency_choices(locale: str, placeholder: str) -> list[tuple]:
    """Active agencies for a <select>: ministries and central offices first, then provinces,
    each group in Vietnamese alphabetical order of the name the reader sees."""
    agencies = db.session.scalars(select(Agency).where(Agency.active)).all()
    named = [(a.level, a.id, a.localized_name(locale)) for a in agencies]
    named.sort(key=lambda item: (item[0], vi_sort_key(item[2])))
    return [("", placeholder)] + [(agency_id, name) for _level, agency_id, name in named]


def all_agencies() -> list[Agency]:
    """Every agency, by level, then in Vietnamese alphabetical order."""
    agencies = db.session.scalars(select(Agency)).all()
    return sorted(agencies, key=lambda a: (a.level, vi_sort_key(a.name)))


def add_agency(code: str, name: str, level: str) -> Agency:
    """A new agency; its code (upper case) must be new."""
    code = clean_line(code).upper()
    if db.session.scalar(select(Agency.id).where(Agency.code == code)):
        raise ValidationError("code", _("This code is already used."))
    agency = Agency(code=code, name=clean_line(name), level=level)
    db.session.add(agency)
    db.session.commit()
    return agency
