"""Face templates encrypted at rest, with a key that is never in the database.

The key lives in a file readable only by its owner (CLASSLENS_KEY_FILE, by
default in the user's data directory). Without it, the templates in a stolen
database or backup are useless; the school must back the key up separately.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from classlens.errors import ClassLensError
from classlens.paths import data_dir

if TYPE_CHECKING:
    import numpy as np
    from cryptography.fernet import Fernet

# cryptography is imported where a template is made or read: every command
# opens the services that hold a TemplateCipher, and listing the register
# should not load it.


def key_file() -> Path:
    value = os.environ.get("CLASSLENS_KEY_FILE")
    return Path(value) if value else data_dir() / "template.key"


class TemplateCipher:
    def __init__(self, path: Path | None = None):
        self.path = path or key_file()
        self._fernet: Fernet | None = None

    def _key(self, create: bool) -> Fernet:
        from cryptography.fernet import Fernet

        if self._fernet is None:
            if not self.path.exists():
                if not create:
                    raise ClassLensError(
                        f"the face template key {self.path} is missing: restore it from the "
                        "school's key backup, or re-enrol pupils with a new key")
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # Created owner-only from the first byte (no window with wider rights).
                descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                                     stat.S_IRUSR | stat.S_IWUSR)
                with os.fdopen(descriptor, "wb") as stream:
                    stream.write(Fernet.generate_key())
            self._fernet = Fernet(self.path.read_bytes().strip())
        return self._fernet

    def check_matches(self, existing: bytes | None) -> None:
        """Before enrolling: refuse a key that is not the one the existing templates
        were made with (or a missing one), rather than start a second key that
        would make every later import fail."""
        from cryptography.fernet import InvalidToken

        if existing is None:
            return  # no templates yet: any key (a new one is made) is right
        if not self.path.exists():
            raise ClassLensError(
                f"pupils are already enrolled, but their face template key is not at "
                f"{self.path}: put the school's template.key there (your ICT leader keeps "
                "a copy with the backups). No new key was made.",
                hint="or set CLASSLENS_KEY_FILE to where the key is")
        try:
            self._key(create=False).decrypt(existing)
        except InvalidToken:
            raise ClassLensError(
                f"the face template key {self.path} is not the key the enrolled pupils' "
                "templates were made with: put the school's own template.key there. "
                "Nothing was enrolled.",
                hint="or set CLASSLENS_KEY_FILE to the school's own key") from None

    def encrypt(self, encoding: np.ndarray) -> bytes:
        import numpy as np  # lazily: listing the register needs no numpy

        return self._key(create=True).encrypt(np.asarray(encoding, dtype="<f8").tobytes())

    def decrypt(self, token: bytes) -> np.ndarray:
        import numpy as np
        from cryptography.fernet import InvalidToken

        try:
            return np.frombuffer(self._key(create=False).decrypt(token), dtype="<f8")
        except InvalidToken:
            raise ClassLensError(
                f"face templates cannot be decrypted with the key in {self.path}: it is not "
                "the key they were enrolled with") from None
