"""`make bench`: seed, serve with gunicorn as in production, measure bytes and speed, on
SQLite and PostgreSQL; print tables and write the same figures to bench-results/*.json.

    python -m bench.run            full run: 10k, 100k and 1M submissions
    python -m bench.run --quick    ~5,000 submissions, short load runs

Times are figures to read, never pass/fail. Budgets on bytes are kept by tests/test_budgets.py.
"""
import argparse
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results"
WORKDIR = Path(tempfile.mkdtemp(prefix="gopy-bench-"))
os.environ["INSTANCE_PATH"] = str(WORKDIR)  # before the app is imported: Config reads it once
os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))
sys.path.insert(0, str(ROOT))

from bench import pages as page_table  # noqa: E402
from bench.pages import ALL, HTMX_HEADERS  # noqa: E402

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = os.environ.get("BENCH_PG_DATABASE", "gopy_bench_run")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
WORKERS = 2
BROWSER_HEADERS = {"Accept-Encoding": "gzip, deflate, br", "Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5",
                   "Accept": "text/html,application/xhtml+xml"}
# One client IP makes every request here; the production limits would throttle it within a
# second. The limiter still runs, with its Redis round trip, on every lookup and login.
SERVER_ENV = {"TRACKING_LOOKUP_LIMIT": "10000000 per minute", "LOGIN_LIMIT": "10000000 per minute",
              "REDIS_URL": REDIS_URL}
os.environ.update(SERVER_ENV)  # the in-process app (seeding, CPU figures) is configured alike


def main() -> None:
    args = _arguments()
    started = datetime.now(UTC)
    results = {"started": started.isoformat(timespec="seconds"), "mode": "quick" if args.quick else "full",
               "machine": machine(), "settings": vars(args), "bytes": None, "databases": {}}
    print(f"Góp Ý benchmark ({results['mode']}), {results['started']}")
    print(_machine_line(results["machine"]) + f"; load average now {loadavg()} (other work on the machine skews req/s)")
    print(f"gunicorn -w {WORKERS} wsgi:app (sync workers), load from wrk -t1 -c{args.connections}, "
          f"{args.duration:g} s per endpoint; sizes {', '.join(f'{s:,}' for s in args.sizes)}; work dir {WORKDIR}")
    try:
        for kind in args.databases:
            results["databases"][kind] = run_database(kind, args, results)
    finally:
        path = write(results, started)
        shutil.rmtree(WORKDIR, ignore_errors=True)
    print_growth(results)
    print(f"\nFigures written to {path.relative_to(ROOT)}")


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", default=os.environ.get("QUICK") == "1")
    parser.add_argument("--sizes", help="comma-separated submission counts, e.g. 10000,100000,1000000")
    parser.add_argument("--main-size", type=int, help="the size at which every page is load-tested")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--duration", type=float, help="seconds of wrk load per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    default_sizes = "1000,5000" if args.quick else "10000,100000,1000000"
    args.sizes = [int(s) for s in (args.sizes or default_sizes).split(",")]
    args.main_size = args.main_size or (5000 if args.quick else 100_000)
    if args.main_size not in args.sizes:
        args.sizes = sorted(set(args.sizes) | {args.main_size})
    args.duration = args.duration or (3.0 if args.quick else 10.0)
    args.databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    return args


def machine() -> dict:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    return {"cpus": os.cpu_count(), "cpu_model": cpu, "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "kernel": platform.release(), "python": platform.python_version(),
            "commit": _git("rev-parse", "--short", "HEAD"), "branch": _git("rev-parse", "--abbrev-ref", "HEAD")}


def _git(*args) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        return ""


def _machine_line(m: dict) -> str:
    return (f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gb']} GB RAM, Linux {m['kernel']}, "
            f"Python {m['python']}, commit {m['commit']} on {m['branch']}")


# --- databases -----------------------------------------------------------------------------

def database_url(kind: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{WORKDIR / 'bench.sqlite3'}"
    if kind == "postgresql":
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
        return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_DATABASE
    raise SystemExit(f"unknown database {kind}: use sqlite or postgresql")


def make_app(url: str):
    from app import create_app
    from app.config import Config, _database_url

    os.environ["DATABASE_URL"] = url
    return create_app(type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": _database_url()}))


def run_database(kind: str, args, results: dict) -> dict:
    from flask_migrate import upgrade

    from app.extensions import db
    from app.seeds.reference import seed_reference
    from bench import seed

    print(f"\n=== {kind} ===")
    url = database_url(kind)
    app = make_app(url)
    out = {"url": url.split("@")[-1], "seeding": [], "growth": [], "load": []}
    with app.app_context():
        upgrade()
        seed_reference()
        _flush_redis()
        server = Server(url)
        try:
            for size in args.sizes:
                step = seed.seed_submissions(size, os.environ["SECRET_KEY"])
                if kind == "postgresql":
                    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                        conn.exec_driver_sql("VACUUM ANALYZE")
                out["seeding"].append(step)
                print(f"seeded {step['total']:,} submissions (+{step['added']:,} in {step['seconds']} s); "
                      f"database {database_size(kind, url)}")
                samples = seed.sample(200)
                server.start()
                fixtures = Fixtures(server, samples)
                out["growth"].append(measure_growth(server, fixtures, size, args))
                if size == args.main_size:
                    if results["bytes"] is None:
                        results["bytes"] = measure_bytes(server, fixtures)
                        print_bytes(results["bytes"])
                    out["load"] = measure_load(server, fixtures, args, measure_cpu(app, fixtures))
                    print_load(kind, size, out["load"], args)
                server.stop()
        finally:
            server.stop()
            db.session.remove()
            db.engine.dispose()
    return out


def database_size(kind: str, url: str) -> str:
    if kind == "sqlite":
        return f"{Path(url.removeprefix('sqlite:///')).stat().st_size / 1e6:,.0f} MB on disk"
    from app.extensions import db

    size = db.session.scalar(db.text("SELECT pg_database_size(current_database())"))
    return f"{size / 1e6:,.0f} MB on disk"


def _flush_redis() -> None:
    """Only our own Redis database (3): old rate-limit counters would throttle the run."""
    try:
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
    except Exception as error:  # noqa: BLE001  (Redis down: the limiter falls back, say so)
        print(f"  (Redis at {REDIS_URL} not reachable: {error})")


# --- the server ----------------------------------------------------------------------------

class Server:
    """gunicorn exactly as in production (`gunicorn wsgi:app`, 2 workers) on a free port."""

    def __init__(self, url: str):
        self.url, self.process, self.port = url, None, None
        self.log = WORKDIR / "gunicorn.log"

    def start(self) -> None:
        if self.process:
            return
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {**os.environ, **SERVER_ENV, "DATABASE_URL": self.url}
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.process = subprocess.Popen(
            [str(gunicorn), "-w", str(WORKERS), "-b", f"127.0.0.1:{self.port}", "wsgi:app"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=self.log.open("ab"), start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log}:\n{self.log.read_text()[-2000:]}")
            try:
                if self.get("/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not answer within 30 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def request(self, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            headers = dict(response.getheaders())
            headers["Set-Cookie"] = response.msg.get_all("Set-Cookie") or []
            return response.status, headers, response.read()
        finally:
            conn.close()

    def get(self, path: str, headers: dict | None = None):
        return self.request("GET", path, headers)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _cookie(headers: dict) -> str:
    """The session cookie a response set (it may set others, e.g. the language)."""
    for raw in headers.get("Set-Cookie", []):
        if raw.startswith("session="):
            return raw.split(";", 1)[0]
    raise SystemExit(f"no session cookie in {headers.get('Set-Cookie')}")


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    if not match:
        raise SystemExit("no CSRF token in the form")
    return match.group(1)


LOGINS = sorted({page.login for page in ALL if page.login})


def _sign_in(server: "Server", email: str) -> str:
    """The session cookie of `email` signed in with the benchmark password."""
    from bench.seed import BENCH_PASSWORD

    status, headers, body = server.get("/dang-nhap")
    form = urlencode({"csrf_token": _csrf(body.decode()), "identifier": email, "password": BENCH_PASSWORD})
    status, headers, _ = server.request("POST", "/dang-nhap", {
        "Cookie": _cookie(headers), "Content-Type": "application/x-www-form-urlencoded"}, form.encode())
    if status != 303:
        raise SystemExit(f"the benchmark account {email} could not sign in (HTTP {status})")
    return _cookie(headers)


class Fixtures:
    """What the measured requests need: codes, private links, a signed-in session, a form."""

    def __init__(self, server: Server, samples: list[dict]):
        from bench import seed

        self.codes = [s["code"] for s in samples]
        self.published_codes = [s["code"] for s in samples if s.get("published")] or self.codes
        self.tokens = [seed.private_token(os.environ["SECRET_KEY"], s["key"]) for s in samples]
        # One signed-in session for each `login` of the page table (the submitter, staff roles).
        self.cookies = {login: _sign_in(server, seed.login_email(login)) for login in LOGINS}
        self.organisation = seed.bench_organisation()
        from sqlalchemy import select

        from app.extensions import db
        from app.submissions.models import Topic

        topic_id = db.session.scalar(select(Topic.id).where(Topic.parent_id.is_not(None)).limit(1))
        status, headers, body = server.get("/gop-y/moi")
        self.form_cookie = _cookie(headers)
        self.submit_body = urlencode({
            "csrf_token": _csrf(body.decode()), "idempotency_key": "KEY", "kind": "concern", "topic_id": topic_id,
            "province_code": "1", "ward_code": "", "title": "Mất sóng di động ở bản",
            "content": "Bản chúng tôi mất sóng di động cả tuần, không gọi được cấp cứu.",
            "contact_name": "Giàng A Páo", "contact_phone": "0987654321", "submitter_kind": "individual",
            # Sent as by a browser with htmx, whose hints under the title already showed the
            # published look-alikes: the POST creates a submission, not the no-JS step page.
            "consent_processing": "y", "similar_checked": "1"}).replace("KEY", "{key}")
        from app.agencies.models import Agency

        self.agency = db.session.scalar(select(Agency.id).where(Agency.code == "BKHCN"))

    def paths(self, page) -> list[str]:
        if page.path.startswith("/gop-y/{code}"):  # only a published submission has a public page
            return [page.url(code=code) for code in self.published_codes]
        if "{code}" in page.path:
            return [page.url(code=code) for code in self.codes]
        if "{token}" in page.path:
            return [page.url(token=token) for token in self.tokens]
        if "{agency}" in page.path:
            return [page.url(agency=self.agency)]
        if "{organisation}" in page.path:
            return [page.url(organisation=self.organisation)]
        return [page.path]

    def headers(self, page) -> dict:
        headers = dict(BROWSER_HEADERS)
        if page.fragment:
            headers.update(HTMX_HEADERS)
        if page.login:
            headers["Cookie"] = self.cookies[page.login]
        return headers


# --- bytes ---------------------------------------------------------------------------------

def measure_bytes(server: Server, fixtures: Fixtures) -> list[dict]:
    rows = []
    for page in ALL:
        path = fixtures.paths(page)[0]
        headers = fixtures.headers(page)
        sizes = {}
        for encoding in ("identity", "gzip", "br"):
            status, response_headers, body = server.get(path, {**headers, "Accept-Encoding": encoding})
            sizes[encoding] = len(body)
            if encoding == "identity":
                html = body.decode()
            else:
                got = response_headers.get("Content-Encoding", "identity")
                if got != encoding:
                    sizes[f"{encoding}_missing"] = True
        assets = [] if page.fragment else page_table.assets_of(html)
        asset_bytes = {"gzip": 0, "br": 0}
        for url in assets:
            for encoding in asset_bytes:
                _s, _h, body = server.get(url, {"Accept-Encoding": encoding})
                asset_bytes[encoding] += len(body)
        rows.append({
            "page": page.name, "path": page.path, "fragment": page.fragment, "status": status,
            "raw": sizes["identity"], "gzip": sizes["gzip"], "br": sizes["br"],
            "first_visit_requests": 1 + len(assets), "first_visit_gzip": sizes["gzip"] + asset_bytes["gzip"],
            "first_visit_br": sizes["br"] + asset_bytes["br"], "repeat_visit_requests": 1,
            "repeat_visit_gzip": sizes["gzip"], "requests": [path] + assets,
            "other_hosts": [url for url in assets if not page_table.is_same_host(url)],
        })
    return rows


def print_bytes(rows: list[dict]) -> None:
    print(f"\nBytes per page (budgets: page ≤ {page_table.PAGE_GZIP_BUDGET:,} gz, fragment ≤ "
          f"{page_table.FRAGMENT_GZIP_BUDGET:,} gz, first visit ≤ {page_table.FIRST_VISIT_GZIP_BUDGET:,} gz). "
          "Repeat visit = the HTML only: static files are immutable for a year.")
    table = [("page / fragment", "HTTP", "raw", "gzip", "br", "1st reqs", "1st gzip", "1st br", "rep reqs",
              "rep gzip", "ok")]
    for row in rows:
        budget = page_table.FRAGMENT_GZIP_BUDGET if row["fragment"] else page_table.PAGE_GZIP_BUDGET
        first_visit_ok = row["fragment"] or row["first_visit_gzip"] <= page_table.FIRST_VISIT_GZIP_BUDGET
        ok = row["gzip"] <= budget and first_visit_ok
        name = ("(htmx) " if row["fragment"] else "") + row["page"]
        table.append((name, row["status"], row["raw"], row["gzip"], row["br"], row["first_visit_requests"],
                      row["first_visit_gzip"], row["first_visit_br"], row["repeat_visit_requests"],
                      row["repeat_visit_gzip"], "yes" if ok else "OVER"))
    print_table(table)
    first = next(r for r in rows if not r["fragment"])
    foreign = sorted({url for r in rows for url in r["other_hosts"]})
    print(f"A first visit to {first['path']} makes these requests: {', '.join(first['requests'])}; "
          f"to another host: {', '.join(foreign) or 'none'}.")


# --- load ----------------------------------------------------------------------------------

def wrk(server: Server, paths: list[str], headers: dict, duration: float, connections: int,
        method: str = "GET", body: str | None = None) -> dict:
    env = {**os.environ, "BENCH_METHOD": method, "BENCH_PATHS": "\n".join(paths),
           "BENCH_HEADERS": "\n".join(f"{k}: {v}" for k, v in headers.items())}
    if body is not None:
        env["BENCH_BODY"] = body
    command = ["wrk", "-t1", f"-c{connections}", "--timeout", "10s", "-s", str(ROOT / "bench" / "wrk.lua"), server.base]
    if method == "GET":  # a second unmeasured first: workers load templates and catalogs lazily
        subprocess.run(command[:1] + ["-d1s"] + command[1:], env=env, capture_output=True, timeout=60)
    run = subprocess.run(command[:1] + [f"-d{duration:g}s"] + command[1:], env=env, capture_output=True, text=True,
                         timeout=duration + 60)
    line = next((out for out in run.stdout.splitlines() if out.startswith("BENCH_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no figures:\n{run.stdout}\n{run.stderr}")
    figures = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = figures["duration_us"] / 1e6
    errors = sum(v for k, v in figures.items() if k.startswith("errors_") and k != "errors_status")
    return {"rps": round(figures["requests"] / seconds, 1), "requests": figures["requests"],
            "p50_ms": figures["p50_us"] / 1000, "p95_ms": figures["p95_us"] / 1000,
            "p99_ms": figures["p99_us"] / 1000, "max_ms": figures["max_us"] / 1000,
            "non_2xx_3xx": figures["errors_status"], "socket_errors": errors,
            "kb_per_request": round(figures["bytes"] / max(figures["requests"], 1) / 1024, 2)}


def measure_load(server: Server, fixtures: Fixtures, args, cpu: dict[str, float]) -> list[dict]:
    rows = []
    for page in ALL:
        before = loadavg()
        figures = wrk(server, fixtures.paths(page), fixtures.headers(page), args.duration, args.connections)
        name = ("(htmx) " if page.fragment else "") + page.name
        rows.append({"endpoint": name, "method": "GET", "expected_status": page.status, **figures,
                     "cpu_ms": cpu.get(name), "loadavg": before})
    headers = {**BROWSER_HEADERS, "Cookie": fixtures.form_cookie, "Content-Type": "application/x-www-form-urlencoded"}
    figures = wrk(server, ["/gop-y/moi"], headers, args.duration, args.connections, "POST", fixtures.submit_body)
    rows.append({"endpoint": "submit POST (text only, a new submission each)", "method": "POST",
                 "expected_status": 303, **figures})
    return rows


def measure_cpu(app, fixtures: Fixtures, repeat: int = 40) -> dict[str, float]:
    """CPU milliseconds one request costs inside the app (Flask test client, one thread):
    a figure that holds when other work shares the machine, unlike req/s."""
    from bench.seed import BENCH_PASSWORD, login_email

    anonymous, clients = app.test_client(use_cookies=False), {}
    for login in LOGINS:
        clients[login] = app.test_client()
        html = clients[login].get("/dang-nhap").get_data(as_text=True)
        clients[login].post("/dang-nhap", data={"csrf_token": _csrf(html), "identifier": login_email(login),
                                                "password": BENCH_PASSWORD})
    costs = {}
    for page in ALL:
        headers = {k: v for k, v in fixtures.headers(page).items() if k != "Cookie"}
        paths = fixtures.paths(page)
        client = clients[page.login] if page.login else anonymous
        statuses = {client.get(paths[index % len(paths)], headers=headers).status_code for index in range(5)}
        if statuses != {page.status}:
            print(f"  (CPU figure skipped for {page.name}: HTTP {statuses} in-process)")
            continue
        start = time.process_time()
        for index in range(repeat):
            client.get(paths[index % len(paths)], headers=headers)
        milliseconds = (time.process_time() - start) * 1000 / repeat
        costs[("(htmx) " if page.fragment else "") + page.name] = round(milliseconds, 2)
    return costs


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def print_load(kind: str, size: int, rows: list[dict], args) -> None:
    print(f"\nLoad on {kind} with {size:,} submissions: wrk -t1 -c{args.connections} -d{args.duration:g}s, "
          f"{WORKERS} gunicorn workers, browser headers (br, vi). Aim: hot pages ≥ 300 req/s. "
          f"CPU ms = one request inside the app, one thread (ceiling on {os.cpu_count()} cores = "
          f"{os.cpu_count()}000 / CPU ms). Load average {rows[0].get('loadavg', '?')} before, {loadavg()} after.")
    table = [("endpoint", "req/s", "p50 ms", "p95 ms", "p99 ms", "KB/req", "CPU ms", "errors")]
    for row in rows:
        errors = row["socket_errors"] + (row["non_2xx_3xx"] if row["expected_status"] < 400 else 0)
        note = f"{errors}" + (" (all 4xx expected)" if row["expected_status"] >= 400 else "")
        table.append((row["endpoint"], f"{row['rps']:.0f}", f"{row['p50_ms']:.1f}", f"{row['p95_ms']:.1f}",
                      f"{row['p99_ms']:.1f}", f"{row['kb_per_request']:.1f}", row.get("cpu_ms", "-"), note))
    print_table(table)


GROWTH = [("tracking lookup result", "tracking lookup (random codes)"), ("my submissions", "my submissions, page 1")]


def measure_growth(server: Server, fixtures: Fixtures, size: int, args) -> dict:
    from sqlalchemy import func, select

    from app.accounts.models import User
    from app.extensions import db
    from app.submissions.models import Submission
    from bench.seed import HEAVY_EMAIL

    owned = db.session.scalar(select(func.count()).select_from(Submission).join(User, Submission.user_id == User.id)
                              .where(User.email == HEAVY_EMAIL))
    row = {"size": size, "heavy_user_submissions": owned}
    by_name = {page.name: page for page in ALL}
    duration = max(2.0, args.duration / 2)
    for name, label in GROWTH:
        page = by_name[name]
        row[label] = wrk(server, fixtures.paths(page), fixtures.headers(page), duration, args.connections)
    return row


def print_growth(results: dict) -> None:
    print("\nHow cost grows with the number of submissions (short wrk runs at each size; the signed-in "
          "organisation owns 1% of all submissions):")
    table = [("database", "submissions", "its own", "lookup req/s", "lookup p95 ms", "my list req/s", "my list p95 ms")]
    for kind, out in results["databases"].items():
        for row in out["growth"]:
            cells = []
            for _name, label in GROWTH:
                figures = row[label]
                if figures["requests"] == 0:  # nothing answered within wrk's 10 s timeout
                    cells += ["0", "> 10000 (timed out)"]
                else:
                    cells += [f"{figures['rps']:.0f}", f"{figures['p95_ms']:.1f}"]
            table.append((kind, f"{row['size']:,}", f"{row['heavy_user_submissions']:,}", *cells))
    print_table(table)


# --- output --------------------------------------------------------------------------------

def print_table(rows: list[tuple]) -> None:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        cells = [str(cell).ljust(widths[i]) if i == 0 else str(cell).rjust(widths[i]) for i, cell in enumerate(row)]
        print("  ".join(cells).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))


def write(results: dict, started: datetime) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"bench-{results['mode']}-{started:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    (RESULTS / f"latest-{results['mode']}.json").write_text(path.read_text())
    return path


if __name__ == "__main__":
    main()
