"""Two-way SMS end to end: the real app served over HTTP, and a fake carrier on loopback that
receives what the platform sends through the real outbound adapter (app/notify/backends.py)
and posts, signed, what the phone types to the live webhook: submit, agree, get the code, ask
the status, stop."""
import json
import re
import shutil
import tempfile
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.notify.models import Channel, OutboxMessage
from app.sms.services import SIGNATURE_HEADER, sign
from app.submissions.models import Submission

SECRET = "bi-mat-chung-voi-nha-mang"
TOKEN = "token-goi-di"
PHONE = "0912000111"
WAIT = 20  # seconds to wait for an SMS the platform sends after its answer (a bound, not a measure)


class FakeCarrier:
    """The SMS gateway as the platform sees it: takes outbound messages at /sms (JSON, bearer
    token) and delivers the phone's messages to the platform's webhook, signed."""

    def __init__(self):
        self.outbound: list[dict] = []
        self.authorizations: list[str] = []
        self._arrived = threading.Condition()
        self._ids = iter(range(1, 10**6))
        carrier = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with carrier._arrived:
                    carrier.authorizations.append(self.headers["Authorization"])
                    carrier.outbound.append(body)
                    carrier._arrived.notify_all()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        self.webhook = None

    def send(self, phone: str, text: str, **extra) -> int:
        """The phone sends `text`: the carrier posts it to the webhook; returns the HTTP status."""
        body = json.dumps({"id": f"carrier-{next(self._ids)}", "from": phone, "text": text, **extra}).encode()
        request = urllib.request.Request(self.webhook, data=body, method="POST", headers={
            "Content-Type": "application/json", SIGNATURE_HEADER: sign(body, SECRET)})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status

    def wait_for(self, count: int) -> list[dict]:
        """The first `count` outbound messages, once they have arrived."""
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.outbound) >= count, timeout=WAIT), self.outbound
            return list(self.outbound[:count])


@pytest.fixture(scope="module")
def carrier_and_site():
    carrier = FakeCarrier()
    threading.Thread(target=carrier.server.serve_forever, daemon=True).start()
    workdir = Path(tempfile.mkdtemp(prefix="gopy-sms-"))
    config = type("CarrierConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'sms.sqlite3'}", "SQLALCHEMY_ENGINE_OPTIONS": {},
        "UPLOAD_DIR": workdir / "uploads", "SMS_FILE": str(workdir / "sms.log"), "REDIS_URL": "",
        "SMS_GATEWAY_URL": carrier.url, "SMS_GATEWAY_TOKEN": TOKEN, "SMS_WEBHOOK_SECRET": SECRET,
    })
    app = create_app(config)
    with app.app_context():
        from flask_migrate import upgrade  # the schema as production gets it: Alembic

        from app.seeds.reference import seed_reference

        upgrade()
        seed_reference()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    carrier.webhook = f"http://127.0.0.1:{server.server_port}/sms/nhan"
    yield carrier, app
    server.shutdown()
    carrier.server.shutdown()
    with app.app_context():
        db.engine.dispose()
    shutil.rmtree(workdir, ignore_errors=True)


def _outbox_count(app, phone: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.channel == Channel.SMS, OutboxMessage.recipient == phone))


def test_an_sms_conversation_submit_agree_code_status_stop(carrier_and_site):
    carrier, app = carrier_and_site
    # A long message, in two parts sent in reverse order: one submission, one answer.
    assert carrier.send(PHONE, "so 5 bi sat lo, xe may khong qua duoc.", ref="r1", part=2, parts=2) == 200
    assert carrier.send(PHONE, "GY Duong vao thon ", ref="r1", part=1, parts=2) == 200
    ask = carrier.wait_for(1)[0]
    assert ask["to"] == PHONE and ask["sender"] == "GOPY" and "DONG Y" in ask["text"]
    assert carrier.authorizations[0] == f"Bearer {TOKEN}"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 0  # not before DONG Y

    assert carrier.send(PHONE, "dong y") == 200
    receipt = carrier.wait_for(2)[1]["text"]
    code = re.search(r"TC (\d{10})", receipt).group(1)
    with app.app_context():
        submission = db.session.scalar(select(Submission).where(Submission.code == code))
        assert submission.content == "Duong vao thon so 5 bi sat lo, xe may khong qua duoc."
        assert submission.channel == "sms" and submission.contact_phone == PHONE
        assert [c.method for c in submission.consents if c.purpose == "processing"] == ["sms"]

    assert carrier.send(PHONE, f"TC {code}") == 200
    status = carrier.wait_for(3)[2]["text"]
    assert code[:3] in status and "Da tiep nhan" in status

    assert carrier.send(PHONE, "HUY") == 200
    stop = carrier.wait_for(4)[3]["text"]
    assert "GY" in stop
    # After HUY nothing more is sent: the platform decides while answering the webhook.
    assert carrier.send(PHONE, code) == 200
    assert _outbox_count(app, PHONE) == 4
    assert all(len(message["text"]) <= 160 for message in carrier.wait_for(4))
