"""Desk at scale: seed up to 1,000,000 submissions into PostgreSQL with COPY, and print the
desk queue's and the filtered search's response times (full requests through Flask,
rendering included) at 10k, 100k and 1M rows.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/gopy_bench_desk \\
        .venv/bin/python bench/desk_scale.py [--sizes 10000,100000,1000000]

The database is dropped and rebuilt: never point it at real data."""
import argparse
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="gopy-bench-"))

from sqlalchemy import select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts.models import User  # noqa: E402
from app.agencies.models import Agency  # noqa: E402
from app.common import places  # noqa: E402
from app.common.text import search_key  # noqa: E402
from app.config import Config  # noqa: E402
from app.extensions import db  # noqa: E402
from app.seeds.demo import SUBJECTS  # noqa: E402
from app.seeds.reference import RECEIVING_OFFICE, seed_reference  # noqa: E402
from app.submissions.codes import check_digit  # noqa: E402
from app.submissions.models import Topic  # noqa: E402
from app.submissions.states import Status  # noqa: E402

URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/gopy_bench_desk")
PASSWORD = "bench-password-2026"
STATUSES = [Status.RECEIVED] * 2 + [Status.ASSIGNED] * 2 + [Status.IN_PROGRESS] * 3 + [
    Status.AWAITING_INFO, Status.ANSWERED, Status.CLOSED, Status.CLOSED, Status.REJECTED]
COLUMNS = ("code", "private_token_hash", "idempotency_key", "kind", "topic_id", "province_code", "title", "content",
           "search_text", "contact_name", "contact_phone", "submitter_kind", "org_foreign", "locale", "consent_publish",
           "anonymous_public", "status", "agency_id", "assignee_id", "due_date", "received_at", "updated_at",
           "version")


class BenchConfig(Config):
    SQLALCHEMY_DATABASE_URI = URL
    RATELIMIT_ENABLED = False
    WTF_CSRF_ENABLED = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


def rebuild(app) -> None:
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_reference()
        for email, role, agency in (("coord@bench.vn", "coordinator", RECEIVING_OFFICE), ("officer@bench.vn",
                                                                                          "officer", "BKHCN")):
            user = User(email=email, full_name=email, role=role,
                        agency_id=db.session.scalar(select(Agency.id).where(Agency.code == agency)))
            user.set_password(PASSWORD, BenchConfig.PASSWORD_HASH_METHOD)
            db.session.add(user)
        db.session.commit()


def seed(app, start: int, stop: int, rng: random.Random) -> None:
    """COPY rows start..stop-1 in one stream: a million rows in a few minutes."""
    with app.app_context():
        topics = db.session.scalars(select(Topic.id)).all()
        agencies = db.session.scalars(select(Agency.id)).all()
        officer = db.session.scalar(select(User.id).where(User.email == "officer@bench.vn"))
        provinces = [code for code, _name in places.provinces()]
        raw = db.engine.raw_connection()
        try:
            with raw.cursor() as cursor, cursor.copy(f"COPY submission ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for i in range(start, stop):
                    copy.write_row(_row(i, rng, topics, agencies, officer, provinces))
            raw.commit()
        finally:
            raw.close()
        db.session.execute(text("ANALYZE submission"))
        db.session.commit()


def _row(i, rng, topics, agencies, officer, provinces):
    title, content = rng.choice(SUBJECTS)
    content = f"{content} (Ý kiến số {i}.)"
    status = rng.choice(STATUSES)
    received = datetime(2026, 1, 1) + timedelta(minutes=rng.randrange(460 * 24 * 60))
    routed = status != Status.RECEIVED and status != Status.REJECTED
    body = f"{100000000 + i:09d}"
    return (body + check_digit(body), hashlib.sha256(f"t{i}".encode()).hexdigest(),
            hashlib.md5(f"k{i}".encode()).hexdigest(), rng.choice(("concern", "policy", "initiative")),
            rng.choice(topics), rng.choice(provinces) if rng.random() < 0.8 else None, title, content,
            search_key(f"{title} {content}"), "Nguyễn Văn Thử", f"09{rng.randrange(10**8):08d}", "individual", False,
            "vi", True, False, status, rng.choice(agencies) if routed else None,
            officer if routed and rng.random() < 0.05 else None,
            received.date() + timedelta(days=rng.randint(3, 30)) if status in Status.OPEN else None,
            received, received, 1)


def measure(app) -> dict[str, float]:
    """Median of 5 full requests per scenario, in milliseconds."""
    scenarios = {
        "coordinator queue, page 1 (due first)": ("coord@bench.vn", "/can-bo"),
        "coordinator queue, page 200": ("coord@bench.vn", "/can-bo?page=200"),
        "agency queue, page 1": ("officer@bench.vn", "/can-bo"),
        "agency queue, overdue": ("officer@bench.vn", "/can-bo?due=overdue"),
        "search 'chuyen doi so', status in progress": ("coord@bench.vn", "/can-bo?q=chuyen+doi+so&status=in_progress"),
        "search 'song di dong yeu' + province + newest": ("coord@bench.vn",
                                                          "/can-bo?q=song+di+dong+yeu&province=1&sort=new"),
        "agency search 'dinh danh dien tu'": ("officer@bench.vn", "/can-bo?q=dinh+danh+dien+tu"),
    }
    results = {}
    clients = {}
    for name, (email, url) in scenarios.items():
        client = clients.get(email) or _signed_in(app, email)
        clients[email] = client
        client.get(url)  # warm the caches once
        times = []
        for _ in range(5):
            began = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        results[name] = statistics.median(times)
    return results


def _signed_in(app, email):
    client = app.test_client()
    response = client.post("/dang-nhap", data={"identifier": email, "password": PASSWORD})
    assert response.status_code == 303, "bench sign-in failed"
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--reuse", action="store_true", help="measure the rows already seeded, seed nothing")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    app = create_app(BenchConfig)
    if args.reuse:
        with app.app_context():
            size = db.session.scalar(text("SELECT count(*) FROM submission"))
        report({size: measure(app)}, [size])
        return
    rebuild(app)
    rng, seeded, table = random.Random(2026), 0, {}
    for size in sizes:
        began = time.perf_counter()
        seed(app, seeded, size, rng)
        print(f"seeded {size:,} rows (+{size - seeded:,} in {time.perf_counter() - began:.1f} s)", flush=True)
        seeded = size
        table[size] = measure(app)
    report(table, sizes)


def report(table: dict, sizes: list[int]) -> None:
    names = list(next(iter(table.values())))
    print(f"\n{'median response, ms':52}" + "".join(f"{size:>12,}" for size in sizes))
    for name in names:
        print(f"{name:52}" + "".join(f"{table[size][name]:>12.1f}" for size in sizes))


if __name__ == "__main__":
    main()
