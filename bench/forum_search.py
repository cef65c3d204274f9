"""Forum search at scale: seed posts (10 to a thread) into PostgreSQL with COPY, then time
/dien-dan/tim-kiem for a common phrase, a rare one and one that matches nothing, first without
the trigram indexes (as before migration 0014) and then with them, and print each query's plan.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/gopy_bench_forum \\
        .venv/bin/python -m bench.forum_search [--posts 1000000] [--reuse]

The database is dropped and rebuilt (unless --reuse): never point it at real data. Times are
figures to read, never pass/fail (the load average is printed beside them)."""
import argparse
import html
import json
import logging
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

from sqlalchemy import event, func, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.common.text import search_key  # noqa: E402
from app.config import Config  # noqa: E402
from app.extensions import db  # noqa: E402
from app.forum import services as forum  # noqa: E402
from app.forum.models import Board, Post  # noqa: E402

URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/gopy_bench_forum")
POSTS_PER_THREAD = 10
CHUNK = 50_000
PHRASES = [
    "sóng di động yếu ở thôn bản", "cổng dịch vụ công báo lỗi", "chữ ký số cho doanh nghiệp nhỏ",
    "học trực tuyến cho học sinh vùng cao", "dữ liệu mở về giao thông công cộng", "khoán chi đến sản phẩm cuối cùng",
    "quỹ phát triển khoa học và công nghệ", "sở hữu trí tuệ của viện nghiên cứu", "thanh toán không dùng tiền mặt",
    "an toàn thông tin cho cơ quan", "hồ sơ sức khoẻ điện tử", "định danh điện tử mức hai",
    "thủ tục cấp giấy phép", "hạ tầng viễn thông công ích", "kỹ năng số cho người cao tuổi",
]
COMMON = "chữ ký số"  # in about one post in fifteen
# "maso 4242" is in post 4242 and the ten (then hundred) posts numbered 42420-42429 ... .
QUERIES = {"common phrase": COMMON, "rare token": "maso 4242", "no match": "khong ai viet cum nay"}
POST = ("id", "thread_id", "author_id", "body_source", "body_html", "search_text", "status", "is_opening", "score",
        "created_at")
THREAD = ("id", "board_id", "author_id", "title", "search_text", "status", "locked", "pinned", "slow_mode_minutes",
          "post_count", "last_post_at", "created_at")
INDEXES = {"ix_forum_post_search_trgm": "forum_post", "ix_forum_thread_search_trgm": "forum_thread"}


class BenchConfig(Config):
    SQLALCHEMY_DATABASE_URI = URL
    RATELIMIT_ENABLED = False


def rebuild(app) -> None:
    with app.app_context():
        db.drop_all()
        db.create_all()
        from app.accounts.models import Role, User
        db.session.add(User(email="bench@gopy.local", full_name="Người Đo Tốc Độ", role=Role.MODERATOR))
        db.session.add(Board(slug="do-toc-do", name="Đo tốc độ"))
        db.session.commit()


def seed(app, posts: int) -> None:
    """COPY the threads and their posts, a chunk at a time; every post rendered as the forum would."""
    rng = random.Random(2026)
    start = datetime(2025, 1, 1)
    with app.app_context():
        author = db.session.scalar(text("SELECT id FROM \"user\" LIMIT 1"))
        board = db.session.scalar(select(Board.id))
        raw = db.engine.raw_connection()
        try:
            with raw.cursor() as cursor:
                for first in range(0, posts, CHUNK):
                    threads, rows = [], []
                    for number in range(first, min(first + CHUNK, posts)):
                        thread_id = number // POSTS_PER_THREAD + 1
                        at = start + timedelta(minutes=number)
                        body = " ".join(rng.sample(PHRASES, 3)) + f", maso {number}."
                        if number % POSTS_PER_THREAD == 0:
                            title = f"Chủ đề {thread_id}: {rng.choice(PHRASES)}"
                            threads.append((thread_id, board, author, title, search_key(title), "published", False,
                                            False, 0, POSTS_PER_THREAD, at + timedelta(minutes=9), at))
                        # One paragraph of plain text: what markup.render gives it, without its cost.
                        rows.append((number + 1, thread_id, author, body, f"<p>{html.escape(body)}</p>",
                                     search_key(body), "published", number % POSTS_PER_THREAD == 0, 0, at))
                    for table, columns, data in (("forum_thread", THREAD, threads), ("forum_post", POST, rows)):
                        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                            for item in data:
                                copy.write_row(item)
                    raw.commit()
        finally:
            raw.close()
        db.session.execute(text("UPDATE forum_board SET thread_count = (SELECT count(*) FROM forum_thread)"))
        for table in ("forum_thread", "forum_post"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
        db.session.commit()
        for table in ("forum_thread", "forum_post"):
            db.session.execute(text(f"ANALYZE {table}"))
        db.session.commit()


def drop_indexes(app) -> None:
    with app.app_context():
        for name in INDEXES:
            db.session.execute(text(f"DROP INDEX IF EXISTS {name}"))
        db.session.commit()


def create_indexes(app) -> float:
    """The statements of migration 0014; returns the seconds they took."""
    began = time.perf_counter()
    with app.app_context():
        for name, table in INDEXES.items():
            db.session.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin "
                                    "(search_text gin_trgm_ops)"))
        db.session.commit()
        for table in INDEXES.values():
            db.session.execute(text(f"ANALYZE {table}"))
        db.session.commit()
    return time.perf_counter() - began


def _statements(app, client, url: str) -> list[str]:
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    listener = lambda _conn, _cursor, sql, *args: seen.append(sql)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def plan(app, words: str) -> str:
    """The plan PostgreSQL picks for the search's query (the index names it uses, or Seq Scan)."""
    with app.test_request_context():
        query = forum.search_query(search_key(words))
        compiled = query.limit(forum.THREADS_PER_PAGE + 1).compile(db.engine, compile_kwargs={"literal_binds": True})
        lines = db.session.execute(text(f"EXPLAIN {compiled}")).scalars().all()
    used = sorted({name for line in lines for name in (*INDEXES, "Seq Scan on forum_post") if name in line})
    return ", ".join(used) or "other"


def measure(app, label: str) -> dict:
    client = app.test_client()
    results = {}
    for name, words in QUERIES.items():
        for page in (1, 3):
            url = f"/dien-dan/tim-kiem?q={words.replace(' ', '+')}&page={page}"
            assert client.get(url).status_code == 200, url
            times = []
            for _ in range(5):
                began = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - began) * 1000)
            found = response.get_data(as_text=True).count("/dien-dan/thao-luan/")
            results[f"{label}: {name}, page {page}: median ms"] = round(statistics.median(times), 1)
            results[f"{label}: {name}, page {page}: threads shown"] = found
        statements = _statements(app, client, f"/dien-dan/tim-kiem?q={words.replace(' ', '+')}")
        results[f"{label}: {name}: SQL statements (COUNT among them)"] = (
            f"{len(statements)} ({sum('count(' in sql.lower() for sql in statements)})")
        results[f"{label}: {name}: plan uses"] = plan(app, words)
    return results


def main() -> None:
    logging.getLogger("gopy.access").setLevel(logging.WARNING)  # a line a request would bury the figures
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="measure the rows already seeded, seed nothing")
    args = parser.parse_args()
    app = create_app(BenchConfig)
    if not args.reuse:
        rebuild(app)
        began = time.perf_counter()
        seed(app, args.posts)
        print(f"seeded {args.posts:,} posts in {time.perf_counter() - began:.0f} s", flush=True)
    with app.app_context():
        posts = db.session.scalar(select(func.count()).select_from(Post))
    print(f"{posts:,} posts; load average {os.getloadavg()[0]:.1f}", flush=True)
    drop_indexes(app)
    results = measure(app, "no index")
    print(json.dumps(results, ensure_ascii=False, indent=1), flush=True)
    seconds = create_indexes(app)
    print(f"trigram indexes built in {seconds:.0f} s; load average {os.getloadavg()[0]:.1f}", flush=True)
    indexed = measure(app, "trigram")
    print(json.dumps(indexed, ensure_ascii=False, indent=1), flush=True)


if __name__ == "__main__":
    main()
