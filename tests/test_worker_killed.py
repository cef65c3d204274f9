"""A real worker process killed with SIGKILL in the middle of an SMTP conversation: the
message is neither lost nor sent twice. Uses a SQLite file both processes can open."""
import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import timedelta

from aiosmtpd.controller import Controller
from sqlalchemy import delete, select

from app import create_app
from app.common.roles import Role
from app.common.time import utcnow
from app.extensions import db
from app.notify import outbox
from app.notify.models import MessageStatus, OutboxMessage
from app.seeds.reference import seed_reference
from app.submissions import workflow
from tests.conftest import SuiteConfig
from tests.factories import make_staff, make_submission
from tests.test_notify import _free_port


class StallingInbox:
    """Takes the message's data, then never answers, until told to behave."""

    def __init__(self):
        self.messages, self.stall, self.data_started = [], True, threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.data_started.set()
        while self.stall:
            await asyncio.sleep(0.05)
        self.messages.append(envelope.content)
        return "250 OK"


def test_killed_worker_neither_loses_nor_doubles(tmp_path):
    url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    inbox, port = StallingInbox(), _free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()

    class FileConfig(SuiteConfig):
        SQLALCHEMY_DATABASE_URI = url
        SQLALCHEMY_ENGINE_OPTIONS = {}
        MAIL_SERVER, MAIL_PORT = "127.0.0.1", port

    app = create_app(FileConfig)
    try:
        with app.app_context():
            db.create_all()
            seed_reference()
            submission, _token = make_submission(contact_email="a@example.vn", contact_phone=None)
            db.session.execute(delete(OutboxMessage))  # the receipt: this story is about the step's message
            workflow.reject(submission, make_staff(Role.COORDINATOR), submission.version, "abusive")
            message_id = db.session.scalar(select(OutboxMessage.id))
            db.session.remove()
        worker = _start_worker(url, port, message_id)
        assert inbox.data_started.wait(20), "the worker never reached the SMTP DATA step"
        os.kill(worker.pid, signal.SIGKILL)  # dies mid-send
        worker.wait(10)
        inbox.stall = False
        with app.app_context():
            message = db.session.get(OutboxMessage, message_id)
            assert message.status == MessageStatus.SENDING and message.attempts == 1  # kept, not lost
            assert outbox.deliver_pending() == 0  # its lease still holds: no second copy now
            message.next_attempt_at = utcnow() - timedelta(seconds=1)  # the lease runs out
            db.session.commit()
            assert outbox.deliver_pending() == 1
            assert outbox.deliver_pending() == 0
            assert db.session.get(OutboxMessage, message_id).status == MessageStatus.SENT
        time.sleep(0.2)
        assert len(inbox.messages) == 1
    finally:
        smtp.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _start_worker(url: str, port: int, message_id: int) -> subprocess.Popen:
    script = textwrap.dedent(f"""
        from app import create_app
        from app.config import TestConfig
        class WorkerConfig(TestConfig):
            SQLALCHEMY_DATABASE_URI = {url!r}
            SQLALCHEMY_ENGINE_OPTIONS = {{}}
            MAIL_SERVER, MAIL_PORT = "127.0.0.1", {port}
        from app.notify.outbox import deliver
        with create_app(WorkerConfig).app_context():
            deliver({message_id})
    """)
    return subprocess.Popen([sys.executable, "-c", script], cwd=os.getcwd(), env=dict(os.environ))
