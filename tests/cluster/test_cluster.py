"""The multi-node test: Debian's nginx with deploy/nginx.conf in front of two gunicorn nodes
(deploy/gunicorn.conf.py) and the RQ worker, on loopback, with a PostgreSQL database and a
Redis of their own. Each node has its own instance folder, so nothing can hide on one
node's disk. Bounded: a few hundred requests, about a minute in all."""
import http.client
import io
import re
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
import pytest
import requests
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from tests.cluster.support import Processes, create_database, drop_database, free_port, start_shape

LOOKUP_LIMIT = 5


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd names the hook)
        self.messages.append(envelope.content)
        return "250 OK"


class Cluster:
    def __init__(self, root: Path, processes: Processes, url: str, db_url: str, nodes: dict, cert: Path, inbox):
        self.root, self.processes, self.url, self.db_url = root, processes, url, db_url
        self.nodes, self.cert, self.inbox = nodes, cert, inbox


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    root = tmp_path_factory.mktemp("cluster")
    processes = Processes(root)
    database, db_url = create_database("gopy_cluster")
    inbox, smtp_port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    try:
        shape = start_shape(processes, root, db_url, {
            "GOPY_ALLOW_UNSAFE": "file-sms", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
            "TRACKING_LOOKUP_LIMIT": f"{LOOKUP_LIMIT} per minute"}, setup=[["seed-reference"]], worker=True)
        yield Cluster(root, processes, shape.url, db_url, shape.nodes, shape.cert, inbox)
    finally:
        processes.stop_all()
        smtp.stop()
        drop_database(database)


class Visitor:
    """A browser's cookies, sent to any node: the session cookie is Secure, and the nodes are
    reached over plain http on loopback here, where requests would hold it back."""

    def __init__(self, cert: Path):
        self.cookies: dict[str, str] = {}
        self.cert = str(cert)

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if method == "POST":  # as a browser does; Flask-WTF checks it on https
            headers["Referer"] = url
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = requests.request(method, url, headers=headers, allow_redirects=False, timeout=15,
                                    verify=self.cert, **kwargs)
        self.cookies.update(response.cookies.get_dict())
        return response

    def form(self, url: str) -> tuple[str, dict]:
        html = self.request("GET", url).text
        fields = dict(re.findall(r'name="(csrf_token|idempotency_key)" type="hidden" value="([^"]*)"', html))
        if "csrf_token" not in fields:
            fields["csrf_token"] = re.search(r'name="csrf_token"[^>]*? value="([^"]+)"', html).group(1)
        return html, fields


def _submission(title: str, fields: dict, topic: str) -> dict:
    return {**fields, "kind": "concern", "topic_id": topic, "province_code": "", "ward_code": "", "title": title,
            "content": "Thôn chúng tôi không có sóng 4G ổn định, không làm được thủ tục trực tuyến.",
            "contact_name": "Lò Văn Thử", "contact_email": "lo.van.thu@example.vn", "submitter_kind": "individual",
            "consent_processing": "y"}


def _topic(html: str) -> str:
    return re.search(r'<option value="(\d+)"', html[html.index('name="topic_id"'):]).group(1)


def test_submission_with_attachment_through_a_is_read_through_b(cluster):
    visitor = Visitor(cluster.cert)
    html, fields = visitor.form(f"{cluster.nodes['a']}/gop-y/moi")
    pdf, out = pikepdf.new(), io.BytesIO()
    pdf.add_blank_page()
    pdf.save(out)
    document = out.getvalue()
    sent = visitor.request("POST", f"{cluster.nodes['a']}/gop-y/moi",
                           data=_submission("Qua nút A", fields, _topic(html)),
                           files={"attachments": ("to-trinh.pdf", document, "application/pdf")})
    assert sent.status_code == 303, sent.text[:500]
    private = sent.headers["Location"]
    page = visitor.request("GET", f"{cluster.nodes['b']}{private}")
    assert page.status_code == 200 and "Qua nút A" in page.text
    link = re.search(r'href="(/tep/\d+\?t=[^"]+)"', page.text).group(1).replace("&amp;", "&")
    served = visitor.request("GET", f"{cluster.nodes['b']}{link}")
    assert served.status_code == 200 and served.content.startswith(b"%PDF-")
    assert "to-trinh.pdf" in served.headers["Content-Disposition"]


def test_session_started_on_a_works_on_b(cluster):
    visitor = Visitor(cluster.cert)
    _html, fields = visitor.form(f"{cluster.nodes['a']}/dang-ky")
    registered = visitor.request("POST", f"{cluster.nodes['a']}/dang-ky", data={
        **fields, "kind": "individual", "full_name": "Đinh Thị Cụm", "identifier": "cum@example.vn",
        "password": "mat-khau-cum-2026", "confirm": "mat-khau-cum-2026"})
    assert registered.status_code == 303
    _html, fields = visitor.form(f"{cluster.nodes['a']}/dang-nhap")  # registering does not sign in
    assert visitor.request("POST", f"{cluster.nodes['a']}/dang-nhap", data={
        **fields, "identifier": "cum@example.vn", "password": "mat-khau-cum-2026"}).status_code == 303
    profile = visitor.request("GET", f"{cluster.nodes['b']}/tai-khoan")
    assert profile.status_code == 200 and "Đinh Thị Cụm" in profile.text
    assert Visitor(cluster.cert).request("GET", f"{cluster.nodes['b']}/tai-khoan").status_code in (302, 303)


def test_rate_limits_are_shared_by_the_nodes(cluster):
    statuses = [requests.get(f"{cluster.nodes['ab'[n % 2]]}/tra-cuu?code=1234567890", timeout=10).status_code
                for n in range(LOOKUP_LIMIT + 1)]
    assert statuses[:LOOKUP_LIMIT] == [422] * LOOKUP_LIMIT and statuses[-1] == 429


def test_a_node_reports_the_requests_of_all_its_workers(cluster):
    """Two gunicorn workers, one scrape: prometheus-client's multi-process files add them up."""
    for _ in range(12):
        requests.get(f"{cluster.nodes['b']}/healthz", timeout=10)
    text = requests.get(f"{cluster.nodes['b']}/metrics", timeout=10).text
    counts = re.findall(r'gopy_http_requests_total\{method="GET",route="/healthz",status="200"\} ([0-9.]+)', text)
    assert counts and float(counts[0]) >= 12
    assert "gopy_outbox_messages" in text and "gopy_submissions_overdue" in text


def _through_nginx(cluster, source: str, path: str, forwarded: str | None = None) -> tuple[int, dict, str]:
    """A GET through nginx from a loopback address of the caller's choosing: another client."""
    context = ssl.create_default_context(cafile=str(cluster.cert))
    host, port = cluster.url.removeprefix("https://").split(":")
    connection = http.client.HTTPSConnection(host, int(port), context=context, source_address=(source, 0), timeout=10)
    try:
        connection.request("GET", path, headers={"X-Forwarded-For": forwarded} if forwarded else {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def test_clients_behind_nginx_have_their_own_limits_and_cannot_forge_one(cluster):
    path = "/tra-cuu?code=1234567891"
    first = [_through_nginx(cluster, "127.0.0.3", path, forwarded=f"198.51.100.{n}")[0]
             for n in range(LOOKUP_LIMIT + 1)]
    assert first[-1] == 429  # a new forged address each time: nginx's view of the client counts
    assert _through_nginx(cluster, "127.0.0.4", path)[0] == 422  # another client is not held back


def _load(cluster, count: int, kill_after: int):
    """`count` submissions through nginx from 6 threads, a reader alongside; node A is killed
    with SIGKILL once `kill_after` have been acknowledged."""
    acknowledged, failed, reads, killed_at = [], [], [], []
    lock, stop = threading.Lock(), threading.Event()
    html, _fields = Visitor(cluster.cert).form(f"{cluster.url}/gop-y/moi")
    topic = _topic(html)

    def submit(index: int):
        visitor = Visitor(cluster.cert)
        title = f"Tải cụm {index}"
        try:
            _html, fields = visitor.form(f"{cluster.url}/gop-y/moi")
            response = visitor.request("POST", f"{cluster.url}/gop-y/moi", data=_submission(title, fields, topic))
            ok = response.status_code == 303
        except (requests.RequestException, AttributeError):
            ok, fields = False, None
        with lock:
            (acknowledged if ok else failed).append((title, visitor, fields))
            if ok and len(acknowledged) == kill_after and not killed_at:
                killed_at.append(time.monotonic())
                cluster.processes.kill("node-a")

    def read():
        while not stop.is_set():
            try:
                status = requests.get(f"{cluster.url}/tra-cuu", timeout=10, verify=str(cluster.cert)).status_code
            except requests.RequestException:
                status = 0
            reads.append((time.monotonic(), status))

    reader = threading.Thread(target=read)
    reader.start()
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(submit, range(count)))
    stop.set()
    reader.join(timeout=15)
    return acknowledged, failed, reads, killed_at[0] if killed_at else None


def test_a_node_killed_mid_load_loses_no_acknowledged_submission(cluster):
    started = time.monotonic()
    acknowledged, failed, reads, killed_at = _load(cluster, count=120, kill_after=30)
    assert killed_at is not None, "node A was never killed"
    engine = sa.create_engine(cluster.db_url)
    with engine.connect() as conn:
        titles = {row[0] for row in conn.execute(sa.text("SELECT title FROM submission WHERE title LIKE 'Tải cụm %'"))}
    assert {title for title, _v, _f in acknowledged} <= titles, "an acknowledged submission was lost"
    assert len(acknowledged) >= 100, f"only {len(acknowledged)} of 120 acknowledged ({len(failed)} failed)"
    # A POST cut off by the kill is sent again by the person, with the same form: one record.
    for title, visitor, fields in failed:
        if fields:
            html = visitor.request("GET", f"{cluster.url}/gop-y/moi").text
            again = visitor.request("POST", f"{cluster.url}/gop-y/moi", data=_submission(title, fields, _topic(html)))
            assert again.status_code == 303
    with engine.connect() as conn:
        counts = dict(conn.execute(sa.text(
            "SELECT title, count(*) FROM submission WHERE title LIKE 'Tải cụm %' GROUP BY title")).all())
    engine.dispose()
    assert all(count == 1 for count in counts.values()), {t: c for t, c in counts.items() if c > 1}
    after = [status for moment, status in reads if moment > killed_at + 1]
    assert after and all(status == 200 for status in after), after[:20]
    assert time.monotonic() - started < 90
    assert requests.get(f"{cluster.url}/readyz", timeout=10, verify=str(cluster.cert)).status_code == 200


def test_the_worker_delivers_a_message_asked_for_on_any_node(cluster):
    """A verification code asked for through nginx goes through the outbox, Redis and the
    RQ worker to the SMTP server."""
    visitor = Visitor(cluster.cert)
    _html, fields = visitor.form(f"{cluster.url}/dang-ky")
    assert visitor.request("POST", f"{cluster.url}/dang-ky", data={
        **fields, "kind": "individual", "full_name": "Trần Thư", "identifier": "thu@example.vn",
        "password": "mat-khau-thu-2026", "confirm": "mat-khau-thu-2026"}).status_code == 303
    _html, fields = visitor.form(f"{cluster.url}/dang-nhap")  # registering does not sign in
    assert visitor.request("POST", f"{cluster.url}/dang-nhap", data={
        **fields, "identifier": "thu@example.vn", "password": "mat-khau-thu-2026"}).status_code == 303
    _html, fields = visitor.form(f"{cluster.url}/tai-khoan")
    assert visitor.request("POST", f"{cluster.url}/tai-khoan/xac-minh/email", data=fields).status_code == 303
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not cluster.inbox.messages:
        time.sleep(0.3)
    assert cluster.inbox.messages, "no e-mail reached the SMTP server through the RQ worker:\n" + \
        cluster.processes.log("worker")
    assert b"thu@example.vn" in cluster.inbox.messages[-1]


def test_micro_cache_serves_anonymous_pages_and_shows_a_change_within_a_second(cluster):
    visitor = Visitor(cluster.cert)
    html, fields = visitor.form(f"{cluster.url}/gop-y/moi")
    sent = visitor.request("POST", f"{cluster.url}/gop-y/moi", data=_submission("Bộ nhớ đệm", fields, _topic(html)))
    engine = sa.create_engine(cluster.db_url)
    with engine.connect() as conn:
        code = conn.execute(sa.text("SELECT code FROM submission WHERE title = 'Bộ nhớ đệm'")).scalar()
    assert sent.status_code == 303 and code

    def anonymous():  # a reader of its own, with its own lookup budget
        status, headers, body = _through_nginx(cluster, "127.0.0.6", f"/tra-cuu/{code}")
        assert status == 200
        return headers, body

    (first, _body), (second, body) = anonymous(), anonymous()
    assert first["X-Cache"] in ("MISS", "EXPIRED") and second["X-Cache"] == "HIT"
    assert "Strict-Transport-Security" in second and "X-Accel-Expires" not in second
    assert "Đã đóng" not in body
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE submission SET status = 'closed', version = version + 1 WHERE code = :code"),
                     {"code": code})
    changed_at = time.monotonic()
    while "Đã đóng" not in anonymous()[1]:
        assert time.monotonic() - changed_at < 2.5, "the cached page outlived its second"
        time.sleep(0.1)
    engine.dispose()
    # A reader with a session is never served from the cache, nor fills it.
    signed = visitor.request("GET", f"{cluster.url}/tra-cuu/{code}")
    assert signed.headers["X-Cache"] == "BYPASS"
