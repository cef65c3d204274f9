"""Forum and moderation depend one way: the forum asks only the moderation policy (and reads its
models and word filter); moderators' decisions change the forum through the forum's services.
The import-linter contract states this for the whole application; this test keeps the two
areas honest until it runs, and also catches imports hidden inside functions."""
import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
POLICY_SIDE = {"policy", "models", "wordfilter", "notices"}


def _modules(area: str) -> list[Path]:
    return sorted((APP / area).glob("*.py"))


def _imported(tree: ast.Module) -> set[str]:
    """Every module a file imports, `from a import b` counted as both a and a.b."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@pytest.mark.parametrize("path", _modules("forum"), ids=lambda path: path.name)
def test_the_forum_asks_only_the_moderation_policy(path):
    reached = {name.split(".")[2] for name in _imported(_parsed(path))
               if name.startswith("app.moderation.")}
    assert reached <= POLICY_SIDE, f"{path.name} imports moderation's {reached - POLICY_SIDE}"


@pytest.mark.parametrize("name", sorted(POLICY_SIDE))
def test_the_moderation_policy_knows_no_forum(name):
    reached = {imported for imported in _imported(_parsed(APP / "moderation" / f"{name}.py"))
               if imported == "app.forum" or imported.startswith("app.forum.")}
    assert not reached, f"moderation/{name}.py imports {reached}"


@pytest.mark.parametrize("path", _modules("forum") + _modules("moderation"),
                         ids=lambda path: str(path.relative_to(APP)))
def test_no_import_hides_inside_a_function(path):
    tree = _parsed(path)
    top = {id(node) for node in tree.body}
    hidden = [node.lineno for node in ast.walk(tree)
              if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top]
    assert not hidden, f"{path.relative_to(APP)}: imports inside functions at lines {hidden}"
