"""Attachments: the type is decided by the bytes, not the name, and the stored name's
extension follows it; images are re-encoded so EXIF and GPS are gone; PDFs are rewritten
without metadata, scripts, actions, embedded files or forms, or refused; files are kept
outside the web root under random names, in the shared storage (storage.py)."""
import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from app.common.errors import ValidationError
from app.submissions import storage

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
    pdf_limit, image_limit = current_app.config["ATTACHMENT_MAX_BYTES"], current_app.config["IMAGE_MAX_BYTES"]
    data = upload.read(max(pdf_limit, image_limit) + 1)
    name = _safe_name(upload.filename)
    if not data:
        raise ValidationError("attachments", _("“%(name)s” is empty.", name=name))
    is_pdf = data.startswith(b"%PDF-")
    limit = pdf_limit if is_pdf else image_limit
    if len(data) > limit:
        raise ValidationError("attachments", _("“%(name)s” is larger than %(limit)s MB.", name=name,
                                               limit=limit // (1024 * 1024)))
    if is_pdf:
        return _rewrite_pdf(data, name), "application/pdf", _with_ext(name, "pdf")
    return _reencode_image(data, name)


# Keys that carry something to run or to open, or data about the author, anywhere in a PDF.
PDF_DROPPED_KEYS = ("/OpenAction", "/AA", "/JS", "/JavaScript", "/AcroForm", "/EmbeddedFiles", "/EmbeddedFile",
                    "/Metadata", "/PieceInfo", "/Collection", "/RichMediaContent", "/XFA")
PDF_DROPPED_ANNOTATIONS = ("/Widget", "/FileAttachment", "/Movie", "/Sound", "/Screen", "/RichMedia", "/3D")


def _rewrite_pdf(data: bytes, name: str) -> bytes:
    """Rewrite the PDF with qpdf, keeping pages, text and images and nothing that runs, links
    out or describes its author; a file qpdf cannot read is refused, never stored as it came."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            seen: set = set()
            _strip_pdf_object(pdf.Root, seen)
            for page in pdf.pages:
                _strip_pdf_object(page.obj, seen)
            out = io.BytesIO()
            pdf.save(out, deterministic_id=True, encryption=False)
    except pikepdf.PasswordError:
        raise ValidationError("attachments", _("“%(name)s” is protected by a password.", name=name)) from None
    except (pikepdf.PdfError, ValueError, RecursionError):
        raise ValidationError("attachments", _("“%(name)s” could not be read as a PDF document.", name=name)) from None
    return out.getvalue()


def _strip_pdf_object(obj, seen: set) -> None:
    """Walk dictionaries and arrays once each, dropping the keys above, every action but a jump
    within the document, and annotations that are forms, files or media."""
    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        if obj.objgen in seen:
            return
        seen.add(obj.objgen)
    if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        for key in PDF_DROPPED_KEYS:
            if key in obj:
                del obj[key]
        action = obj.get("/A")
        if isinstance(action, pikepdf.Dictionary) and action.get("/S") != pikepdf.Name.GoTo:
            del obj["/A"]
        names = obj.get("/Names")
        if isinstance(names, pikepdf.Dictionary):
            for key in ("/JavaScript", "/EmbeddedFiles"):
                if key in names:
                    del names[key]
        annotations = obj.get("/Annots")
        if isinstance(annotations, pikepdf.Array):
            kept = [a for a in annotations if not (isinstance(a, pikepdf.Dictionary)
                                                   and a.get("/Subtype") in PDF_DROPPED_ANNOTATIONS)]
            obj["/Annots"] = pikepdf.Array(kept)
        for key in list(obj.keys()):
            if key not in ("/Parent", "/P"):  # back-references: reached from the top anyway
                _strip_pdf_object(obj[key], seen)
    elif isinstance(obj, pikepdf.Array):
        for item in obj:
            _strip_pdf_object(item, seen)


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
    storage.save(key, data, content_type)
    return StoredFile(storage_key=key, original_name=name, content_type=content_type, size=len(data))


def remove(key: str) -> None:
    storage.delete(key)


def serve(attachment):
    """The file as a response (the caller has checked who may see it), or None if it is gone.
    PDFs download rather than open in the browser's viewer, under a name ending in .pdf."""
    name = attachment.original_name
    if attachment.content_type == "application/pdf":
        name = _with_ext(name, "pdf")
    return storage.serve(attachment.storage_key, attachment.content_type, name,
                         as_attachment=attachment.content_type == "application/pdf")


def _safe_name(filename: str | None) -> str:
    name = Path(filename or "file").name
    cleaned = "".join(ch for ch in name if ch.isprintable() and ch not in '\\/:*?"<>|')
    return (cleaned or "file")[-100:]


def _with_ext(name: str, ext: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem}.{ext}"
