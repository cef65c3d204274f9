"""`make bench-api`: the API's requests per second next to the HTML pages that show the same
data, served by gunicorn as in production, on SQLite and PostgreSQL.

    python -m bench.api            100,000 submissions, 10 s of wrk load per endpoint
    python -m bench.api --quick    5,000 submissions, 4 s per endpoint

The API is measured with a token (as integrators call it; anonymous callers are limited to
60 calls a minute per address), its rate limit set out of the way but still counted in Redis
on every call, and every call written to the call log, as in production. Figures to read,
never pass/fail; they land in bench-results/api-*.json too.
"""
import argparse
import json
import os
import statistics
import time
from datetime import UTC, datetime

from bench.run import (
    BROWSER_HEADERS,
    RESULTS,
    ROOT,
    Server,
    _flush_redis,
    database_url,
    loadavg,
    machine,
    make_app,
    print_table,
    wrk,
)

ENDPOINTS = [
    # (name, path, token needed, which codes fill {code})
    ("HTML public list", "/gop-y", False, None),
    ("API list of published submissions", "/api/v1/submissions?limit=20", True, None),
    ("Open311 requests (last 90 days, up to 1,000)", "/open311/v2/requests.json", True, None),
    ("HTML tracking status page", "/tra-cuu/{code}", False, "any"),
    ("API one submission", "/api/v1/submissions/{code}", True, "any"),
    ("Open311 one request", "/open311/v2/requests/{code}.json", True, "any"),
    ("API agency's cases (list)", "/api/v1/cases?limit=20", True, None),
    ("API agency's case (detail, with contact)", "/api/v1/cases/{code}", True, "agency"),
]


def main() -> None:
    args = _arguments()
    started = datetime.now(UTC)
    results = {"started": started.isoformat(timespec="seconds"), "machine": machine(), "settings": vars(args),
               "databases": {}}
    print(f"Góp Ý API benchmark, {results['started']}; {args.size:,} submissions; wrk -t1 -c{args.connections} "
          f"-d{args.duration:g}s per endpoint; load average now {loadavg()}")
    for kind in args.databases.split(","):
        results["databases"][kind] = run(kind, args)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"api-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"\nFigures written to {path.relative_to(ROOT)}")


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", default=os.environ.get("QUICK") == "1")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--size", type=int)
    parser.add_argument("--duration", type=float)
    args = parser.parse_args()
    args.size = args.size or (5_000 if args.quick else 100_000)
    args.duration = args.duration or (4 if args.quick else 10)
    return args


def run(kind: str, args) -> list[dict]:
    # The app's modules come after bench.run has set the environment its Config reads.
    from flask_migrate import upgrade

    from app.extensions import db
    from app.seeds.reference import seed_reference
    from bench import seed

    print(f"\n=== {kind} ===")
    url = database_url(kind)
    app = make_app(url)
    with app.app_context():
        upgrade()
        seed_reference()
        _flush_redis()
        step = seed.seed_submissions(args.size, os.environ["SECRET_KEY"])
        print(f"seeded {step['total']:,} submissions in {step['seconds']} s")
        token, agency_codes = _token_and_cases(db)
        any_codes = [s["code"] for s in seed.sample(200)]
        server = Server(url)
        rows = []
        try:
            server.start()
            for name, path, needs_token, codes in ENDPOINTS:
                headers = dict(BROWSER_HEADERS)
                if needs_token:
                    headers.update({"Accept": "application/json", "Authorization": f"Bearer {token}"})
                fill = {"any": any_codes, "agency": agency_codes}.get(codes)
                paths = [path.format(code=code) for code in fill] if fill else [path]
                figures = wrk(server, paths, headers, args.duration, args.connections)
                rows.append({"endpoint": name, "path": path, "cpu_ms": cpu_ms(app, paths, headers), **figures})
        finally:
            server.stop()
            db.session.remove()
            db.engine.dispose()
    print_table([("endpoint", "req/s", "p50 ms", "p95 ms", "CPU ms", "KB/req", "non-2xx")] +
                [(r["endpoint"], f"{r['rps']:,.0f}", f"{r['p50_ms']:.1f}", f"{r['p95_ms']:.1f}", f"{r['cpu_ms']:.1f}",
                  f"{r['kb_per_request']:.1f}", str(r["non_2xx_3xx"])) for r in rows])
    return rows


def cpu_ms(app, paths: list[str], headers: dict, repeat: int = 30) -> float:
    """CPU milliseconds one request costs inside the app (test client, one thread): a figure
    that holds when other work shares the machine, unlike req/s. The median of `repeat`."""
    client = app.test_client()
    costs = []
    for index in range(repeat + 2):
        with app.app_context():
            start = time.process_time()
            client.get(paths[index % len(paths)], headers=headers)
            costs.append((time.process_time() - start) * 1000)
    return statistics.median(costs[2:])  # the first two load templates and catalogs


def _token_and_cases(db) -> tuple[str, list[str]]:
    """A token that reads public data and one ministry's cases, acting as an officer there,
    and the codes of that ministry's cases."""
    from sqlalchemy import select

    from app.accounts.models import User
    from app.agencies.models import Agency
    from app.api import tokens
    from app.common.roles import Role
    from app.submissions.models import Submission

    agency_id = db.session.scalar(select(Submission.agency_id).where(Submission.agency_id.is_not(None)).limit(1))
    agency = db.session.get(Agency, agency_id)
    officer = User(email=f"api-bench-{agency.code.lower()}@gopy.local", full_name="Cán bộ đo tải", role=Role.OFFICER,
                   agency_id=agency.id)
    db.session.add(officer)
    db.session.commit()
    _token, value = tokens.issue(tokens.TokenRequest(
        name="Đo tải", scopes=[tokens.Scope.READ_PUBLIC, tokens.Scope.READ_CASES], contact_email="bench@gopy.local",
        days=1, agency_id=agency.id, acting_user_id=officer.id, rate_limit=10_000_000))
    codes = db.session.scalars(select(Submission.code).where(Submission.agency_id == agency.id).limit(200)).all()
    return value, list(codes)


if __name__ == "__main__":
    main()
