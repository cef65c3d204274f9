"""The public list of published submissions."""
from dataclasses import dataclass

from sqlalchemy import select

from app.common import paging
from app.common.paging import Page
from app.common.text import contains_text, search_key
from app.submissions.models import Submission


@dataclass
class PublicFilters:
    """What a reader of the public list asked for; every field optional."""

    query: str = ""
    kind: str | None = None
    topic_id: int | None = None
    province_code: int | None = None
    status: str | None = None


def public_submissions(filters: PublicFilters, page: int = 1, per_page: int = 20) -> Page:
    """Submissions whose senders agreed to publication, newest first, searchable without
    diacritics ("chuyen doi so" finds "chuyển đổi số")."""
    query = select(Submission).where(Submission.consent_publish.is_(True), Submission.merged_into_id.is_(None))
    for word in search_key(filters.query).split()[:6]:
        query = query.where(contains_text(Submission.search_text, word))
    for column, value in ((Submission.kind, filters.kind), (Submission.topic_id, filters.topic_id),
                          (Submission.province_code, filters.province_code), (Submission.status, filters.status)):
        if value is not None:
            query = query.where(column == value)
    query = query.order_by(Submission.received_at.desc(), Submission.id.desc())
    return paging.fetch(query, page, per_page)
