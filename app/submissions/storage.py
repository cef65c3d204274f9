"""Where attachment bytes are kept, so that every node serves a file any node received.

ATTACHMENT_STORAGE picks one:
- "database" (the default): a row of bytes per file in `attachment_blob`, written in the same
  transaction as the submission, so a file and its record exist together or not at all.
  Files are at most 5 MB; PostgreSQL keeps such a `bytea` out of line (TOAST), and the
  backups hold everything.
- "s3": any S3-compatible object store (S3_BUCKET, S3_ENDPOINT_URL, S3_REGION and the usual
  credentials), through boto3.
- "disk": files under UPLOAD_DIR, as before: one node only, or a shared filesystem; nginx can
  send them itself (ATTACHMENT_ACCEL_PREFIX, X-Accel-Redirect).
Files written to disk by earlier versions are still read from there until
`flask attachments migrate-from-disk` has moved them.
"""
import io
from datetime import datetime
from pathlib import Path

from flask import current_app, send_file
from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.common.time import utcnow
from app.extensions import db


class AttachmentBlob(db.Model):
    """An attachment's bytes, under the attachment's random storage key."""

    __tablename__ = "attachment_blob"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def backend() -> str:
    return current_app.config.get("ATTACHMENT_STORAGE", "database")


def save(key: str, data: bytes, content_type: str) -> None:
    """Keep the bytes. In the database they join the current transaction."""
    kind = backend()
    if kind == "database":
        db.session.add(AttachmentBlob(key=key, data=data))
    elif kind == "s3":
        _s3().put_object(Bucket=_bucket(), Key=key, Body=data, ContentType=content_type)
    else:
        # Private to the app's user; readable by its group too when nginx sends the files
        # itself (X-Accel-Redirect): nginx's user joins that group (docs/deploy.md).
        shared = bool(current_app.config.get("ATTACHMENT_ACCEL_PREFIX"))
        path = disk_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        for folder in (path.parent, path.parent.parent):
            folder.chmod(0o750 if shared else 0o700)
        path.write_bytes(data)
        path.chmod(0o640 if shared else 0o600)


def load(key: str) -> bytes | None:
    """The bytes, or None when no backend holds them."""
    data = load_stored(key)
    if data is None and disk_path(key).is_file():  # written before the move to shared storage
        data = disk_path(key).read_bytes()
    return data


def load_stored(key: str) -> bytes | None:
    """The bytes from the configured storage alone."""
    kind = backend()
    if kind == "database":
        blob = db.session.get(AttachmentBlob, key)
        return blob.data if blob is not None else None
    if kind == "s3":
        return _s3_get(key)
    return disk_path(key).read_bytes() if disk_path(key).is_file() else None


def delete(key: str) -> None:
    kind = backend()
    if kind == "database":
        db.session.query(AttachmentBlob).filter_by(key=key).delete()
    elif kind == "s3":
        _s3().delete_object(Bucket=_bucket(), Key=key)
    disk_path(key).unlink(missing_ok=True)


def serve(key: str, content_type: str, download_name: str, as_attachment: bool):
    """A response with the file: nginx sends a disk file itself when it fronts the app."""
    prefix = current_app.config.get("ATTACHMENT_ACCEL_PREFIX")
    options = {"mimetype": content_type, "download_name": download_name, "as_attachment": as_attachment,
               "max_age": 0}
    if backend() == "disk" and prefix and disk_path(key).is_file():
        response = send_file(io.BytesIO(b""), **options)
        response.headers["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{key[:2]}/{key}"
        return response
    data = load(key)
    if data is None:
        return None
    return send_file(io.BytesIO(data), etag=key, conditional=True, **options)


def check() -> None:
    """Raise unless the configured storage answers (readiness)."""
    kind = backend()
    if kind == "database":
        db.session.query(AttachmentBlob.key).limit(1).all()
    elif kind == "s3":
        _s3().head_bucket(Bucket=_bucket())
    else:
        directory = Path(current_app.config["UPLOAD_DIR"])
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not directory.is_dir():
            raise NotADirectoryError(str(directory))


def disk_path(key: str) -> Path:
    if not key.isalnum():
        raise ValueError("bad storage key")
    return Path(current_app.config["UPLOAD_DIR"]) / key[:2] / key


def _bucket() -> str:
    return current_app.config["S3_BUCKET"]


def _s3():
    """One client per app: boto3 clients are thread-safe and costly to build."""
    client = current_app.extensions.get("gopy_s3")
    if client is None:
        import boto3  # only when S3 is configured: importing boto3 costs a third of a second
        from botocore.config import Config as BotoConfig

        config = current_app.config
        credentials = {}
        if config.get("S3_ACCESS_KEY_ID"):
            credentials = {"aws_access_key_id": config["S3_ACCESS_KEY_ID"],
                           "aws_secret_access_key": config["S3_SECRET_ACCESS_KEY"]}
        client = boto3.client("s3", endpoint_url=config.get("S3_ENDPOINT_URL") or None,
                              region_name=config.get("S3_REGION") or "us-east-1",
                              config=BotoConfig(connect_timeout=3, read_timeout=10, retries={"max_attempts": 3}),
                              **credentials)
        current_app.extensions["gopy_s3"] = client
    return client


def _s3_get(key: str) -> bytes | None:
    client = _s3()
    try:
        return client.get_object(Bucket=_bucket(), Key=key)["Body"].read()
    except client.exceptions.NoSuchKey:
        return None
