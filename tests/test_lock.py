"""The lock files pin, with hashes, a version of every package the requirement files name
that those files allow: editing a requirement without `make lock` fails here."""
import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from app.config import BASE_DIR


def _requirements(path: Path) -> list[Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("-")]


def _pins(path: Path) -> dict[str, str]:
    text = path.read_text()
    pins = dict(re.findall(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+) \\$", text, re.MULTILINE))
    assert pins, f"{path.name} pins nothing"
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    assert all("--hash=sha256:" in block for block in blocks if "==" in block.split("\n", 1)[0])
    return {canonicalize_name(re.sub(r"\[.*\]", "", name)): version for name, version in pins.items()}


@pytest.mark.parametrize("source, lock", [
    ("requirements.txt", "requirements.lock"),
    ("requirements-dev.txt", "requirements-dev.lock"),
    ("requirements.txt", "requirements-dev.lock"),
])
def test_lock_pins_what_the_requirements_allow(source, lock):
    pins = _pins(BASE_DIR / lock)
    for requirement in _requirements(BASE_DIR / source):
        version = pins.get(canonicalize_name(requirement.name))
        assert version, f"{requirement.name} is not in {lock}: run make lock"
        assert requirement.specifier.contains(version), f"{lock} pins {requirement.name} {version}: run make lock"
