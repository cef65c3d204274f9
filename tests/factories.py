"""Factories: valid objects with sensible defaults, overridden where a test cares."""
import io
import secrets
from datetime import timedelta

import pikepdf
from sqlalchemy import select

from app.accounts.models import AccountKind, User
from app.agencies.models import Agency
from app.common.roles import Role
from app.common.time import utcnow
from app.extensions import db
from app.forum.models import Badge
from app.submissions import intake
from app.submissions.models import Topic
from app.submissions.states import Kind

PASSWORD = "mat-khau-thu-2026"


def make_user(role: str = Role.CITIZEN, email: str | None = None, agency_code: str | None = None, **values) -> User:
    user = User(email=email or f"{secrets.token_hex(4)}@example.vn", full_name=values.pop("full_name",
                                                                                          "Nguyễn Văn Thử"),
                role=role, **values)
    if agency_code:
        user.agency = db.session.scalar(select(Agency).where(Agency.code == agency_code))
    user.set_password(PASSWORD, "pbkdf2:sha256:1000")
    db.session.add(user)
    db.session.commit()
    return user


def any_topic_id() -> int:
    return db.session.scalar(select(Topic.id).where(Topic.parent_id.is_not(None)).limit(1))


def submission_input(**values) -> intake.SubmissionInput:
    defaults = dict(
        idempotency_key=secrets.token_hex(16), kind=Kind.CONCERN, topic_id=any_topic_id(), province_code=None,
        ward_code=None, title="Sóng di động yếu tại thôn Nà Hang",
        content="Thôn chúng tôi không có sóng 4G ổn định, không làm được thủ tục trực tuyến.",
        contact_name="Lò Văn Thử", contact_phone="0912345678", consent_processing=True,
    )
    defaults.update(values)
    return intake.SubmissionInput(**defaults)


def make_submission(user=None, **values):
    submission, token = intake.submit_feedback(submission_input(**values), user=user)
    return submission, token


def agency_id(code: str) -> int:
    return db.session.scalar(select(Agency.id).where(Agency.code == code))


def make_staff(role: str, agency_code: str | None = None, **values) -> User:
    """A coordinator sits at the receiving office unless told otherwise."""
    from app.seeds.reference import RECEIVING_OFFICE

    if role == Role.COORDINATOR and agency_code is None:
        agency_code = RECEIVING_OFFICE
    return make_user(role, agency_code=agency_code, **values)


# The people the access sweep and `login_as` know, by the part they play. "other_officer" is
# an officer of another agency than the one a test's submission is assigned to (BKHCN).
ROLES = ("anonymous", "citizen", "organisation", "coordinator", "officer", "other_officer", "lead", "expert",
         "moderator", "admin")


def make_person(role: str, **values) -> User | None:
    """A new account playing `role` (one of ROLES); None for "anonymous"."""
    if role == "anonymous":
        return None
    if role == "organisation":
        return make_user(Role.CITIZEN, kind=AccountKind.ORGANISATION, org_name="Công ty Sông Hồng",
                         tax_code="0100109106", **values)
    if role in ("officer", "lead"):
        return make_staff(role, "BKHCN", **values)
    if role == "other_officer":
        return make_staff(Role.OFFICER, "BTC", **values)
    if role == "coordinator":
        return make_staff(Role.COORDINATOR, **values)
    if role == "expert":
        user = make_user(Role.CITIZEN, **values)
        db.session.add(Badge(user_id=user.id, kind="expert", label="PGS.TS., Viện Vật lý"))
        db.session.commit()
        return user
    if role not in Role.ALL:
        raise ValueError(f"no such role: {role}")
    return make_user(role, **values)


def pdf_bytes(text: str = "ho so dinh kem") -> bytes:
    """A small real PDF (uploads are rewritten by pikepdf, so a bare %PDF- header is refused)."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Subject"] = text
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


class Clock:
    """Compressed time for the outbox's back-off and scheduling: real time plus what the test adds."""

    def __init__(self):
        self.offset = timedelta()

    def __call__(self):
        return utcnow() + self.offset

    def advance(self, **delta):
        self.offset += timedelta(**delta)
