"""Static files under content-hashed names, so browsers may keep them for a year."""
import hashlib
from pathlib import Path

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
