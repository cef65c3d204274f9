"""Webhooks: a receiver on loopback gets every event once per step, signed so the Standard
Webhooks reference implementation verifies it, and after an outage longer than the back-off
(time compressed with a fake clock) still gets every event, in order per submission."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from app.api import webhooks
from app.api.tokens import Scope
from app.common.errors import Conflict
from app.common.roles import Role
from app.notify import outbox
from app.notify import services as notify
from app.notify.models import Channel, MessageStatus, OutboxMessage
from app.submissions import workflow
from tests.api_support import make_token
from tests.factories import Clock, agency_id, make_staff, make_submission, make_user

ALL_EVENTS = list(webhooks.EVENTS)


class Receiver:
    """An HTTP receiver on 127.0.0.1 that records what it accepts; `down` makes it answer 503."""

    def __init__(self):
        self.received, self.down = [], False
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.down:
                    self.send_response(503)
                else:
                    receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/gopy-hook"

    def events(self) -> list[dict]:
        return [json.loads(body) for _headers, body in self.received]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def receiver():
    running = Receiver()
    yield running
    running.close()


@pytest.fixture()
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(outbox, "utcnow", fake)
    monkeypatch.setattr(notify, "utcnow", fake)
    monkeypatch.setattr(webhooks, "utcnow", fake)
    return fake


def _deliver_all(rounds: int = 20) -> None:
    for _round in range(rounds):
        if not outbox.deliver_pending():
            return


def _verified(receiver, secret) -> list[dict]:
    verifier = Webhook(secret)
    return [verifier.verify(body, headers) for headers, body in receiver.received]


def _by_submission(events: list[dict]) -> dict[str, list[tuple[str, str]]]:
    grouped = {}
    for event in events:
        submission = event["data"]["submission"]
        grouped.setdefault(submission["code"], []).append((event["type"], event["data"]["step"]["name"]))
    return grouped


def test_every_event_once_per_step_verified_and_in_order_after_an_outage(app, db, receiver, clock):
    token, _value = make_token(Scope.READ_PUBLIC)
    endpoint = webhooks.add_endpoint(token.id, receiver.url, ALL_EVENTS)
    coordinator, officer = make_staff(Role.COORDINATOR), make_staff(Role.OFFICER, "BKHCN")
    first, _t = make_submission(consent_publish=True)
    second, _t = make_submission(consent_publish=True, title="Một góp ý khác về dữ liệu mở")
    workflow.assign(first, coordinator, first.version, agency_id("BKHCN"))
    _deliver_all()
    assert len(receiver.received) == 4
    receiver.down = True
    workflow.take(first, officer, first.version)
    workflow.request_info(first, officer, first.version, "Xin cho biết tên thôn.")
    workflow.assign(second, coordinator, second.version, agency_id("BKHCN"))
    for _hour in range(72):  # three days down, longer than every back-off step
        clock.advance(hours=1)
        _deliver_all(rounds=3)
    waiting = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.WEBHOOK,
                                                             OutboxMessage.status != MessageStatus.SENT)).all()
    assert len(waiting) == 4 and {m.status for m in waiting} == {MessageStatus.PENDING}
    # Held in order: only the first waiting message of each submission was ever tried.
    assert sorted(m.attempts > 0 for m in waiting) == [False, False, True, True]
    db.session.refresh(endpoint)
    assert endpoint.active and endpoint.failing_since is not None
    receiver.down = False
    clock.advance(hours=7)
    _deliver_all()
    events = _verified(receiver, endpoint.secret)
    assert len(events) == 8 and len({h["webhook-id"] for h, _b in receiver.received}) == 8
    assert _by_submission(events) == {
        first.code: [("submission.created", "submit"), ("submission.assigned", "assign"),
                     ("submission.status_changed", "assign"), ("submission.status_changed", "take"),
                     ("submission.status_changed", "request_info")],
        second.code: [("submission.created", "submit"), ("submission.assigned", "assign"),
                      ("submission.status_changed", "assign")],
    }
    db.session.refresh(endpoint)
    assert endpoint.failing_since is None


def test_payloads_carry_personal_data_only_for_the_agency_with_read_cases(db, receiver, clock):
    partner, _v = make_token(Scope.READ_PUBLIC)
    agency, _v = make_token(Scope.READ_CASES, agency="BKHCN")
    reader, _v = make_token(Scope.READ_PUBLIC, agency="BKHCN")
    for token in (partner, agency, reader):
        webhooks.add_endpoint(token.id, receiver.url, ALL_EVENTS)
    coordinator = make_staff(Role.COORDINATOR)
    hidden, _t = make_submission(contact_email="mai@example.vn")
    workflow.assign(hidden, coordinator, hidden.version, agency_id("BKHCN"))
    _deliver_all()
    bodies = [body.decode() for _h, body in receiver.received]
    # Unpublished: only the agency whose token may read its cases hears of it, contact included.
    assert len(bodies) == 2 and all("mai@example.vn" in b and '"contact"' in b for b in bodies)
    receiver.received.clear()
    shown, _t = make_submission(contact_email="an@example.vn", consent_publish=True)
    workflow.assign(shown, coordinator, shown.version, agency_id("BKHCN"))
    _deliver_all()
    bodies = [body.decode() for _h, body in receiver.received]
    # Published: every token with read:public hears of it too, without the contact.
    assert len(bodies) == 2 + 3 * 2  # created, to the two public readers; then two events to each of the three
    assert sum("an@example.vn" in b for b in bodies) == 2


def test_a_refused_step_writes_no_event(db, receiver, clock):
    token, _v = make_token(Scope.READ_PUBLIC)
    webhooks.add_endpoint(token.id, receiver.url, ALL_EVENTS)
    submission, _t = make_submission(consent_publish=True)
    coordinator = make_staff(Role.COORDINATOR)
    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    with pytest.raises(Conflict):
        workflow.assign(submission, coordinator, submission.version + 5, agency_id("BKHCN"))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == before


def test_an_endpoint_failing_for_days_is_disabled_its_owner_told_and_nothing_lost(db, receiver, clock):
    token, _v = make_token(Scope.READ_PUBLIC)
    endpoint = webhooks.add_endpoint(token.id, receiver.url, ["submission.created"])
    receiver.down = True
    made = [make_submission(consent_publish=True, title=f"Góp ý số {n} về sóng")[0] for n in range(2)]
    for _hour in range(80):
        clock.advance(hours=1)
        _deliver_all(rounds=2)
    db.session.refresh(endpoint)
    assert not endpoint.active and "503" in endpoint.disabled_reason
    told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.EMAIL,
                                                          OutboxMessage.recipient == token.contact_email)).all()
    assert len(told) == 1 and endpoint.url in told[0].body
    receiver.down = False
    assert webhooks.enable(endpoint) == 2
    _deliver_all()
    assert sorted(e["data"]["submission"]["code"] for e in receiver.events()) == sorted(s.code for s in made)


def test_the_administrator_sees_the_log_resends_and_gives_up(client, db, receiver, clock, login_as):
    token, _v = make_token(Scope.READ_PUBLIC)
    endpoint = webhooks.add_endpoint(token.id, receiver.url, ["submission.created"])
    make_submission(consent_publish=True)
    _deliver_all()
    login_as(make_user(Role.ADMIN))
    page = client.get(f"/quan-tri/webhook/{endpoint.id}").get_data(as_text=True)
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == endpoint.recipient))
    assert f"msg_{message.id}" in page and "submission.created" in page and endpoint.secret not in page
    token_value = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    resent = client.post(f"/quan-tri/webhook/{endpoint.id}/gui-lai/{message.id}", data={"csrf_token": token_value})
    assert resent.status_code == 303
    assert [h["webhook-id"] for h, _b in receiver.received] == [f"msg_{message.id}"] * 2
    receiver.down = True
    make_submission(consent_publish=True, title="Một góp ý khác về dữ liệu mở")
    client.post(f"/quan-tri/webhook/{endpoint.id}/bo-qua", data={"csrf_token": token_value})
    db.session.expire_all()
    statuses = db.session.scalars(select(OutboxMessage.status).where(OutboxMessage.recipient == endpoint.recipient)
                                  .order_by(OutboxMessage.id)).all()
    assert statuses == [MessageStatus.SENT, MessageStatus.FAILED]


def test_only_https_or_loopback_addresses_are_registered(db):
    token, _v = make_token(Scope.READ_PUBLIC)
    for url in ("http://hook.example.vn/x", "ftp://hook.example.vn", "https://", "javascript:alert(1)"):
        with pytest.raises(webhooks.ValidationError):
            webhooks.add_endpoint(token.id, url, ALL_EVENTS)
    assert webhooks.add_endpoint(token.id, "https://hook.example.vn/x", ALL_EVENTS).secret.startswith("whsec_")
    with pytest.raises(webhooks.ValidationError):
        webhooks.add_endpoint(token.id, "https://hook.example.vn/x", [])
