"""docs/deploy.md, followed by a script: its marked blocks run in order in one shell, from an
empty PostgreSQL role to the app (started as deploy/systemd/gopy.service says) answering
/readyz 200. What differs on this machine is substituted, and every substitution is listed
here; a block that changes so a substitution no longer applies fails the test."""
import json
import os
import re
import secrets
import subprocess
import time

from app.config import BASE_DIR
from tests.cluster.support import BIN, Processes, drop_database, free_port, read_env_file

DOC = BASE_DIR / "docs" / "deploy.md"
UNIT = BASE_DIR / "deploy" / "systemd" / "gopy.service"


def marked_blocks() -> list[str]:
    return re.findall(r"<!-- deploy-test -->\n```sh\n(.*?)```", DOC.read_text(), re.DOTALL)


def _substitute(text: str, substitutions: list[tuple[str, str]]) -> str:
    for old, new in substitutions:
        text = text.replace(old, new)
    return text


def _unit(tmp_path, env: dict) -> tuple[list[str], dict]:
    """ExecStart and the environment systemd would give it."""
    unit = UNIT.read_text()
    for line in re.findall(r"^Environment=(\w+)=(.*)$", unit, re.MULTILINE):
        env[line[0]] = line[1].replace("/run/gopy", str(tmp_path / "run"))
    command = re.search(r"^ExecStart=(.*)$", unit, re.MULTILINE).group(1).replace("/srv/gopy", str(BASE_DIR))
    assert re.search(r"^WorkingDirectory=/srv/gopy$", unit, re.MULTILINE)
    return command.split(), env


def test_following_deploy_md_reaches_readyz(tmp_path):
    suffix = secrets.token_hex(3)
    role = database = f"gopy_doc_{suffix}"
    port = free_port()
    env_file = tmp_path / "gopy.env"
    substitutions = [
        ("sudo -u postgres psql", "psql -h 127.0.0.1 -U postgres"),
        ("-v role=gopy -v db=gopy", f"-v role={role} -v db={database}"),
        ("install -d -m 0750 -o root -g gopy /etc/gopy", f"mkdir -p {tmp_path}"),
        ("/etc/gopy/gopy.env", str(env_file)),
        ("chgrp gopy ", "chgrp root "),
        ("postgresql://gopy:$DB_PASSWORD@127.0.0.1:5432/gopy", f"postgresql://{role}:$DB_PASSWORD@127.0.0.1:5432/{database}"),
        ("cd /srv/gopy", f"cd {BASE_DIR}"),
        ("/srv/gopy/public/static", f"{tmp_path}/public/static"),
        ("read -rs -p \"Administrator's password (12 characters or more): \" GOPY_ADMIN_PASSWORD",
         "GOPY_ADMIN_PASSWORD='bốn từ dễ nhớ khó đoán'"),
        ("sudo -u gopy --preserve-env=GOPY_ADMIN_PASSWORD ", ""),
        ("sudo -u gopy ", ""),
        ("127.0.0.1:8000", f"127.0.0.1:{port}"),
    ]
    blocks = marked_blocks()
    text = "\n".join(blocks)
    for old, _new in substitutions:
        assert old in text, f"docs/deploy.md no longer has {old!r}: update this test's substitutions"
    *setup, check = [_substitute(block, substitutions) for block in blocks]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GOPY", "FLASK", "DATABASE"))}
    env.update(GOPY_ENV_FILE=str(env_file), PATH=f"{BIN}:{env['PATH']}")
    processes = Processes(tmp_path)
    try:
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", "\n".join(setup)], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert "administrator admin@example.gov.vn ready" in done.stdout
        assert (tmp_path / "public" / "static" / "css").is_dir()
        settings = read_env_file(env_file)
        assert len(settings["SECRET_KEY"]) == 64 and settings["GOPY_ENV"] == "production"
        assert oct(env_file.stat().st_mode & 0o777) == "0o640"
        command, app_env = _unit(tmp_path, {**env, **settings, "GUNICORN_BIND": f"127.0.0.1:{port}",
                                            "GUNICORN_WORKERS": "1"})
        processes.start("gopy.service", command, app_env)
        deadline, answer = time.monotonic() + 40, None
        while time.monotonic() < deadline:
            answer = subprocess.run(["bash", "-c", check], capture_output=True, text=True, check=False)
            if answer.returncode == 0:
                break
            time.sleep(0.3)
        assert answer.returncode == 0, processes.log("gopy.service")
        assert json.loads(answer.stdout) == {"status": "ok", "checks": {"database": "ok", "redis": "ok",
                                                                         "storage": "ok"}}
    finally:
        processes.stop_all()
        drop_database(database, role)
