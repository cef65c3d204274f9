"""gunicorn settings for Góp Ý (systemd's gopy.service runs `gunicorn -c deploy/gunicorn.conf.py wsgi:app`).

Threaded workers keep the connections nginx holds open (keep-alive: a sync worker closes
each one); each process renders one page at a time on its own core, so workers follow the
cores and threads only cover the waits on PostgreSQL and Redis. Every value can be set
from the environment the unit reads.
"""
import os
import shutil

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS") or (os.cpu_count() or 1) * 2)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
# Longer than nginx's upstream keepalive_timeout (60 s), so nginx closes first, never the app mid-request.
keepalive = 75
timeout = 30
graceful_timeout = 20
# A worker is replaced after this many requests (with jitter, so not all at once): bounds any leak.
max_requests = 5000
max_requests_jitter = 500
# The app writes JSON access lines itself, with the route pattern; gunicorn's would hold the URL.
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
umask = 0o077
# gunicorn 25+ opens a control socket in $HOME: two nodes on one machine would share it, and
# systemd already reloads (HUP) and stops the app.
control_socket_disable = True


def on_starting(server):
    """Prometheus' multi-process files of a previous run would add its counts to this one's."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory, mode=0o700, exist_ok=True)


def child_exit(server, worker):
    """A worker that is gone stops counting as live in the gauges it kept."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
