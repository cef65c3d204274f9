"""docs/architecture.md draws the import graph from the code; the drawing must be current."""
from tools import architecture


def test_the_documented_diagram_matches_the_code():
    assert architecture.is_current(), "docs/architecture.md is out of date: run make architecture"


def test_the_diagram_is_laid_out_in_the_contracts_layers():
    rows = architecture.layers()
    assert rows[0][0] == "cli" and rows[-1][0] == "common", "the contract's layers are read top to bottom"
    diagram = architecture.render()
    for name in ("submissions", "feedback", "tracking", "desk", "forum", "notify"):
        assert f'["{name}"]' in diagram, f"{name} is missing from the picture"
