"""Attachments: the type is decided by the bytes, not the name; images are re-encoded so
EXIF and GPS are gone; files are kept outside the web root under random names."""
import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from app.common.errors import ValidationError

MAX_PIXELS = 40_000_000  # a 6000x6000 photo passes; a decompression bomb does not
MAX_SIDE = 1600  # enough to read a document photo; far fewer bytes to store and serve
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass
class StoredFile:
    storage_key: str
    original_name: str
    content_type: str
    size: int


def prepare(upload) -> tuple[bytes, str, str]:
    """Check one uploaded file and return (bytes to store, content type, safe name)."""
    data = upload.read(current_app.config["ATTACHMENT_MAX_BYTES"] + 1)
    name = _safe_name(upload.filename)
    if len(data) > current_app.config["ATTACHMENT_MAX_BYTES"]:
        raise ValidationError("attachments", _("“%(name)s” is larger than 5 MB.", name=name))
    if not data:
        raise ValidationError("attachments", _("“%(name)s” is empty.", name=name))
    if data.startswith(b"%PDF-"):
        return data, "application/pdf", name
    return _reencode_image(data, name)


def _reencode_image(data: bytes, name: str) -> tuple[bytes, str, str]:
    refused = ValidationError(
        "attachments", _("“%(name)s” is not a JPEG, PNG or WebP image or a PDF document.", name=name)
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in IMAGE_FORMATS:
                raise refused
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationError("attachments", _("“%(name)s” has too many pixels.", name=name))
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise refused from None
    source_format = image.format
    image = ImageOps.exif_transpose(image)  # keep the photo upright once EXIF is dropped
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if image.mode in ("RGBA", "LA", "P") and source_format != "JPEG":
        image.save(out, "PNG", optimize=True)  # keeps transparency; no metadata is written
        return out.getvalue(), "image/png", _with_ext(name, "png")
    image.convert("RGB").save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue(), "image/jpeg", _with_ext(name, "jpg")


def store(data: bytes, content_type: str, name: str) -> StoredFile:
    key = secrets.token_hex(16)
    path = storage_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return StoredFile(storage_key=key, original_name=name, content_type=content_type, size=len(data))


def remove(key: str) -> None:
    storage_path(key).unlink(missing_ok=True)


def storage_path(key: str) -> Path:
    if not key.isalnum():
        raise ValueError("bad storage key")
    return Path(current_app.config["UPLOAD_DIR"]) / key[:2] / key


def _safe_name(filename: str | None) -> str:
    name = Path(filename or "file").name
    cleaned = "".join(ch for ch in name if ch.isprintable() and ch not in '\\/:*?"<>|')
    return (cleaned or "file")[-100:]


def _with_ext(name: str, ext: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem}.{ext}"
