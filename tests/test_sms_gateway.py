"""The SMS gateway adapter against a real HTTP server on this machine."""
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from app.notify import backends


class _Gateway(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Gateway.received.append((self.headers["Authorization"], json.loads(body)))
        self.send_response(_Gateway.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture()
def gateway(app, monkeypatch):
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Gateway.received, _Gateway.status = [], 200
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", f"http://127.0.0.1:{server.server_port}/sms")
    monkeypatch.setitem(app.config, "SMS_GATEWAY_TOKEN", "bi-mat")
    yield _Gateway
    server.shutdown()


def test_sms_is_posted_to_the_gateway(gateway):
    backends.send_sms("0912345678", "Gop y 123 456 7890: da tiep nhan")
    assert gateway.received == [("Bearer bi-mat", {"to": "0912345678", "text": "Gop y 123 456 7890: da tiep nhan",
                                                   "sender": "GOPY"})]


def test_a_refusing_gateway_raises_so_the_outbox_retries(gateway):
    gateway.status = 503
    with pytest.raises(backends.ChannelDown):  # the whole channel waits, the message is kept
        backends.send_sms("0912345678", "thu lai sau")
