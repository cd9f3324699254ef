"""Writing a file so that nobody ever sees half of it.

The bytes go to a temporary file beside the target, are flushed to disk and
the file renamed over the target, so another machine reading a shared folder
sees the old file or the new one. A process killed mid-write leaves only a
temporary file behind (hidden, `.part-...`), which the next write into the
same folder removes once it is old enough to be nobody's.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

# A write takes seconds; a temporary file older than this was left by a process
# that was killed mid-write (another machine may be writing a newer one now).
STALE_PART_SECONDS = 3600


def write_atomic(target: Path, data: bytes | Iterable[bytes]) -> None:
    """Write `data` (bytes, or chunks of them) to `target`, whole or not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_parts(target.parent)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as stream:
            for chunk in [data] if isinstance(data, bytes) else data:
                stream.write(chunk)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes it owner-only; others may read photos
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _remove_stale_parts(folder: Path) -> None:
    """Temporary files that killed writes left here (a whole blurred photo,
    perhaps, in an export folder; half a face network in the model cache)."""
    cutoff = time.time() - STALE_PART_SECONDS
    for part in folder.glob(".part-*"):
        with contextlib.suppress(OSError):  # (gone meanwhile, or not ours to remove)
            if part.is_file() and part.stat().st_mtime < cutoff:
                part.unlink()
