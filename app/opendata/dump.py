"""The nightly dump: every registered dataset, whole, as gzipped CSV and JSON Lines, with a
SHA256SUMS file (`sha256sum -c SHA256SUMS` checks a download) and a manifest the open-data
page reads. Files are written under temporary names and moved into place at the end, so a
download never meets a half-written file."""
import gzip
import hashlib
import json
import os
from pathlib import Path

from app.common import export
from app.common.time import utcnow

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"


def _write(path: Path, fmt: str, dataset: export.Dataset) -> int:
    counted = 0

    def rows():
        nonlocal counted
        for row in dataset.rows():
            counted += 1
            yield row

    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        for chunk in export.chunks(fmt, dataset.columns, rows()):
            out.write(chunk.encode())
    return counted


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_dump(directory: Path) -> dict:
    """Write the dump into `directory`; returns the manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    files, ready = [], []
    for dataset in export.DATASETS.values():
        for fmt in export.FORMATS:
            name = f"{dataset.name}.{fmt}.gz"
            temporary = directory / f".{name}.part"
            rows = _write(temporary, fmt, dataset)
            files.append({"name": name, "dataset": dataset.name, "format": fmt, "rows": rows,
                          "bytes": temporary.stat().st_size, "sha256": _sha256(temporary)})
            ready.append((temporary, directory / name))
    manifest = {"generated_at": utcnow().replace(microsecond=0).isoformat() + "Z", "licence": "CC BY 4.0",
                "files": files}
    checksums = directory / f".{CHECKSUMS}.part"
    checksums.write_text("".join(f"{item['sha256']}  {item['name']}\n" for item in files))
    listing = directory / f".{MANIFEST}.part"
    listing.write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    for temporary, final in [*ready, (checksums, directory / CHECKSUMS), (listing, directory / MANIFEST)]:
        os.replace(temporary, final)
    return manifest


def read_manifest(directory: Path) -> dict | None:
    try:
        return json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def published_names(directory: Path) -> set[str]:
    manifest = read_manifest(directory) or {"files": []}
    return {item["name"] for item in manifest["files"]} | {CHECKSUMS, MANIFEST}
