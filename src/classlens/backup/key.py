"""The school's backup key, and the MAC it puts on a backup's manifest."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import stat
from pathlib import Path

from classlens.errors import ClassLensError


def backup_key_file(template_key: Path) -> Path:
    """The MAC key lives beside the face template key, and is kept the same way."""
    return template_key.with_name("backup.key")


def mac_key(path: Path, create: bool) -> bytes:
    """The key in `path`; made (owner-only) when `create` and there is none yet."""
    if not path.exists():
        if not create:
            raise ClassLensError(
                f"the backup key {path} is missing, so this backup cannot be checked: copy "
                "the school's backup.key there (it is kept with template.key) and try again")
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                             stat.S_IRUSR | stat.S_IWUSR)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(base64.urlsafe_b64encode(os.urandom(32)))
    return path.read_bytes().strip()


def sign(key: bytes, manifest: bytes) -> str:
    return hmac.new(key, manifest, hashlib.sha256).hexdigest()
