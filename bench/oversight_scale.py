"""Public oversight at scale: seed up to 1,000,000 submissions (with their events and ratings)
into PostgreSQL with COPY, then at each size print
- the statistics refresh (`flask stats refresh`): seconds;
- /thong-ke, the scorecard and a filtered view: the median of 5 full requests through Flask
  (rendering included) and the SQL statements each made, once the snapshot exists, and the
  first (cold) view of a filter after a refresh;
- the open-data export of every published submission (/du-lieu-mo/gop-y.csv), downloaded
  from gunicorn (one sync worker, as in production): rows, bytes, seconds, and the worker's
  resident memory before the request and at its peak while streaming.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/gopy_bench_stats \\
        .venv/bin/python -m bench.oversight_scale [--sizes 10000,1000000] [--reuse]

The database is dropped and rebuilt: never point it at real data. Times are figures to read,
never pass/fail (the load average is printed beside them)."""
import argparse
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="gopy-bench-"))

from sqlalchemy import event, func, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.agencies.models import Agency  # noqa: E402
from app.common import places  # noqa: E402
from app.common.text import search_key  # noqa: E402
from app.config import Config  # noqa: E402
from app.extensions import db  # noqa: E402
from app.seeds.demo import SUBJECTS  # noqa: E402
from app.seeds.reference import seed_reference  # noqa: E402
from app.submissions.codes import check_digit  # noqa: E402
from app.submissions.models import Submission, Topic  # noqa: E402
from app.submissions.states import Kind, Status  # noqa: E402

URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/gopy_bench_stats")
SUBMISSION = ("id", "code", "private_token_hash", "idempotency_key", "kind", "topic_id", "province_code", "title",
              "content", "search_text", "public_text", "title_key", "contact_name", "contact_phone", "submitter_kind",
              "org_foreign", "locale", "consent_publish", "anonymous_public", "status", "agency_id", "due_date",
              "received_at", "updated_at", "answered_at", "closed_at", "version", "support_count")
EVENT = ("submission_id", "action", "from_status", "to_status", "agency_id", "public_note", "is_public", "created_at")
ANSWER = "Cơ quan đã trả lời: kiến nghị được ghi nhận và đưa vào kế hoạch sửa đổi."
STATUSES = [Status.RECEIVED] * 2 + [Status.ASSIGNED] * 2 + [Status.IN_PROGRESS] * 3 + [
    Status.AWAITING_INFO, Status.ANSWERED, Status.ANSWERED, Status.CLOSED, Status.CLOSED, Status.REJECTED,
    Status.REOPENED]
PAGES = {
    "/thong-ke (last 12 months)": "/thong-ke",
    "/thong-ke, all time, concern, Hà Nội": "/thong-ke?period=all&kind=concern&province=1",
    "/thong-ke/co-quan (scorecard)": "/thong-ke/co-quan?sort=on_time",
}


class BenchConfig(Config):
    SQLALCHEMY_DATABASE_URI = URL
    RATELIMIT_ENABLED = False
    WTF_CSRF_ENABLED = False


def rebuild(app) -> None:
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_reference()


CHUNK = 50_000


def seed(app, start: int, stop: int, rng: random.Random) -> None:
    """COPY submissions start..stop-1, then their events and ratings, a chunk at a time."""
    with app.app_context():
        topics = db.session.scalars(select(Topic.id).where(Topic.parent_id.is_not(None))).all()
        agencies = db.session.scalars(select(Agency.id)).all()
        provinces = [code for code, _name in places.provinces()]
        subjects = [(title, content, search_key(f"{title} {content}"), search_key(title)) for title, content in
                    SUBJECTS]
        raw = db.engine.raw_connection()
        try:
            with raw.cursor() as cursor:
                for first in range(start, stop, CHUNK):
                    rows, events, ratings = [], [], []
                    for number in range(first, min(first + CHUNK, stop)):
                        row, steps, stars = _submission(number + 1, rng, subjects, topics, agencies, provinces)
                        rows.append(row)
                        events.extend(steps)
                        if stars:
                            ratings.append((number + 1, stars, row[SUBMISSION.index("received_at")]))
                    for table, columns, data in (("submission", SUBMISSION, rows), ("submission_event", EVENT, events),
                                                 ("rating", ("submission_id", "stars", "created_at"), ratings)):
                        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                            for item in data:
                                copy.write_row(item)
            raw.commit()
        finally:
            raw.close()
        for table in ("submission", "submission_event", "rating"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
            db.session.execute(text(f"ANALYZE {table}"))
        db.session.commit()


def _submission(sid: int, rng, subjects, topics, agencies, provinces):
    title, content, search, title_key = rng.choice(subjects)
    status = rng.choice(STATUSES)
    received = datetime(2025, 6, 1) + timedelta(minutes=rng.randrange(540 * 24 * 60))
    routed = status not in (Status.RECEIVED, Status.REJECTED)
    agency = rng.choice(agencies) if routed else None
    published = rng.random() < 0.7
    due = (received + timedelta(days=rng.randint(14, 30))).date() if routed else None
    answered = received + timedelta(days=rng.randint(2, 45)) if status in (
        Status.ANSWERED, Status.CLOSED, Status.REOPENED) else None
    closed = answered + timedelta(days=1) if status == Status.CLOSED else None
    body = f"{100000000 + sid:09d}"
    row = (sid, body + check_digit(body), hashlib.sha256(f"t{sid}".encode()).hexdigest(),
           hashlib.md5(f"k{sid}".encode()).hexdigest(), rng.choice(Kind.ALL), rng.choice(topics),
           rng.choice(provinces) if rng.random() < 0.85 else None, title, f"{content} (Ý kiến số {sid}.)",
           search, search + (" " + search_key(ANSWER) if answered else "") if published else "", title_key,
           "Nguyễn Văn Thử", f"09{rng.randrange(10**8):08d}", "individual", False, "vi", published,
           rng.random() < 0.3, status, agency, due, received, received, answered, closed, 1, 0)
    steps = [(sid, "submit", None, Status.RECEIVED, None, None, True, received)]
    if status == Status.REJECTED:
        steps.append((sid, "reject", Status.RECEIVED, Status.REJECTED, None, "Ngoài phạm vi.", True,
                      received + timedelta(days=1)))
    if routed:
        assigned = received + timedelta(hours=5)
        steps.append((sid, "assign", Status.RECEIVED, Status.ASSIGNED, agency, None, True, assigned))
    if answered:
        steps.append((sid, "answer", Status.IN_PROGRESS, Status.ANSWERED, agency, ANSWER, True, answered))
    if status == Status.REOPENED:
        reopened = answered + timedelta(days=2)
        steps.append((sid, "reopen", Status.ANSWERED, Status.REOPENED, agency, None, True, reopened))
    stars = rng.choice((None, None, 2, 4, 5)) if answered else None
    return row, steps, stars


def _statements(app, client, url: str) -> int:
    count = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: count.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(count)


def measure(app) -> dict:
    from app.stats.refresh import refresh

    results = {}
    with app.app_context():
        began = time.perf_counter()
        run = refresh()
        results["refresh (s)"] = round(time.perf_counter() - began, 1)
        results["submissions"] = run.submissions
    client = app.test_client()
    for name, url in PAGES.items():
        began = time.perf_counter()
        assert client.get(url).status_code == 200, url
        results[f"{name}: first view after a refresh (ms)"] = round((time.perf_counter() - began) * 1000, 1)
        times = []
        for _ in range(5):
            began = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, url
        results[f"{name}: snapshot view, median (ms)"] = round(statistics.median(times), 1)
        results[f"{name}: SQL statements a view"] = _statements(app, client, url)
    results.update({f"export: {key}": value for key, value in export_under_gunicorn().items()})
    return results


EXPORTS = {"submissions CSV": "/du-lieu-mo/gop-y.csv", "steps JSON Lines": "/du-lieu-mo/buoc-xu-ly.jsonl"}


def export_under_gunicorn() -> dict:
    """Each whole open-data file, downloaded from gunicorn with one sync worker (the
    production server), the worker's resident memory sampled while it streams."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": URL, "SECRET_KEY": "bench-" + "0" * 40}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "--timeout",
                               "900", "wsgi:app"], cwd=Path(__file__).resolve().parent.parent, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        worker = _worker_of(server.pid)
        _get(port, "/du-lieu-mo")  # warm: imports, templates, the first connection
        found = {"worker RSS before (MB)": _rss_mb(worker)}
        for name, path in EXPORTS.items():
            found.update({f"{name}: {key}": value for key, value in _download(port, path, worker).items()})
        found["worker VmHWM (MB)"] = _rss_mb(worker, "VmHWM:")
        return found
    finally:
        server.terminate()
        server.wait(timeout=30)


def _download(port: int, path: str, worker: int) -> dict:
    import http.client
    import threading

    peak, done = [0.0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _rss_mb(worker))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    began = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    connection.request("GET", path)
    response = connection.getresponse()
    size = lines = 0
    while chunk := response.read(1 << 16):
        size += len(chunk)
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - began
    done.set()
    sampler.join()
    rows = lines - 1 if path.endswith(".csv") else lines
    return {"rows": rows, "MB": round(size / 1e6, 1), "seconds": round(seconds, 1), "rows/s": round(rows / seconds),
            "worker peak RSS (MB)": peak[0]}


def _worker_of(master: int) -> int:
    for _ in range(300):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise SystemExit("gunicorn started no worker")


def _get(port: int, path: str) -> None:
    import http.client

    for _ in range(300):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", path)
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn never answered")


def _rss_mb(pid: int | str = "self", field: str = "VmRSS:") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--reuse", action="store_true", help="measure the rows already seeded, seed nothing")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    app = create_app(BenchConfig)
    if args.reuse:
        with app.app_context():
            size = db.session.scalar(select(func.count()).select_from(Submission))
        print(f"{size:,} submissions already seeded")
        print(json.dumps(measure(app), ensure_ascii=False, indent=1))
        return
    rebuild(app)
    rng, seeded, table = random.Random(2026), 0, {}
    for size in sizes:
        began = time.perf_counter()
        seed(app, seeded, size, rng)
        print(f"seeded {size:,} submissions (+{size - seeded:,} in {time.perf_counter() - began:.0f} s); "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        seeded = size
        table[size] = measure(app)
        print(json.dumps(table[size], ensure_ascii=False), flush=True)
    names = list(next(iter(table.values())))
    print(f"\n{'':62}" + "".join(f"{size:>14,}" for size in sizes))
    for name in names:
        print(f"{name:62}" + "".join(f"{table[size][name]:>14}" for size in sizes))


if __name__ == "__main__":
    main()
