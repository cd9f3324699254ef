"""The backup's format: the names of its members, the limits a crafted zip
cannot get past, and table rows as JSON lines, written and read in chunks."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime

from sqlalchemy import Date, DateTime, LargeBinary

from classlens.errors import ClassLensError
from classlens.storage.models import UTCDateTime

FORMAT = "classlens-backup-2"
LIBRARY_FILES = (("photos", "library_path"), ("templates", "reference_path"))
MANIFEST, MAC = "manifest.json", "manifest.mac"
# The only names ClassLens writes. Library files are named by their content's
# SHA-256, so no path in a backup can point anywhere else.
TABLE_MEMBER = re.compile(r"tables/([a-z_]{1,60})\.jsonl")
LIBRARY_PATH = re.compile(r"(originals|references)/([0-9a-f]{2})/(\2[0-9a-f]{62})"
                          r"\.(jpg|png|webp|heic|bin)")
# Bounds a crafted zip cannot get past (a zip bomb expands a few MB to GB).
MAX_MANIFEST_BYTES = 64 * 2**20
MAX_TABLE_BYTES = 4 * 2**30
MAX_LIBRARY_FILE_BYTES = 200_000_000  # as the photo importer
MAX_RATIO = 200  # uncompressed / compressed; real JSON is ~5-20, photos ~1
CHUNK = 2**20
INSERT_BATCH = 1000


# -- rows as JSON ----------------------------------------------------------------

def encode(value):
    if isinstance(value, (bytes, memoryview)):
        return {"b64": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def decoder(column):
    kind = column.type
    if isinstance(kind, LargeBinary):
        return lambda v: None if v is None else base64.b64decode(v["b64"])
    if isinstance(kind, (DateTime, UTCDateTime)):
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if isinstance(kind, Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    return lambda v: v


class HashingWriter:
    """Counts and hashes what goes into one zip member."""

    def __init__(self, stream):
        self.stream, self.size, self.digest = stream, 0, hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.stream.write(data)
        self.size += len(data)
        self.digest.update(data)

    def entry(self) -> dict:
        return {"size": self.size, "sha256": self.digest.hexdigest()}


# -- reading members ---------------------------------------------------------------

def read_member(archive: zipfile.ZipFile, name: str, limit: int) -> Iterator[bytes]:
    """A member in chunks, never more than its declared size (or `limit`)."""
    left = min(archive.getinfo(name).file_size, limit)
    with archive.open(name) as member:
        while chunk := member.read(min(CHUNK, left + 1)):
            left -= len(chunk)
            if left < 0:
                raise ClassLensError(f"{name} is longer than it says; nothing was restored")
            yield chunk


def lines(archive: zipfile.ZipFile, name: str) -> Iterator[dict]:
    """The rows of a table member, one JSON object a line."""
    rest = b""
    for chunk in read_member(archive, name, MAX_TABLE_BYTES):
        rest += chunk
        *complete, rest = rest.split(b"\n")
        for line in complete:
            if line:
                yield _row(name, line)
    if rest:
        yield _row(name, rest)


def _row(name: str, line: bytes) -> dict:
    try:
        row = json.loads(line)
    except (ValueError, RecursionError):
        row = None
    if not isinstance(row, dict):
        raise ClassLensError(f"the backup's {name} holds a line that is not a row; it is "
                             "damaged or was not made by ClassLens. Nothing was restored.")
    return row
