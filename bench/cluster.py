"""`make bench-cluster`: the production shape measured. nginx (deploy/nginx.conf, TLS,
keep-alive to the nodes) in front of two gunicorn nodes (deploy/gunicorn.conf.py), on a
PostgreSQL database of its own with the demo data, against one node alone over plain HTTP.
Prints req/s and p50/p99 side by side; figures to read, never pass/fail.

    python -m bench.cluster [--seconds 5] [--connections 16] [--count 300]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.cluster.support import Processes, create_database, drop_database, start_shape  # noqa: E402 (after sys.path)

HEADERS = {"Accept-Encoding": "gzip, br", "Accept-Language": "vi-VN,vi;q=0.9", "Accept": "text/html"}


def main() -> None:
    args = _arguments()
    root = Path(tempfile.mkdtemp(prefix="gopy-bench-cluster-"))
    processes = Processes(root)
    database, db_url = create_database("gopy_bench_cluster")
    try:
        url, node, cert = _start(processes, root, db_url, args)
        paths = _paths(db_url, node)
        form = _submit_form(url, cert)
        print(f"Góp Ý, production shape: nginx 1.22 + 2 gunicorn nodes (2 gthread workers each), PostgreSQL, "
              f"{args.count} demo submissions; wrk -t1 -c{args.connections} -d{args.seconds}s; "
              f"load average {os.getloadavg()[0]:.2f}")
        print(f"{'page':34} {'nginx → 2 nodes (https)':>30} {'one node (http)':>30}")
        print(f"{'':34} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9}")
        rows = []
        for name, path in paths:
            both = [_wrk(base, [path], HEADERS, args) for base in (url, node)]
            rows.append({"page": name, "path": path, "nginx": both[0], "node": both[1]})
            print(f"{name:34} " + " ".join(f"{f['rps']:>10.0f} {f['p50_ms']:>9.1f} {f['p99_ms']:>9.1f}" for f in both))
        post = _wrk(url, ["/gop-y/moi"], {**HEADERS, **form["headers"]}, args, "POST", form["body"])
        rows.append({"page": "submit POST", "nginx": post})
        print(f"{'submit POST (a new submission each)':34} {post['rps']:>10.0f} {post['p50_ms']:>9.1f} "
              f"{post['p99_ms']:>9.1f}  ({post['non_2xx_3xx']} not 2xx/3xx)")
        out = ROOT / "bench-results" / "cluster.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({"settings": vars(args), "rows": rows}, indent=1))
        print(f"figures written to {out.relative_to(ROOT)}")
    finally:
        processes.stop_all()
        drop_database(database)


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--count", type=int, default=300, help="demo submissions to seed")
    return parser.parse_args()


def _start(processes: Processes, root: Path, db_url: str, args) -> tuple[str, str, str]:
    shape = start_shape(processes, root, db_url, {
        "GOPY_ALLOW_UNSAFE": "file-mail,file-sms",
        # one client address makes every request here
        "TRACKING_LOOKUP_LIMIT": "10000000 per minute", "LOGIN_LIMIT": "10000000 per minute"},
        setup=[["seed-demo", "--count", str(args.count)]])
    return shape.url, shape.nodes["a"], str(shape.cert)


def _paths(db_url: str, node: str) -> list[tuple[str, str]]:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        code = conn.execute(sa.text("SELECT code FROM submission WHERE consent_publish ORDER BY id LIMIT 1")).scalar()
        thread = conn.execute(sa.text("SELECT thread_id FROM forum_post GROUP BY thread_id "
                                      "ORDER BY count(*) DESC LIMIT 1")).scalar()
        board = conn.execute(sa.text("SELECT slug FROM forum_board ORDER BY position LIMIT 1")).scalar()
    engine.dispose()
    css = re.search(r'href="(/static/css/[^"]+)"', requests.get(f"{node}/", timeout=10).text).group(1)
    return [("home", "/"), ("lookup result", f"/tra-cuu?code={code}"), ("status page", f"/tra-cuu/{code}"),
            ("public list", "/gop-y"), ("public search", "/gop-y?q=chuyen+doi+so"), ("forum boards", "/dien-dan"),
            ("forum board page", f"/dien-dan/{board}"), ("forum thread page", f"/dien-dan/chu-de/{thread}"),
            ("submit form", "/gop-y/moi"), ("static CSS (nginx: from disk)", css)]


def _submit_form(url: str, cert: str) -> dict:
    page = requests.get(f"{url}/gop-y/moi", verify=cert, timeout=10)
    html = page.text
    csrf = re.search(r'name="csrf_token"[^>]*? value="([^"]+)"', html).group(1)
    topic = re.search(r'<option value="(\d+)"', html[html.index('name="topic_id"'):]).group(1)
    cookie = "; ".join(f"{k}={v}" for k, v in page.cookies.get_dict().items())
    fields = {"csrf_token": csrf, "idempotency_key": "{key}", "kind": "concern", "topic_id": topic,
              "title": "Đo tải", "content": "Một góp ý đo tải qua nginx và hai nút.", "contact_name": "Bench",
              "contact_phone": "0912345678", "submitter_kind": "individual", "consent_processing": "y"}
    body = "&".join(f"{k}={requests.utils.quote(v, safe='{}')}" for k, v in fields.items())
    return {"headers": {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded",
                        "Referer": f"{url}/gop-y/moi"}, "body": body}


def _wrk(base: str, paths: list[str], headers: dict, args, method: str = "GET", body: str | None = None) -> dict:
    env = {**os.environ, "BENCH_METHOD": method, "BENCH_PATHS": "\n".join(paths),
           "BENCH_HEADERS": "\n".join(f"{k}: {v}" for k, v in headers.items())}
    if body is not None:
        env["BENCH_BODY"] = body
    command = ["wrk", "-t1", f"-c{args.connections}", "--timeout", "10s", "-s", str(ROOT / "bench" / "wrk.lua")]
    if method == "GET":  # one unmeasured second: workers load templates and catalogs lazily
        subprocess.run([*command, "-d1s", base], env=env, capture_output=True, timeout=60, check=False)
    run = subprocess.run([*command, f"-d{args.seconds:g}s", base], env=env, capture_output=True, text=True,
                         timeout=args.seconds + 60, check=False)
    line = next((line for line in run.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no figures:\n{run.stdout}\n{run.stderr}")
    figures = json.loads(line.removeprefix("BENCH_JSON "))
    return {"rps": figures["requests"] / (figures["duration_us"] / 1e6), "p50_ms": figures["p50_us"] / 1000,
            "p99_ms": figures["p99_us"] / 1000, "non_2xx_3xx": figures["errors_status"]}


if __name__ == "__main__":
    main()
