"""Draw the app's area-level import graph from the code, as a Mermaid diagram laid out in the
layers of .importlinter, and keep docs/architecture.md's copy of it current.

    python -m tools.architecture            print the diagram
    python -m tools.architecture --write    rewrite it in docs/architecture.md
    python -m tools.architecture --check    exit 1 when the doc's copy is out of date

grimp (import-linter's own graph library) reads every import statement, including those made
inside functions. An arrow that climbs a layer breaks the contract and is drawn dashed, so the
picture shows the breaks that `lint-imports` reports until they are fixed."""
import argparse
import configparser
import re
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / ".importlinter"
DOC = ROOT / "docs" / "architecture.md"
BEGIN, END = "<!-- architecture:begin (python -m tools.architecture --write) -->", "<!-- architecture:end -->"
PACKAGE = "app"


def layers() -> list[list[str]]:
    """The layers contract's layers, top first; each a list of area names without parentheses."""
    config = configparser.ConfigParser(inline_comment_prefixes=None, comment_prefixes=("#",))
    config.read(CONTRACT, encoding="utf-8")
    raw = config["importlinter:contract:layers"]["layers"]
    rows = [line.strip() for line in raw.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [[name.strip().strip("()") for name in re.split(r"[|:]", row)] for row in rows]


def area_of(module: str, names: list[str]) -> str:
    """The most specific layer name a module belongs to ("moderation.models", "forum"). The app
    package itself is the composition root; a package split over layers (moderation) counts
    with its highest layer, where its blueprint is used."""
    tail = module.removeprefix(PACKAGE).lstrip(".")
    parts = tail.split(".") if tail else []
    for size in range(len(parts), 0, -1):
        candidate = ".".join(parts[:size])
        if candidate in names:
            return candidate
    if not parts:
        return PACKAGE
    return next((name for name in names if name.startswith(parts[0] + ".")), parts[0])


def edges(names: list[str]) -> set[tuple[str, str]]:
    graph = grimp.build_graph(PACKAGE)
    found = set()
    for module in graph.modules:
        source = area_of(module, names)
        for imported in graph.find_modules_directly_imported_by(module):
            target = area_of(imported, names)
            if target != source:
                found.add((source, target))
    return found


def _node(name: str) -> str:
    return re.sub(r"\W", "_", name)


def render() -> str:
    rows = layers()
    names = [name for row in rows for name in row]
    level = {name: index for index, row in enumerate(rows) for name in row}
    level[PACKAGE] = 0  # create_app is composition too
    # Everything imports the bottom layer, and create_app attaches every area: those arrows
    # would hide the ones worth reading, so they are left out (the doc says so).
    hidden = {PACKAGE, *rows[-1]}
    found = {(source, target) for source, target in edges(names) if source != PACKAGE and target not in hidden}
    present = {name for pair in found for name in pair}
    lines = ["```mermaid", "flowchart TB"]
    for index, row in enumerate(rows):
        members = [name for name in row if name in present or index == len(rows) - 1]
        if not members:
            continue
        lines.append(f'    subgraph layer{index}["{" · ".join(row)}"]')
        lines.append("        direction LR")
        lines += [f'        {_node(name)}["{name}"]' for name in members]
        lines.append("    end")
    for source, target in sorted(found):
        upward = level.get(source, -1) > level.get(target, -1)
        arrow = "-. breaks the layers .->" if upward else "-->"
        lines.append(f"    {_node(source)} {arrow} {_node(target)}")
    lines.append("```")
    return "\n".join(lines) + "\n"


def _documented() -> str:
    text = DOC.read_text(encoding="utf-8")
    start, stop = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[start:stop].strip("\n") + "\n"


def write() -> None:
    text = DOC.read_text(encoding="utf-8")
    start, stop = text.index(BEGIN) + len(BEGIN), text.index(END)
    DOC.write_text(text[:start] + "\n" + render() + text[stop:], encoding="utf-8")


def is_current() -> bool:
    return _documented() == render()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the diagram in docs/architecture.md")
    parser.add_argument("--check", action="store_true", help="fail when docs/architecture.md is out of date")
    args = parser.parse_args(argv)
    if args.write:
        write()
    elif args.check:
        if not is_current():
            print("docs/architecture.md is out of date: run python -m tools.architecture --write", file=sys.stderr)
            return 1
    else:
        sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
