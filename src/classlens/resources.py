"""Files that ship with ClassLens (demo school, presets' assets)."""

from __future__ import annotations

from pathlib import Path


def resources_dir() -> Path:
    # Installed wheels carry resources/ inside the package (see pyproject's
    # force-include); a source checkout has it at the top of the repository.
    packaged = Path(__file__).with_name("resources")
    return packaged if packaged.is_dir() else Path(__file__).parents[2] / "resources"
