"""Searching submissions, two ways that must not mix. The public (the published list, the
open data) searches only what the public can read: public_text, made by publication.py from
the title, the published content and the answers, personal data masked. The desk searches
the whole body, the sender's name, phone and e-mail, inside the queue it is already limited
to (what the person handles)."""
from dataclasses import dataclass

from sqlalchemy import or_, select

from app.common.text import clean_line, contains_text, search_key
from app.common.validators import normalize_mobile
from app.submissions import codes
from app.submissions.models import Submission

MAX_WORDS = 6


class PublicSort:
    NEWEST = "new"
    SUPPORTS = "supports"
    ALL = (NEWEST, SUPPORTS)


@dataclass
class PublicFilters:
    """What a reader of the public list (or of the open data) asked for; every field optional."""

    query: str = ""
    kind: str | None = None
    topic_id: int | None = None
    province_code: int | None = None
    status: str | None = None
    sort: str = PublicSort.NEWEST


def published():
    """The submissions the public may see: their senders agreed, and they were not merged
    into another (the original is the one to read, follow and support)."""
    return Submission.consent_publish.is_(True), Submission.merged_into_id.is_(None)


def public_conditions(filters: PublicFilters) -> list:
    """The filters as SQL: words of the public text (without diacritics, "chuyen doi so"
    finds "chuyển đổi số"), then the exact choices."""
    conditions = list(published())
    for word in search_key(filters.query).split()[:MAX_WORDS]:
        conditions.append(contains_text(Submission.public_text, word))
    for column, value in ((Submission.kind, filters.kind), (Submission.topic_id, filters.topic_id),
                          (Submission.province_code, filters.province_code), (Submission.status, filters.status)):
        if value is not None:
            conditions.append(column == value)
    return conditions


def public_query(filters: PublicFilters):
    """The public list's SELECT: newest first, or most supported first."""
    query = select(Submission).where(*public_conditions(filters))
    if filters.sort == PublicSort.SUPPORTS:
        return query.order_by(Submission.support_count.desc(), Submission.received_at.desc(), Submission.id.desc())
    return query.order_by(Submission.received_at.desc(), Submission.id.desc())


def desk_match(typed: str):
    """The desk's search, for a queue already limited to what the person handles: words of
    the body or the sender's name (without diacritics), a tracking code, or the sender's
    phone or e-mail exactly (an officer whose caller has no code)."""
    typed = clean_line(typed)
    conditions = [contains_text(Submission.search_text, search_key(typed))]
    code = codes.normalize(typed)
    if code.isascii() and code.isdigit():
        conditions.append(Submission.code == code)
    phone = normalize_mobile(typed)
    if phone:
        conditions.append(Submission.contact_phone == phone)
    if "@" in typed:
        conditions.append(Submission.contact_email == typed.lower())
    return or_(*conditions)
