"""Command-line tasks: flask seed-reference, seed-demo, create-admin, attachments, translate,
and the scheduled ones: stats refresh, opendata dump."""
import os
import subprocess
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask_babel import force_locale
from sqlalchemy import func, or_, select

from app.accounts.models import User
from app.accounts.passwords import password_problem as accounts_password_problem
from app.common import assets
from app.common.roles import Role
from app.config import BASE_DIR
from app.extensions import db
from app.schedule import refresh_statistics
from app.seeds.demo import seed_demo
from app.seeds.reference import seed_reference
from app.submissions import storage
from app.submissions.models import Attachment, Submission

DEMO_DOMAIN = "@gopy.local"
# A few of the passwords every guesser tries first; length does the rest of the work.
COMMON_PASSWORDS = {"password1234", "123456789012", "qwertyuiop12", "matkhau12345", "administrator", "gopy-demo-2026"}


def register(app: Flask) -> None:
    app.cli.add_command(seed_reference_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(attachments_group)
    app.cli.add_command(assets_group)
    app.cli.add_command(translate)
    app.cli.add_command(stats_group)
    app.cli.add_command(opendata_group)
    app.cli.add_command(privacy_group)


@click.command("seed-reference")
def seed_reference_command():
    """Add the agencies and topic tree every installation needs (safe to run again)."""
    seed_reference()
    click.echo("reference data ready")


@click.command("seed-demo")
@click.option("--count", default=300, show_default=True, help="How many submissions to make.")
def seed_demo_command(count: int):
    """Fill an empty database with demo accounts and submissions."""
    refusal = _not_a_demo_database()
    if refusal:
        raise click.ClickException(f"seed-demo adds accounts with a published password; not here: {refusal}.")

    made = seed_demo(count)
    click.echo(f"demo data ready ({made} new submissions)")


def _not_a_demo_database() -> str | None:
    """Why this database must not get demo data, or None: production, or people's data in it."""
    if current_app.config.get("GOPY_ENV") == "production":
        return "GOPY_ENV is production"
    others = db.session.scalar(select(func.count()).select_from(User).where(
        or_(User.email.is_(None), User.email.not_like(f"%{DEMO_DOMAIN}"))))
    if others:
        return f"it holds {others} account(s) that are not demo accounts"
    demo = db.session.scalar(select(func.count()).select_from(User).where(User.email.like(f"%{DEMO_DOMAIN}")))
    if not demo and db.session.scalar(select(func.count()).select_from(Submission)):
        return "it holds submissions that seed-demo did not make"
    return None


def password_problem(password: str, email: str, name: str = "") -> str | None:
    """Why this password is too weak for an administrator, or None: the accounts' rule
    (length, zxcvbn against common passwords and the e-mail and name), and 12 characters."""
    local = email.split("@", 1)[0].lower()
    if len(password) < 12:
        return "use at least 12 characters (a few unrelated words are easy to type and hard to guess)"
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 5:
        return "this password is among the first a guesser tries"
    if len(local) >= 4 and local in password.lower():
        return "do not build the password from the e-mail address"
    with force_locale("vi"):
        return accounts_password_problem(password, email, name)


def _admin_password(password_file: str | None) -> str:
    """From --password-file, GOPY_ADMIN_PASSWORD, or a prompt when a person is at the terminal."""
    if password_file:
        with open(password_file, encoding="utf-8") as handle:
            return handle.readline().rstrip("\r\n")
    if os.environ.get("GOPY_ADMIN_PASSWORD"):
        return os.environ["GOPY_ADMIN_PASSWORD"]
    if not sys.stdin.isatty():
        raise click.ClickException("no password: give --password-file FILE or set GOPY_ADMIN_PASSWORD")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", default="Quản trị viên", show_default=True)
@click.option("--password-file", type=click.Path(exists=True, dir_okay=False),
              help="Read the password from the first line of this file (else GOPY_ADMIN_PASSWORD, else ask).")
def create_admin_command(email: str, name: str, password_file: str | None):
    """Create the first administrator (or make an existing account one)."""
    password = _admin_password(password_file)
    problem = password_problem(password, email, name)
    if problem:
        raise click.ClickException(f"password refused: {problem}")
    user = db.session.scalar(select(User).where(User.email == email.lower()))
    if user is None:
        user = User(email=email.lower(), full_name=name)
        db.session.add(user)
    user.role = Role.ADMIN
    user.set_password(password, current_app.config.get("PASSWORD_HASH_METHOD"))
    db.session.commit()
    click.echo(f"administrator {user.email} ready")


@click.group("attachments")
def attachments_group():
    """Attachment storage."""


@attachments_group.command("migrate-from-disk")
@click.option("--delete", is_flag=True, help="Remove each file from disk once it is stored.")
def migrate_from_disk(delete: bool):
    """Copy files kept under UPLOAD_DIR by earlier versions into the configured storage
    (ATTACHMENT_STORAGE: the database or S3). Safe to run again; nothing is lost if it stops."""
    if storage.backend() == "disk":
        raise click.ClickException("ATTACHMENT_STORAGE is disk: there is nothing to migrate to")
    moved = missing = kept = 0
    for key, content_type in db.session.execute(select(Attachment.storage_key, Attachment.content_type)).all():
        path, stored = storage.disk_path(key), storage.load_stored(key) is not None
        if not path.is_file():
            kept, missing = kept + stored, missing + (not stored)
            continue
        if stored:
            kept += 1
        else:
            storage.save(key, path.read_bytes(), content_type)
            db.session.commit()
            moved += 1
        if delete:
            path.unlink()
    click.echo(f"{moved} moved, {kept} already stored, {missing} missing")


@click.group("assets")
def assets_group():
    """Static files for the web server."""


@assets_group.command("collect")
@click.argument("destination", type=click.Path(file_okay=False))
def collect_assets(destination: str):
    """Write each static file under its content-hashed name, with .gz and .br copies, for nginx
    to send from disk (deploy/nginx.conf). Old names stay, so cached pages keep their files."""
    root = Path(destination)
    for name, hashed in assets.manifest.hashed_by_name.items():
        target = root / hashed
        target.parent.mkdir(parents=True, exist_ok=True)
        for directory in (root, *target.parent.relative_to(root).parents, target.parent.relative_to(root)):
            (root / directory).chmod(0o755)  # the app's umask is 077; nginx's user must enter
        data = (assets.STATIC_DIR / name).read_bytes()
        _write_public(target, data)
        if name.endswith(assets.COMPRESSIBLE):
            _write_public(target.with_name(target.name + ".gz"), assets.compressed(name, "gzip"))
            _write_public(target.with_name(target.name + ".br"), assets.compressed(name, "br"))
    click.echo(f"{len(assets.manifest.hashed_by_name)} files in {root}")


def _write_public(path: Path, data: bytes) -> None:
    """World-readable on purpose: nginx's own user serves these, and they hold nothing private."""
    path.write_bytes(data)
    path.chmod(0o644)


@click.group()
def translate():
    """Extract, update and compile the message catalogs."""


def _pybabel(*args: str) -> None:
    # Run from the repository root so the catalogs carry short, relative source paths.
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=BASE_DIR)


@translate.command()
def extract():
    """Collect every string marked for translation into messages.pot."""
    _pybabel("extract", "-F", "translations/babel.cfg", "-k", "_l", "--sort-by-file", "--no-wrap",
              "--project", "Gop Y", "--ignore-dirs", ".* __pycache__", "-o", "translations/messages.pot",
              "app", "templates")


@translate.command()
def update():
    """Extract, then merge new strings into the vi and en catalogs."""
    extract.callback()
    _pybabel("update", "-i", "translations/messages.pot", "-d", "translations", "--no-wrap", "--ignore-obsolete")


@translate.command()
def compile():
    """Compile the catalogs to .mo files (setup does this)."""
    _pybabel("compile", "-d", "translations")


@click.group("stats")
def stats_group():
    """The public statistics."""


@stats_group.command("refresh")
def stats_refresh():
    """Rebuild the statistics' summary now (the worker does it every 15 minutes), then compute
    the default views' figures, so no visitor waits for them."""
    run = refresh_statistics()
    click.echo(f"statistics refreshed: {run.submissions} submissions in {run.seconds:.1f} s")


@click.group("opendata")
def opendata_group():
    """The open-data files."""


@opendata_group.command("dump")
@click.option("--directory", type=click.Path(file_okay=False), help="Where to write (default: OPENDATA_DIR).")
def opendata_dump(directory: str | None):
    """Write the whole open data, gzipped, with SHA256SUMS now (the worker does it nightly)."""
    from pathlib import Path

    from app.opendata.dump import write_dump

    manifest = write_dump(Path(directory) if directory else current_app.config["OPENDATA_DIR"])
    for item in manifest["files"]:
        click.echo(f"{item['sha256']}  {item['name']}  ({item['rows']} rows, {item['bytes']} bytes)")


@click.group("privacy")
def privacy_group():
    """Personal data: retention."""


@privacy_group.command("retention")
@click.option("--dry-run", is_flag=True, help="Only count what would be removed.")
def privacy_retention(dry_run: bool):
    """Anonymise guests' submissions closed more than PRIVACY_RETENTION_MONTHS ago and delete
    expired data copies (daily, from the worker's scheduler or cron)."""
    from app.privacy.services import run_retention

    report = run_retention(dry_run=dry_run)
    verb = "would anonymise" if dry_run else "anonymised"
    click.echo(f"closed before {report.cutoff:%Y-%m-%d}: {verb} {report.submissions} submissions, "
               f"{report.attachments} attachments; expired data copies: {report.exports}")
