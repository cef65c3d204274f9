"""The public list, the public page of a published submission, and the submissions like the
one being typed; a submission filed by staff for a resident, and its printed receipt."""
from dataclasses import dataclass, replace
from datetime import datetime

import segno
from flask_babel import force_locale
from flask_babel import gettext as _

from app.accounts.models import User
from app.common import paging
from app.common.paging import Page
from app.common.text import sms_text
from app.extensions import db
from app.notify import services as notify
from app.notify.models import Channel
from app.submissions import codes, intake, publication
from app.submissions.models import Submission
from app.submissions.search import PublicFilters, public_query
from app.submissions.states import ConsentMethod


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


# Assisted intake: staff at the commune's one-stop counter or on the hotline file for a resident.

# The QR code on a printed receipt: medium error correction survives a crumpled paper; at
# scale 3 a 10-digit lookup link is about 3 cm wide, small beside the code in large print.
QR_ERROR, QR_SCALE, QR_BORDER = "m", 3, 2


def file_for_resident(data: intake.SubmissionInput, files, staff) -> Submission:
    """File the resident's submission through the core: the resident is the submitter (no
    account), their consent recorded as given in person by `staff`; when they gave a mobile
    number, the receipt goes to it by SMS. A retried form files nothing twice."""
    retry = intake.already_received(data.idempotency_key)
    data = replace(data, consent_method=ConsentMethod.IN_PERSON, consent_recorded_by_id=staff.id)
    submission, _token = intake.submit_feedback(data, files)
    if submission.contact_phone and not retry:
        with force_locale("vi"):
            text = receipt_sms(submission.code)
        notify.enqueue(Channel.SMS, submission.contact_phone, text, submission_id=submission.id)
        db.session.commit()
    return submission


def receipt_sms(code: str) -> str:
    """The receipt by SMS, code first: one 160-character message without diacritics."""
    return sms_text(_("Gop Y: your feedback was received, code %(code)s. Follow it at %(url)s",
                      code=codes.display(code), url=lookup_url(code)))


def lookup_url(code: str) -> str:
    """The public tracking page of a code: what the printed QR code and the SMS point to."""
    return notify.public_url("tracking.show", code=code)


def qr_svg(url: str, title: str) -> str:
    """The QR code of `url` as inline SVG, drawn on the server (no script, no image request)."""
    return segno.make(url, error=QR_ERROR).svg_inline(scale=QR_SCALE, border=QR_BORDER, title=title,
                                                      svgclass="app-receipt__qr", lineclass=None)


def processing_consent(submission: Submission):
    """The consent to processing: how it was given, when, and who recorded it."""
    consent = next((c for c in submission.consents if c.purpose == "processing"), None)
    recorder = db.session.get(User, consent.recorded_by_id) if consent and consent.recorded_by_id else None
    return consent, recorder
