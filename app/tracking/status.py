"""What the status block of a submission shows: the same block on the public page, in the
lookup result and on the submitter's private page, each polled in place."""
from flask import url_for

from app.forum.services import discussions_of


def status_context(submission, token: str | None = None) -> dict:
    """The template's answers, decided here: with the private link (`token`) the submitter
    sees every public note; the public sees notes, the title and forum discussions only
    when the submitter agreed to publication."""
    published = submission.consent_publish
    return dict(
        submission=submission,
        show_notes=token is not None or published,
        show_title=published,
        discussions=discussions_of(submission),
        poll_url=url_for("tracking.private", token=token) if token else url_for("tracking.show", code=submission.code),
    )
