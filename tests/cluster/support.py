"""Processes, ports, databases and nginx for the production-shape tests."""
import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests
import sqlalchemy as sa

from app.config import BASE_DIR

POSTGRES_ADMIN = os.environ.get("CLUSTER_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BIN = BASE_DIR / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Processes:
    """Each child in its own process group, so a node's master and workers die together;
    everything still running is killed at the end, whatever happened."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], env: dict, cwd: Path = BASE_DIR) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        self.running[name] = process
        return process

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.running.pop(name)
        with contextlib.suppress(ProcessLookupError):  # it died already
            os.killpg(process.pid, sig)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.running):
            process = self.running[name]
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
            self.kill(name)

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


def wait_for(url: str, timeout: float = 30, **kwargs) -> requests.Response:
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            last = requests.get(url, timeout=2, **kwargs)
            if last.status_code == 200:
                return last
        except requests.RequestException as error:
            last = error
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer 200 within {timeout} s: {last}")


def create_database(prefix: str) -> tuple[str, str]:
    """A database of the test's own: (its name, its URL)."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = sa.create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def drop_database(name: str, role: str | None = None) -> None:
    admin = sa.create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if role:
            conn.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))
    admin.dispose()


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def render_nginx(directory: Path, upstreams: list[int], https_port: int, http_port: int, public: Path,
                 uploads: Path, proxy_bind: str) -> Path:
    """deploy/nginx.conf as shipped, with this machine's ports and paths, inside a main
    configuration of the test's own (its pid, logs and temporary folders)."""
    cert, key = self_signed_certificate(directory)
    site = (BASE_DIR / "deploy" / "nginx.conf").read_text()
    replacements = {
        "    server 127.0.0.1:8000 max_fails=1 fail_timeout=10s;\n": "".join(
            f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;\n" for port in upstreams),
        "    listen [::]:80;\n": "",
        "    listen [::]:443 ssl http2;\n": "",
        "    listen 80;": f"    listen 127.0.0.1:{http_port};",
        "    listen 443 ssl http2;": f"    listen 127.0.0.1:{https_port} ssl http2;",
        "/etc/letsencrypt/live/gopy.example.gov.vn/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/gopy.example.gov.vn/privkey.pem": str(key),
        "/var/log/nginx/": f"{directory}/",
        "/var/www/letsencrypt": str(directory),
        "/srv/gopy/public": str(public),
        "/srv/gopy/instance/uploads/": f"{uploads}/",
        "/etc/nginx/gopy_proxy_params": str(directory / "gopy_proxy_params"),
        "/var/cache/nginx/gopy": str(directory / "cache"),
    }
    for old, new in replacements.items():
        assert old in site, f"deploy/nginx.conf no longer has {old!r}: update the test's replacements"
        site = site.replace(old, new)
    # The client and nginx share the loopback here: nginx speaks to the app from its own
    # address, the only one TRUSTED_PROXIES names, as a proxy on another machine would.
    params = (BASE_DIR / "deploy" / "gopy_proxy_params").read_text() + f"proxy_bind {proxy_bind};\n"
    # The site is on 443 in production, where $host is the whole origin; here the port is a
    # random one, and Flask-WTF compares the Referer's origin with the Host on https.
    assert "proxy_set_header Host $host;" in params
    params = params.replace("proxy_set_header Host $host;", "proxy_set_header Host $host:$server_port;")
    (directory / "gopy_proxy_params").write_text(params)
    (directory / "site.conf").write_text(site)
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (directory / folder).mkdir(exist_ok=True)
    main = directory / "nginx.conf"
    main.write_text(f"""# The test runs as root with folders only root may enter; the workers run as root too.
user root;
worker_processes 2;
pid {directory}/nginx.pid;
error_log {directory}/nginx-error.log warn;
include /etc/nginx/modules-enabled/*.conf;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    include {directory}/site.conf;
}}
""")
    return main


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Z_][A-Z0-9_]*)=(.*)$", line)
        if match:  # systemd and the shell both take "quoted values"
            values[match.group(1)] = match.group(2).removeprefix('"').removesuffix('"')
    return values


SYSTEM = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}


class Shape:
    """What start_shape started: nginx's HTTPS address, each node's HTTP address, nginx's
    certificate."""

    def __init__(self, url: str, nodes: dict[str, str], cert: Path):
        self.url, self.nodes, self.cert = url, nodes, cert


def start_shape(processes: Processes, root: Path, db_url: str, settings: dict, setup: list[list[str]],
                worker: bool = False) -> Shape:
    """The production shape on loopback: a Redis of its own, `flask` setup commands, nodes a
    and b (gunicorn as deploy/gunicorn.conf.py, each with its own instance folder), the RQ
    worker if asked, and nginx as deploy/nginx.conf, speaking to the nodes from 127.0.0.2,
    the one address TRUSTED_PROXIES names."""
    redis_port, https_port, http_port = free_port(), free_port(), free_port()
    ports = {"a": free_port(), "b": free_port()}
    processes.start("redis", ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"], SYSTEM)
    base = {"PATH": f"{BIN}:{SYSTEM['PATH']}", "FLASK_APP": "wsgi.py", "GOPY_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": db_url, "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "PUBLIC_BASE_URL": f"https://127.0.0.1:{https_port}", "SESSION_COOKIE_SECURE": "1",
            "TRUSTED_PROXIES": "127.0.0.2/32", "GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "4",
            "LOG_LEVEL": "WARNING", **settings}

    def env(name: str) -> dict:
        instance = root / f"instance-{name}"
        return {**base, "INSTANCE_PATH": str(instance), "SMS_FILE": str(instance / "sms.log"),
                "PROMETHEUS_MULTIPROC_DIR": str(root / f"metrics-{name}")}

    for command in (["db", "upgrade"], *setup, ["assets", "collect", str(root / "public" / "static")]):
        extra = {"GOPY_ENV": "development"} if command[0] == "seed-demo" else {}  # it refuses production
        done = processes.start("setup", [str(BIN / "flask"), *command], {**env("setup"), **extra})
        assert done.wait(timeout=600) == 0, processes.log("setup")
        processes.running.pop("setup")
    for name, port in ports.items():
        processes.start(f"node-{name}", [str(BIN / "gunicorn"), "--config", "deploy/gunicorn.conf.py", "wsgi:app"],
                        {**env(name), "GUNICORN_BIND": f"127.0.0.1:{port}"})
    if worker:
        processes.start("worker", [str(BIN / "flask"), "notify", "worker"], env("worker"))
    conf = render_nginx(root, list(ports.values()), https_port, http_port, root / "public", root / "uploads",
                        proxy_bind="127.0.0.2")
    check = processes.start("nginx-check", ["nginx", "-t", "-c", str(conf)], SYSTEM)
    assert check.wait(timeout=20) == 0, processes.log("nginx-check")
    processes.running.pop("nginx-check")
    processes.start("nginx", ["nginx", "-c", str(conf), "-g", "daemon off;"], SYSTEM)
    for port in ports.values():
        wait_for(f"http://127.0.0.1:{port}/readyz", timeout=60)
    url = f"https://127.0.0.1:{https_port}"
    wait_for(f"{url}/readyz", verify=str(root / "cert.pem"))
    return Shape(url, {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}, root / "cert.pem")
