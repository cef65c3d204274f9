"""Bulk seeding for the benchmark: realistic Vietnamese submissions across all 34 provinces
and every status, written with multi-row INSERTs in batches (the per-submission service in
app/seeds/demo.py takes minutes for what this writes in seconds). Never on production."""
import hashlib
import hmac
import random
import secrets
import time
from datetime import timedelta

from sqlalchemy import func, insert, select

from app.accounts.models import AccountKind, Organisation, OrganisationStatus, User
from app.agencies.models import Agency
from app.common import places
from app.common.text import search_key
from app.common.time import utcnow
from app.extensions import db
from app.seeds.demo import FAMILY_NAMES, GIVEN_NAMES, STATUS_MIX, SUBJECTS
from app.seeds.reference import RECEIVING_OFFICE
from app.submissions import codes
from app.submissions.models import Consent, Submission, SubmissionEvent, Topic
from app.submissions.states import Kind, Status
from bench.pages import SUBMITTER

BATCH = 5_000
BENCH_PASSWORD = "gopy-bench-2026"
HEAVY_EMAIL = "doanhnghiep-bench@gopy.local"  # an organisation that sends 1% of everything
LIGHT_EMAIL = "congdan-bench@gopy.local"  # a citizen with a handful of submissions
PLACES = ["thôn Nà Hang", "bản Lũng Cú", "tổ dân phố số 5", "ấp Tân Hòa", "khu phố 3", "xóm Đồng Tâm"]
ANSWER = "Cơ quan đã trả lời: kiến nghị được ghi nhận và đưa vào kế hoạch sửa đổi."
REJECT = "Nội dung không thuộc phạm vi tiếp nhận của hệ thống."
STEPS = {
    Status.RECEIVED: [],
    Status.REJECTED: [("reject", Status.REJECTED)],
    Status.ASSIGNED: [("assign", Status.ASSIGNED)],
    Status.IN_PROGRESS: [("assign", Status.ASSIGNED), ("start", Status.IN_PROGRESS)],
    Status.AWAITING_INFO: [("assign", Status.ASSIGNED), ("start", Status.IN_PROGRESS),
                           ("request_info", Status.AWAITING_INFO)],
    Status.ANSWERED: [("assign", Status.ASSIGNED), ("start", Status.IN_PROGRESS), ("answer", Status.ANSWERED)],
    Status.CLOSED: [("assign", Status.ASSIGNED), ("start", Status.IN_PROGRESS), ("answer", Status.ANSWERED),
                    ("close", Status.CLOSED)],
    Status.REOPENED: [("assign", Status.ASSIGNED), ("start", Status.IN_PROGRESS), ("answer", Status.ANSWERED),
                      ("reopen", Status.REOPENED)],
}


ANSWER_KEY = " " + search_key(ANSWER)
STEP_ACTIONS = {status: {action for action, _target in steps} for status, steps in STEPS.items()}


def bench_users() -> tuple[User, User]:
    """The two accounts whose 'my submissions' page the benchmark reads (made once)."""
    users = []
    for email, name, kind, org in ((HEAVY_EMAIL, "Vũ Thị Doanh", AccountKind.ORGANISATION,
                                    "Công ty Cổ phần Số Sông Hồng"),
                                   (LIGHT_EMAIL, "Hoàng Văn Dân", AccountKind.INDIVIDUAL, None)):
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, full_name=name, kind=kind, org_name=org, tax_code="0100109106" if org else None,
                        email_verified_at=utcnow())
            user.set_password(BENCH_PASSWORD)
            db.session.add(user)
            db.session.commit()
        users.append(user)
    return users[0], users[1]


def login_email(login: str) -> str:
    """The account that fetches the pages bench.pages marks `login`: the heavy submitter, or a
    staff account playing that role (officers and leads in BKHCN), made once, with
    BENCH_PASSWORD."""
    if login == SUBMITTER:
        return bench_users()[0].email
    email = f"{login}-bench@gopy.local"
    if db.session.scalar(select(User.id).where(User.email == email)) is None:
        agency = "BKHCN" if login in ("officer", "lead") else RECEIVING_OFFICE if login == "coordinator" else None
        user = User(email=email, full_name=f"Cán Bộ {login.title()}", role=login, email_verified_at=utcnow(),
                    agency_id=db.session.scalar(select(Agency.id).where(Agency.code == agency)) if agency else None)
        user.set_password(BENCH_PASSWORD)
        db.session.add(user)
        db.session.commit()
    return email


def bench_organisation() -> int:
    """The id of the verified organisation the heavy submitter owns (made once)."""
    owner = bench_users()[0]
    found = db.session.scalar(select(Organisation.id).where(Organisation.owner_id == owner.id))
    if found is None:
        organisation = Organisation(owner_id=owner.id, name=owner.org_name, tax_code=owner.tax_code,
                                    status=OrganisationStatus.VERIFIED, verified_by="administrator")
        db.session.add(organisation)
        db.session.commit()
        found = organisation.id
    return found


def private_token(secret_key: str, idempotency_key: str) -> str:
    """The same derivation as feedback.services.private_token, without a request."""
    return hmac.new(secret_key.encode(), b"private-link:" + idempotency_key.encode(), hashlib.sha256).hexdigest()[:40]


def count_submissions() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission))


def seed_submissions(target: int, secret_key: str, seed: int = 2026, progress=print) -> dict:
    """Add submissions until there are `target`; returns what the benchmark needs to find
    them again: a few codes, the idempotency key of one, and the timing."""
    start, have = time.perf_counter(), count_submissions()
    rng = random.Random(seed + have)
    heavy, light = bench_users()
    topics = db.session.scalars(select(Topic.id).where(Topic.parent_id.is_not(None))).all()
    agencies = db.session.scalars(select(Agency.id)).all()
    provinces = places.provinces()
    wards = {code: places.wards(code) for code, _name in provinces}
    subjects = [(title, content, search_key(f"{title} {content}")) for title, content in SUBJECTS]
    used = set(db.session.scalars(select(Submission.code)))
    next_id = (db.session.scalar(select(func.max(Submission.id))) or 0) + 1
    now = utcnow()
    made = 0
    while have + made < target:
        size = min(BATCH, target - have - made)
        submissions, events, consents = [], [], []
        for _ in range(size):
            sid, index = next_id, have + made
            next_id += 1
            made += 1
            code = codes.new_code()
            while code in used:
                code = codes.new_code()
            used.add(code)
            key = secrets.token_hex(16)
            title, content, search = rng.choice(subjects)
            place = rng.choice(PLACES)
            province_code, _name = rng.choice(provinces)
            national = rng.random() < 0.15
            ward = rng.choice(wards[province_code])[0] if not national and wards[province_code] else None
            status = rng.choice(STATUS_MIX)
            received = now - timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 1440))
            owner = heavy.id if index % 100 == 0 else light.id if index % 20_000 == 1 else None
            publish = rng.random() < 0.7
            assigned = status not in (Status.RECEIVED, Status.REJECTED)
            submissions.append(dict(
                id=sid, code=code, private_token_hash=hashlib.sha256(private_token(secret_key,
                                                                                   key).encode()).hexdigest(),
                idempotency_key=key, kind=rng.choice(Kind.ALL), topic_id=rng.choice(topics),
                province_code=None if national else province_code, ward_code=ward,
                title=f"{title} ({place})", content=f"{content} Địa điểm: {place}. (Ý kiến số {index + 1}.)",
                search_text=search, user_id=owner,
                # What publication.refresh_search writes: the public words (and the answer's),
                # and the title's key for "is it one of these?".
                public_text=f"{search} {search_key(place)}{ANSWER_KEY if 'answer' in STEP_ACTIONS[status] else ''}"
                if publish else "", title_key=search_key(f"{title} ({place})"),
                contact_name=f"{rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}",
                contact_phone=f"09{rng.randrange(10**8):08d}", contact_email=None,
                submitter_kind=AccountKind.ORGANISATION if owner == heavy.id else AccountKind.INDIVIDUAL,
                org_name=heavy.org_name if owner == heavy.id else None, org_foreign=False, locale="vi",
                consent_publish=publish, anonymous_public=rng.random() < 0.3, status=status,
                agency_id=rng.choice(agencies) if assigned else None,
                due_date=(received + timedelta(days=14)).date() if assigned else None,
                received_at=received, updated_at=received, version=1,
                closed_at=received + timedelta(days=5) if status == Status.CLOSED else None,
            ))
            events.append(dict(submission_id=sid, action="submit", from_status=None, to_status=Status.RECEIVED,
                               is_public=True, created_at=received, public_note=None))
            previous = Status.RECEIVED
            for day, (action, to_status) in enumerate(STEPS[status], start=1):
                note = ANSWER if action == "answer" else REJECT if action == "reject" else None
                events.append(dict(submission_id=sid, action=action, from_status=previous, to_status=to_status,
                                   is_public=True, created_at=received + timedelta(days=day), public_note=note))
                previous = to_status
            for purpose, granted in (("processing", True), ("publish", publish)):
                consents.append(dict(submission_id=sid, purpose=purpose, granted=granted, notice_version="2026-01",
                                     recorded_at=received))
        db.session.execute(insert(Submission.__table__), submissions)
        db.session.execute(insert(SubmissionEvent.__table__), events)
        db.session.execute(insert(Consent.__table__), consents)
        db.session.commit()
        if progress and (have + made) % 50_000 < BATCH:
            progress(f"  seeded {have + made:,} submissions ({time.perf_counter() - start:.0f} s)")
    _fix_sequences()
    return {"added": made, "total": have + made, "seconds": round(time.perf_counter() - start, 1)}


def _fix_sequences() -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move them past the data."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("submission", "submission_event", "consent"):
        db.session.execute(db.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"))
    db.session.commit()


def sample(count: int = 50, seed: int = 7) -> list[dict]:
    """A spread of existing submissions (code, key) for the lookups and the private page."""
    total = count_submissions()
    rng = random.Random(seed)
    ids = sorted({rng.randint(1, total) for _ in range(count * 2)})[:count]
    rows = db.session.execute(select(Submission.code, Submission.idempotency_key, Submission.consent_publish)
                              .where(Submission.id.in_(ids)))
    return [{"code": code, "key": key, "published": published} for code, key, published in rows]
