"""Finding a submission: by its public tracking code, or by the submitter's private link."""
import hashlib
import hmac

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.submissions import codes
from app.submissions.models import Submission


def private_token(idempotency_key: str) -> str:
    """The submitter's private link, derived from the form's one-time key so that a retry
    of the same form can show the same link without the link being stored anywhere."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"private-link:" + idempotency_key.encode(), hashlib.sha256).hexdigest()[:40]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_by_token(token: str) -> Submission | None:
    if not token or len(token) != 40 or not all(c in "0123456789abcdef" for c in token):
        return None
    return db.session.scalar(select(Submission).where(Submission.private_token_hash == token_hash(token)))


def find_by_code(code: str) -> Submission | None:
    if not codes.is_valid(code):  # a typo, or junk that PostgreSQL would choke on (NUL)
        return None
    return db.session.scalar(select(Submission).where(Submission.code == code))


def find_by_typed_code(raw: str) -> Submission | None:
    """A code as a person typed, read aloud or copied it (spaces, dots, dashes)."""
    return find_by_code(codes.normalize(raw or ""))


def get(submission_id: int) -> Submission | None:
    return db.session.get(Submission, submission_id)
