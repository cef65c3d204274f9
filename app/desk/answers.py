"""Each agency's answer templates: kept by its leads, filled from a submission when an officer
drafts with one. Placeholders in braces name what the submission knows; an unknown one stays
as typed, so the officer sees it in the draft and fills it by hand."""
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.common.errors import ValidationError
from app.common.text import clean_block, clean_line, vi_sort_key
from app.desk.models import ResponseTemplate
from app.extensions import db
from app.submissions import codes

PLACEHOLDERS = {
    "xung_ho": _l("how the submitter is addressed (Ông/Bà and their name)"),
    "ten": _l("the submitter's name"),
    "ma_so": _l("the tracking code"),
    "tieu_de": _l("the submission's title"),
    "can_cu": _l("the legal reference the submitter cited"),
    "ngay_nhan": _l("the day it was received"),
    "co_quan": _l("the agency answering"),
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def templates_of(agency_id: int | None) -> list[ResponseTemplate]:
    """An agency's templates in Vietnamese order of their titles."""
    if agency_id is None:
        return []
    found = db.session.scalars(select(ResponseTemplate).where(ResponseTemplate.agency_id == agency_id))
    return sorted(found, key=lambda template: vi_sort_key(template.title))


def template_of(agency_id: int | None, template_id: int | None) -> ResponseTemplate | None:
    """The template, if it is this agency's; None as if it did not exist otherwise."""
    template = db.session.get(ResponseTemplate, template_id) if template_id else None
    return template if template is not None and agency_id is not None and template.agency_id == agency_id else None


def save_template(agency_id: int, title: str, body: str, template: ResponseTemplate | None = None) -> ResponseTemplate:
    """Add a template to the agency, or change one of its own."""
    title, body = clean_line(title), clean_block(body)
    if not title:
        raise ValidationError("title", _("Write a few words here."))
    if not body:
        raise ValidationError("body", _("Write a few words here."))
    taken = db.session.scalar(select(ResponseTemplate.id).where(ResponseTemplate.agency_id == agency_id,
                                                                ResponseTemplate.title == title))
    if taken is not None and (template is None or taken != template.id):
        raise ValidationError("title", _("Another template has this title."))
    template = template or ResponseTemplate(agency_id=agency_id)
    template.title, template.body = title, body
    db.session.add(template)
    db.session.commit()
    return template


def delete_template(template: ResponseTemplate) -> None:
    db.session.delete(template)
    db.session.commit()


def fill(template: ResponseTemplate, submission, date_format) -> str:
    """The template's text with the submission's values in its placeholders."""
    name = submission.contact_name or ""
    values = {
        "xung_ho": _("Mr./Ms. %(name)s", name=name) if name else _("Dear submitter"),
        "ten": name,
        "ma_so": codes.display(submission.code),
        "tieu_de": submission.title,
        "can_cu": submission.legal_reference or "",
        "ngay_nhan": date_format(submission.received_at),
        "co_quan": submission.agency.name if submission.agency else "",
    }
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), template.body)
