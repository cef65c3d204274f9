"""The "my data" export: everything the registry links to a person, as one JSON file, and
their submissions' attachments beside it, in one ZIP kept in attachment storage until it
expires. Small accounts get it at once; larger ones in the background (the task queue when
REDIS_URL is set, else after the response is sent)."""
import io
import json
import logging
import secrets
import zipfile
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import after_this_request, current_app, has_request_context
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

from app.common.time import utcnow
from app.extensions import db
from app.notify.tasks import QUEUE_NAME
from app.privacy import notice
from app.privacy.models import DataExport, ExportStatus
from app.privacy.people import link, person_of, table
from app.privacy.registry import REGISTRY
from app.submissions import storage

logger = logging.getLogger(__name__)
# Named, not imported: only the composition root builds an app for a plain `rq worker`.
BUILD_JOB = "app.jobs.build_export"
CONTENT_TYPE = "application/zip"
DOWNLOAD_NAME = "gopy-du-lieu-cua-toi.zip"


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


def collect(user) -> dict:
    """Every registered table's rows about `user`, withheld columns left out."""
    person = person_of(user)
    tables = {}
    for entry in REGISTRY:
        condition = link(entry, person)
        if condition is None:
            continue
        source = table(entry)
        columns = [column for column in source.c if column.name not in entry.withheld]
        rows = db.session.execute(sa.select(*columns).where(condition).order_by(*source.primary_key.columns))
        tables[entry.table] = [{key: _plain(value) for key, value in row.items()} for row in rows.mappings()]
    return {"generated_at": utcnow().isoformat(), "notice": notice.facts(), "tables": tables}


def build_zip(user) -> bytes:
    data = collect(user)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("du-lieu.json", json.dumps(data, ensure_ascii=False, indent=1))
        for row in data["tables"].get("attachment", []):
            content = storage.load(row["storage_key"])
            if content is not None:
                archive.writestr(f"tep-dinh-kem/{row['id']}-{row['original_name']}", content)
    return out.getvalue()


def latest(user) -> DataExport | None:
    return db.session.scalar(sa.select(DataExport).where(DataExport.user_id == user.id)
                             .order_by(DataExport.id.desc()).limit(1))


def downloadable(user) -> DataExport | None:
    export = latest(user)
    if export is None or export.status != ExportStatus.READY or export.expires_at <= utcnow():
        return None
    return export


def discard(export: DataExport) -> None:
    """The file and the row (the caller commits)."""
    if export.storage_key:
        storage.delete(export.storage_key)
    db.session.delete(export)


def _is_small(user) -> bool:
    person = person_of(user)
    attachment = db.metadata.tables["attachment"]
    size = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(attachment.c.size), 0))
                             .where(attachment.c.submission_id.in_(person.submission_ids)))
    return (len(person.submission_ids) <= current_app.config["PRIVACY_EXPORT_INLINE_SUBMISSIONS"]
            and size <= current_app.config["PRIVACY_EXPORT_INLINE_BYTES"])


def request_export(user) -> DataExport:
    """Start an export (one at a time): built now for a small account, else in the background."""
    export = latest(user)
    if export is not None and export.status in ExportStatus.WAITING:
        return export
    for old in db.session.scalars(sa.select(DataExport).where(DataExport.user_id == user.id)):
        discard(old)
    export = DataExport(user_id=user.id)
    db.session.add(export)
    db.session.commit()
    if _is_small(user):
        build(export.id)
    else:
        _in_background(export.id)
    return export


def build(export_id: int) -> bool:
    """Build one export (the job): False when there is nothing to build or it failed."""
    export = db.session.get(DataExport, export_id)
    if export is None or export.status not in ExportStatus.WAITING:
        return False
    export.status = ExportStatus.RUNNING
    db.session.commit()
    try:
        data = build_zip(export.user)
        key = secrets.token_hex(16)
        storage.save(key, data, CONTENT_TYPE)
        export.storage_key, export.size = key, len(data)
        export.status = ExportStatus.READY
        export.finished_at = utcnow()
        export.expires_at = export.finished_at + timedelta(hours=current_app.config["PRIVACY_EXPORT_HOURS"])
        db.session.commit()
    except Exception as error:  # any failure leaves a row saying so, never a spinner forever
        db.session.rollback()
        logger.warning("export %d failed: %s", export_id, type(error).__name__)
        export = db.session.get(DataExport, export_id)
        export.status, export.finished_at = ExportStatus.FAILED, utcnow()
        db.session.commit()
        return False
    return True


def _in_background(export_id: int) -> None:
    if current_app.config.get("REDIS_URL"):
        try:
            connection = Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5)
            Queue(QUEUE_NAME, connection=connection).enqueue(BUILD_JOB, export_id, job_id=f"export-{export_id}")
            return
        except RedisError as error:
            logger.warning("broker unavailable, export built in this process: %s", type(error).__name__)
    app = current_app._get_current_object()

    def run():
        with app.app_context():
            build(export_id)

    if has_request_context():
        @after_this_request
        def schedule(response):
            response.call_on_close(run)
            return response
    else:
        run()
