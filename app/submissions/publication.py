"""What of a submission the public may see: nothing without the sender's consent; the sender
as they chose to appear (never a person's name or contact); and every published text with
personal data masked. The public page, the public search, the open data and the "is it one
of these?" hints all read it from here, so none can show more than another."""
from flask_babel import gettext as _

from app.common.text import redact_personal, search_key
from app.submissions.models import Submission

ANSWER = "answer"


class SenderKind:
    """How the sender appears in public (and in the open data's sender_kind column)."""

    ANONYMOUS = "anonymous"
    ORGANISATION = "organisation"
    INDIVIDUAL = "individual"


def is_published(submission: Submission) -> bool:
    return bool(submission.consent_publish)


def _known(submission) -> tuple[str, ...]:
    """The sender's own details, masked wherever they were typed into published text."""
    values = [submission.contact_name, submission.contact_phone, submission.contact_email, submission.tax_code]
    if submission.anonymous_public:
        values.append(submission.org_name)
    return tuple(value for value in values if value)


def redact(submission, text: str | None) -> str:
    return redact_personal(text or "", _known(submission))


def sender_kind(submission) -> str:
    if submission.anonymous_public:
        return SenderKind.ANONYMOUS
    if submission.submitter_kind == SenderKind.ORGANISATION and submission.org_name:
        return SenderKind.ORGANISATION
    return SenderKind.INDIVIDUAL


def organisation_name(submission) -> str | None:
    """An organisation speaks in its own name unless it asked to be anonymous; a person's
    name is never published (the privacy notice promises it)."""
    return submission.org_name if sender_kind(submission) == SenderKind.ORGANISATION else None


def public_sender(submission) -> str:
    kind = sender_kind(submission)
    if kind == SenderKind.ANONYMOUS:
        return _("Anonymous")
    if kind == SenderKind.ORGANISATION:
        return submission.org_name
    return _("A citizen")


def answers(submission) -> list[str]:
    """The published answers, oldest first (a reconsidered submission may have two)."""
    return [event.public_note for event in submission.events if event.action == ANSWER and event.public_note]


def public_text_of(submission, answer_texts: list[str]) -> str:
    """The public search key: title, content as published, legal reference, proposed
    change and answers, personal data masked; empty while unpublished."""
    if not submission.consent_publish:
        return ""
    parts = (submission.title, submission.content, submission.legal_reference, submission.proposed_change,
             *answer_texts)
    return search_key(redact(submission, " ".join(part for part in parts if part)))


def desk_text_of(submission) -> str:
    """The desk's search key: the whole body and the sender's name (phone and e-mail are
    matched exactly, see search.desk_match)."""
    parts = (submission.title, submission.content, submission.contact_name, submission.org_name)
    return search_key(" ".join(part for part in parts if part))


def title_key_of(submission) -> str:
    return search_key(redact(submission, submission.title))[:240]


def refresh_search(submission) -> None:
    """Recompute the search columns after the text, the consent or the answers changed."""
    submission.search_text = desk_text_of(submission)
    submission.public_text = public_text_of(submission, answers(submission))
    submission.title_key = title_key_of(submission)
