"""Command-line tasks: flask seed-reference, seed-demo, create-admin, translate, and the
scheduled ones: stats refresh, opendata dump."""
import subprocess
import sys

import click
from flask import Flask, current_app
from sqlalchemy import select

from app.config import BASE_DIR


def register(app: Flask) -> None:
    app.cli.add_command(seed_reference_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(translate)
    app.cli.add_command(stats_group)
    app.cli.add_command(opendata_group)


@click.command("seed-reference")
def seed_reference_command():
    """Add the agencies and topic tree every installation needs (safe to run again)."""
    from app.seeds.reference import seed_reference

    seed_reference()
    click.echo("reference data ready")


@click.command("seed-demo")
@click.option("--count", default=300, show_default=True, help="How many submissions to make.")
def seed_demo_command(count: int):
    """Fill an empty database with demo accounts and submissions."""
    from app.seeds.demo import seed_demo

    made = seed_demo(count)
    click.echo(f"demo data ready ({made} new submissions)")


@click.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", default="Quản trị viên", show_default=True)
@click.password_option()
def create_admin_command(email: str, name: str, password: str):
    """Create the first administrator (or make an existing account one)."""
    from app.accounts.models import User
    from app.common.roles import Role
    from app.extensions import db

    user = db.session.scalar(select(User).where(User.email == email.lower()))
    if user is None:
        user = User(email=email.lower(), full_name=name)
        db.session.add(user)
    user.role = Role.ADMIN
    user.set_password(password, current_app.config.get("PASSWORD_HASH_METHOD"))
    db.session.commit()
    click.echo(f"administrator {user.email} ready")


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
             "--project", "Gop Y", "--ignore-dirs", ".* __pycache__", "-o", "translations/messages.pot", "app", "templates")


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
    """Rebuild the statistics' summary (cron: every 15 minutes), then compute the default
    views' figures, so no visitor waits for them."""
    from app.stats import services
    from app.stats.refresh import refresh

    run = refresh()
    services.overview(services.StatsFilters())
    services.scorecard(services.StatsFilters())
    click.echo(f"statistics refreshed: {run.submissions} submissions in {run.seconds:.1f} s")


@click.group("opendata")
def opendata_group():
    """The open-data files."""


@opendata_group.command("dump")
@click.option("--directory", type=click.Path(file_okay=False), help="Where to write (default: OPENDATA_DIR).")
def opendata_dump(directory: str | None):
    """Write the whole open data, gzipped, with SHA256SUMS (cron: nightly, after stats refresh)."""
    from pathlib import Path

    from app.opendata.dump import write_dump

    manifest = write_dump(Path(directory) if directory else current_app.config["OPENDATA_DIR"])
    for item in manifest["files"]:
        click.echo(f"{item['sha256']}  {item['name']}  ({item['rows']} rows, {item['bytes']} bytes)")
