"""The layers contract names every part of the project, so a new package cannot slip past it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _layered_modules() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")["layers"]
    names = re.split(r"[|:\s\\]+", " ".join(layers))
    return {name.strip("()") for name in names if name}


def _parts_of(package: str) -> set[str]:
    """The modules and subpackages directly inside a package folder, as dotted names."""
    folder = ROOT / package
    parts = {f"{package}.{p.stem}" for p in folder.glob("*.py") if p.stem != "__init__"}
    parts |= {
        f"{package}.{p.name}"
        for p in folder.iterdir()
        if p.is_dir() and any(p.glob("*.py")) and p.name != "__pycache__"
    }
    return parts


def test_every_module_under_forum_is_in_the_layers_contract() -> None:
    missing = _parts_of("forum") - _layered_modules()
    assert not missing, f"add these to the layers contract in pyproject.toml: {sorted(missing)}"


def test_moderation_and_realtime_are_layers_of_their_own() -> None:
    assert {"moderation", "realtime"} <= _layered_modules()
