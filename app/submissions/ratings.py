"""The submitter's rating of the answer: once, and only once an answer exists."""
from flask_babel import gettext as _
from sqlalchemy import select

from app.common.errors import ValidationError
from app.common.text import clean_block
from app.extensions import db
from app.submissions.models import Rating
from app.submissions.states import Status


def rating_of(submission) -> Rating | None:
    return db.session.scalar(select(Rating).where(Rating.submission_id == submission.id))


def can_rate(submission) -> bool:
    return submission.status in Status.RATEABLE and rating_of(submission) is None


def rate_answer(submission, stars: int, comment: str | None) -> Rating:
    if not can_rate(submission):
        raise ValidationError("stars", _("This answer cannot be rated now."))
    rating = Rating(submission_id=submission.id, stars=stars, comment=clean_block(comment or "") or None)
    db.session.add(rating)
    db.session.commit()
    return rating
