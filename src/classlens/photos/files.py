"""Which files an import takes from the files and folders a user names.

Light on purpose (no image library): the command line counts the photos of
a batch before it opens the register, to know how many workers to start.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif"}


def expand_paths(paths: Iterable[str]) -> list[str]:
    """Files as given, and the photos inside folders (recursively, sorted)."""
    files: list[str] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files.extend(str(p) for p in sorted(path.rglob("*"))
                         if p.is_file() and p.suffix.lower() in PHOTO_SUFFIXES
                         and not p.name.startswith("."))
        else:
            files.append(given)
    return files
