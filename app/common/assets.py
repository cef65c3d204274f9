"""Static files under content-hashed names, so browsers may keep them for a year."""
import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

import brotli

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
ONE_YEAR = 31536000


class AssetManifest:
    """Maps 'css/app.css' to 'css/app.1a2b3c4d5e.css' and back, read once at start-up."""

    def __init__(self, root: Path = STATIC_DIR):
        self.root = root
        self.hashed_by_name: dict[str, str] = {}
        self.name_by_hashed: dict[str, str] = {}
        self.scan()

    def scan(self) -> None:
        self.hashed_by_name.clear()
        self.name_by_hashed.clear()
        for path in sorted(self.root.rglob("*")):
            if not path.is_file() or path.name.startswith("."):
                continue
            name = path.relative_to(self.root).as_posix()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
            stem, dot, ext = name.rpartition(".")
            hashed = f"{stem}.{digest}.{ext}" if dot else f"{name}.{digest}"
            self.hashed_by_name[name] = hashed
            self.name_by_hashed[hashed] = name

    def url_path(self, name: str) -> str | None:
        return self.hashed_by_name.get(name)

    def resolve(self, hashed: str) -> str | None:
        return self.name_by_hashed.get(hashed)


manifest = AssetManifest()

# Kinds worth compressing; an image or a font is already compressed.
COMPRESSIBLE = (".css", ".js", ".svg", ".txt", ".json")


def negotiate(name: str, accept_encoding: str) -> str | None:
    """The encoding to send a static file in: brotli if asked, else gzip, else none."""
    if not name.endswith(COMPRESSIBLE):
        return None
    offered = {part.split(";")[0].strip().lower() for part in accept_encoding.split(",")}
    return "br" if "br" in offered else "gzip" if "gzip" in offered else None


@lru_cache(maxsize=64)
def compressed(name: str, encoding: str) -> bytes:
    """A static file compressed once at the highest level and kept in memory: the files
    never change under their hashed names, so no request pays for compressing them."""
    data = (STATIC_DIR / name).read_bytes()
    if encoding == "br":
        return brotli.compress(data, quality=11)
    return gzip.compress(data, compresslevel=9, mtime=0)
