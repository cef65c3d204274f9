"""The public list, the public page of a published submission, and the submissions like the
one being typed."""
from dataclasses import dataclass
from datetime import datetime

from app.common import paging
from app.common.paging import Page
from app.extensions import db
from app.submissions import publication
from app.submissions.models import Submission
from app.submissions.search import PublicFilters, public_query


def public_submissions(filters: PublicFilters, page: int = 1, per_page: int = 20) -> Page:
    """Submissions whose senders agreed to publication, newest (or most supported) first,
    searched in what the public can read only."""
    return paging.fetch(public_query(filters), page, per_page)


@dataclass
class PublicStep:
    created_at: datetime
    action: str
    note: str


@dataclass
class PublicPage:
    """A published submission as the public reads it: personal data masked, the sender as
    they chose to appear."""

    submission: Submission
    title: str
    content: str
    legal_reference: str
    proposed_change: str
    sender: str
    answer: str
    steps: list[PublicStep]
    merged_into_code: str | None


def public_page(submission: Submission) -> PublicPage:
    answers = publication.answers(submission)
    original = db.session.get(Submission, submission.merged_into_id) if submission.merged_into_id else None
    return PublicPage(
        submission=submission,
        title=publication.redact(submission, submission.title),
        content=publication.redact(submission, submission.content),
        legal_reference=publication.redact(submission, submission.legal_reference),
        proposed_change=publication.redact(submission, submission.proposed_change),
        sender=publication.public_sender(submission),
        answer=publication.redact(submission, answers[-1]) if answers else "",
        steps=[PublicStep(event.created_at, event.action, publication.redact(submission, event.public_note))
               for event in submission.public_events],
        merged_into_code=original.code if original is not None else None,
    )
