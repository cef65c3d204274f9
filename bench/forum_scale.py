"""Does a thread of 1,000 posts open as fast as one of 10? Times the first page (and the last)
of each through the whole Flask stack, and counts the SQL statements per request.

    python bench/forum_scale.py                       # a throw-away SQLite file
    DATABASE_URL=postgresql+psycopg://... python bench/forum_scale.py   # an EMPTY PostgreSQL database
"""
import faulthandler
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="gopy-bench-"))

from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402
from app.config import Config  # noqa: E402

faulthandler.register(signal.SIGUSR1, all_threads=True)  # kill -USR1 shows where a slow run is
SIZES = (10, 1000)
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))


class BenchConfig(Config):
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or f"sqlite:///{os.environ['INSTANCE_PATH']}/bench.sqlite3"
    RATELIMIT_ENABLED = False


def build(db) -> dict[int, int]:
    """One thread of each size, written the way the seeds write posts (rendered once, counted)."""
    from app.accounts.models import Role, User
    from app.forum.models import Board
    from app.seeds.demo import _forum_post, _forum_thread

    db.drop_all()  # the database is a throw-away one (see the docstring)
    db.create_all()
    author = User(email="bench@gopy.local", full_name="Người Đo Tốc Độ", role=Role.MODERATOR)
    board = Board(slug="do-toc-do", name="Đo tốc độ")
    db.session.add_all([author, board])
    db.session.flush()
    threads = {}
    for size in SIZES:
        thread = _forum_thread(board, author, f"Chủ đề {size} bài", "Bài mở đầu")
        for number in range(size - 1):
            _forum_post(thread, author, f"Ý kiến số {number + 1}: mở dữ liệu **giao thông** giúp [khởi nghiệp](https://example.vn).")
        threads[size] = thread.id
    db.session.commit()
    return threads


def measure(client, urls: list[str]) -> dict[str, tuple[float, float]]:
    """Requests in turn across the cases, so a busy moment on the machine hits them all alike."""
    times: dict[str, list[float]] = {url: [] for url in urls}
    for _ in range(ROUNDS):
        for url in urls:
            start = time.perf_counter()
            response = client.get(url)
            times[url].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
    return {url: (statistics.median(t), sorted(t)[int(len(t) * 0.95) - 1]) for url, t in times.items()}


def count_queries(app, db, client, url: str) -> int:
    counter = {"n": 0}

    def count(*_args):
        counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    client.get(url)
    event.remove(db.engine, "before_cursor_execute", count)
    return counter["n"]


def main() -> None:
    app = create_app(BenchConfig)
    from app.extensions import db

    with app.app_context():
        threads = build(db)
        client = app.test_client()
        print(f"database: {db.engine.dialect.name}, {ROUNDS} requests each, times in ms")
        print(f"{'thread':>14} {'page':>6} {'median':>8} {'p95':>8} {'queries':>8}")
        cases = []
        for size, thread_id in threads.items():
            last = (size - 1) // 10 + 1
            cases += [(size, page, f"/dien-dan/thao-luan/{thread_id}?page={page}") for page in sorted({1, last})]
        for _ in range(20):  # warm the template compiler and the database's caches for every case first
            for _size, _page, url in cases:
                client.get(url)
        results = measure(client, [url for _size, _page, url in cases])
        for size, page, url in cases:
            median, p95 = results[url]
            print(f"{size:>8} posts {page:>6} {median:>8.2f} {p95:>8.2f} {count_queries(app, db, client, url):>8}")
        db.session.remove()  # end the requests' read transaction, or DROP waits on its locks
        db.drop_all()


if __name__ == "__main__":
    main()
