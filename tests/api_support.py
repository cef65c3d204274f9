"""Helpers for the API's tests: tokens of every kind, and cases routed to an agency."""
from datetime import timedelta

from app.api import tokens
from app.api.tokens import Scope
from app.common.roles import Role
from app.common.time import utcnow
from app.extensions import db
from app.submissions import workflow
from tests.factories import agency_id, make_staff, make_submission


def make_token(*scopes: str, agency: str | None = None, role: str = Role.OFFICER, acting=None,
               rate_limit: int = 600) -> tuple:
    """A token and its value; one with an agency acts as an officer (or `role`) of it."""
    if agency and acting is None:
        acting = make_staff(role, agency)
    request = tokens.TokenRequest(name=f"Hệ thống {agency or 'đối tác'}", scopes=list(scopes or [Scope.READ_PUBLIC]),
                                  contact_email="it@example.vn", days=30,
                                  agency_id=agency_id(agency) if agency else None,
                                  acting_user_id=acting.id if acting else None, rate_limit=rate_limit)
    return tokens.issue(request)


def bearer(value: str) -> dict:
    return {"Authorization": f"Bearer {value}"}


def expire(token) -> None:
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def routed_case(agency: str = "BKHCN", **values):
    """A submission the receiving office has assigned to `agency`, and its private token."""
    coordinator = make_staff(Role.COORDINATOR)
    submission, token = make_submission(**values)
    workflow.assign(submission, coordinator, submission.version, agency_id(agency))
    return submission, token
