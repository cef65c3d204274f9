"""Delivery without a broker, outside every request: one daemon thread per process takes
the "something is due" signals from a queue and sends what is due. A slow or hung mail server
holds this thread (for MAIL_TIMEOUT at most per try), never a request's worker.

The thread is started on first use in the process that uses it: after gunicorn forks (with
or without preload) each worker starts its own, and none is inherited half-alive. A process
that dies mid-send loses nothing: the claim's lease puts the message back in line."""
import os
import queue
import threading
import time

from flask import Flask

from app.notify.tasks import dispatch_pending

_lock = threading.Lock()
_state: dict = {"pid": None, "thread": None, "queue": None}


def wake(app: Flask) -> None:
    """Ask the delivery thread to send what is due for this app (returns at once)."""
    _queue().put(app)


def wait_idle(timeout: float) -> bool:
    """Tests and shutdown: wait until every signal given so far was handled."""
    deadline = time.monotonic() + timeout
    signals = _state["queue"]
    while signals is not None and signals.unfinished_tasks and time.monotonic() < deadline:
        time.sleep(0.02)
    return signals is None or not signals.unfinished_tasks


def _queue() -> queue.Queue:
    with _lock:
        thread = _state["thread"]
        if _state["pid"] != os.getpid() or thread is None or not thread.is_alive():
            signals: queue.Queue = queue.Queue()
            thread = threading.Thread(target=_run, args=(signals,), name="gopy-delivery", daemon=True)
            _state.update(pid=os.getpid(), thread=thread, queue=signals)
            thread.start()
        return _state["queue"]


def _run(signals: queue.Queue) -> None:
    while True:
        apps = [signals.get()]
        while True:  # several steps in a row: one pass sends all their messages
            try:
                apps.append(signals.get_nowait())
            except queue.Empty:
                break
        for app in dict.fromkeys(apps):
            try:
                with app.app_context():
                    dispatch_pending()
            except Exception:  # the thread outlives any one failure; the sweep retries
                app.logger.exception("background delivery failed")
        for _app in apps:
            signals.task_done()
