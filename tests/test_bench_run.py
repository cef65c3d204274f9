"""`make bench` reads the page table (bench/pages.py) and fetches each page as its `login`:
run its fixtures and its byte measurement in-process, against the test app instead of
gunicorn, so a page the table names but the benchmark cannot fetch (a role it cannot sign in
as, a placeholder it cannot fill) fails here rather than in a half-hour run."""
import os
import shutil

import pytest

from bench.pages import ALL
from tests.conftest import FreshContextClient
from tests.factories import make_submission


@pytest.fixture(scope="module")
def bench_run():
    """bench.run, imported without keeping the environment it sets for its own gunicorn."""
    saved = dict(os.environ)
    from bench import run

    os.environ.clear()
    os.environ.update(saved)
    yield run
    shutil.rmtree(run.WORKDIR, ignore_errors=True)


class InProcessServer:
    """bench.run.Server's two calls, answered by the Flask test client."""

    def __init__(self, app):
        self.client = FreshContextClient(app, use_cookies=False)

    def request(self, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
        response = self.client.open(path, method=method, headers=headers or {}, data=body)
        found = dict(response.headers)
        found["Set-Cookie"] = response.headers.getlist("Set-Cookie")
        return response.status_code, found, response.get_data()

    def get(self, path: str, headers: dict | None = None):
        return self.request("GET", path, headers)


def test_the_benchmark_fetches_every_page_of_the_table_as_its_login(app, db, bench_run, monkeypatch):
    from bench import seed

    monkeypatch.setenv("SECRET_KEY", app.config["SECRET_KEY"])  # the private links' key, as in its server

    seed.bench_users()
    submission, _token = make_submission(consent_publish=True, idempotency_key="bench-run-test-key")
    samples = [{"code": submission.code, "key": submission.idempotency_key, "published": True}]
    server = InProcessServer(app)
    fixtures = bench_run.Fixtures(server, samples)
    assert set(fixtures.cookies) == {page.login for page in ALL if page.login}
    assert len(set(fixtures.cookies.values())) == len(fixtures.cookies), "one session per login"
    rows = bench_run.measure_bytes(server, fixtures)
    assert [row["page"] for row in rows] == [page.name for page in ALL]
    wrong = {row["page"]: row["status"] for row, page in zip(rows, ALL, strict=True) if row["status"] != page.status}
    assert not wrong, f"the benchmark fetched these with another status than the table's: {wrong}"
    app.test_client_class = FreshContextClient
    costs = bench_run.measure_cpu(app, fixtures, repeat=1)
    assert len(costs) == len(ALL), f"CPU figures skipped for {sorted(set(p.name for p in ALL) - set(costs))}"
