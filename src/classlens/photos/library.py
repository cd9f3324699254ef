"""The photo library: originals stored unchanged under their content hash.

Files are written atomically (temporary name, fsync, rename), so another
machine reading a shared library folder never sees half a file, and a
process killed mid-copy leaves only a temporary file behind, which the next
write into the same folder removes once it is old.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from pathlib import Path

SUFFIX = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "WEBP": ".webp", "HEIF": ".heic",
          "HEIC": ".heic"}


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# A write takes seconds; a temporary file older than this was left by a process
# that was killed mid-write (another machine may be writing a newer one now).
STALE_PART_SECONDS = 3600


def write_atomic(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_parts(target.parent)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes it owner-only; others may read photos
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _remove_stale_parts(folder: Path) -> None:
    """Temporary files that killed writes left here (a whole blurred photo,
    perhaps, in an export folder), once they are old enough to be nobody's."""
    cutoff = time.time() - STALE_PART_SECONDS
    for part in folder.glob(".part-*"):
        with contextlib.suppress(OSError):  # (gone meanwhile, or not ours to remove)
            if part.is_file() and part.stat().st_mtime < cutoff:
                part.unlink()


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
