"""The photo library: originals stored unchanged under their content hash.

Files are written whole or not at all (`classlens.atomic_write`): another
machine reading a shared library folder never sees half a file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from classlens.atomic_write import write_atomic

SUFFIX = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "WEBP": ".webp", "HEIF": ".heic",
          "HEIC": ".heic"}


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Library:
    def __init__(self, root: Path):
        self.root = root

    def path(self, relative: str) -> Path:
        return self.root / relative

    def thumbnail_path(self, sha256: str, size: int) -> Path:
        """Where the cached `size`-pixel thumbnail of an original is kept."""
        return self.path(f"thumbnails/{sha256[:2]}/{sha256}-{size}.jpg")

    def store(self, kind: str, data: bytes, digest: str, image_format: str) -> str:
        """Keep `data` under `kind/ab/abcdef....ext`; returns the relative path.

        The same content always lands at the same place, so storing twice (a
        resumed import) rewrites nothing; a file already there with other
        content (damaged, or put there by hand) is replaced.
        """
        relative = f"{kind}/{digest[:2]}/{digest}{SUFFIX.get(image_format, '.bin')}"
        target = self.root / relative
        if not (target.is_file() and sha256_of(target.read_bytes()) == digest):
            write_atomic(target, data)
        return relative

    def remove(self, relative: str) -> None:
        (self.root / relative).unlink(missing_ok=True)
