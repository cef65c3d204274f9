"""Write the JSON Schema of each open-data file into docs/opendata/, from the columns the app
publishes (app/common/export.py's registry), so the documented schema and the files cannot
drift apart: tests/test_opendata.py validates every JSON Lines file against these copies and
fails when a copy is out of date.

    python -m tools.opendata_schema            print the schemas
    python -m tools.opendata_schema --write    rewrite docs/opendata/*.schema.json
"""
import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "opendata"


def schemas() -> dict[str, str]:
    """{file name: the schema's text} for every registered dataset, in Vietnamese."""
    os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="gopy-schema-"))
    from flask_babel import force_locale

    from app import create_app
    from app.common import export
    from app.config import TestConfig

    app = create_app(TestConfig)
    found = {}
    with app.app_context(), force_locale("vi"):
        for dataset in export.DATASETS.values():
            text = json.dumps(export.json_schema(dataset), ensure_ascii=False, indent=2) + "\n"
            found[f"{dataset.name}.schema.json"] = text
    return found


def is_current() -> bool:
    return all((DOCS / name).exists() and (DOCS / name).read_text(encoding="utf-8") == text
               for name, text in schemas().items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    found = schemas()
    if not args.write:
        for name, text in found.items():
            sys.stdout.write(f"# {name}\n{text}")
        return
    DOCS.mkdir(parents=True, exist_ok=True)
    for name, text in found.items():
        (DOCS / name).write_text(text, encoding="utf-8")
        print(f"wrote docs/opendata/{name}")


if __name__ == "__main__":
    main()
