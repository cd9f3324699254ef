"""Backups of the register and the photo library, and restoring them.

A backup is one zip file: one JSON-lines file per table, the library files
the register refers to (originals and reference photos, named by their
SHA-256; thumbnails are made again), `manifest.json` (format, schema
revision, row counts, and the size and SHA-256 of every other member) and
`manifest.mac`, an HMAC-SHA256 of the manifest under the school's backup key
(`backup.key`, beside the face template key). The MAC covers the manifest,
the manifest covers every member: a backup edited by anyone without the key
is refused, and so is one whose audit log's hash chain is broken.

Consistency while the app is in use: every table is read in one read
transaction (a snapshot on SQLite and on PostgreSQL at REPEATABLE READ), and
library files are content-addressed and never change.

Restore is all or nothing. The whole backup is checked first without
touching the register; then the rows are loaded into a new database (SQLite:
a new file beside the register; PostgreSQL: one transaction), a safety copy
of the current register is written, and only then is the new register put
in place: on SQLite with SQLite's backup API, which replaces every page in
one transaction, so a process killed at any moment leaves the old register
or the new one. Everything is streamed: memory stays flat however large the
library.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import sqlite3
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Date, DateTime, LargeBinary, MetaData, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from classlens.audit import verify_rows
from classlens.errors import ClassLensError
from classlens.photos.library import Library
from classlens.storage.database import (
    Database,
    alembic_config,
    create_db_engine,
    head_revision,
    upgrade,
)
from classlens.storage.models import Base, UTCDateTime

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


# -- the backup key -------------------------------------------------------------

def backup_key_file(template_key: Path) -> Path:
    """The MAC key lives beside the face template key, and is kept the same way."""
    return template_key.with_name("backup.key")


def _mac_key(path: Path, create: bool) -> bytes:
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


def _sign(key: bytes, manifest: bytes) -> str:
    return hmac.new(key, manifest, hashlib.sha256).hexdigest()


# -- rows as JSON ----------------------------------------------------------------

def _encode(value):
    if isinstance(value, (bytes, memoryview)):
        return {"b64": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _decoder(column):
    kind = column.type
    if isinstance(kind, LargeBinary):
        return lambda v: None if v is None else base64.b64decode(v["b64"])
    if isinstance(kind, (DateTime, UTCDateTime)):
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if isinstance(kind, Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    return lambda v: v


class _HashingWriter:
    """Counts and hashes what goes into one zip member."""

    def __init__(self, stream):
        self.stream, self.size, self.digest = stream, 0, hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.stream.write(data)
        self.size += len(data)
        self.digest.update(data)

    def entry(self) -> dict:
        return {"size": self.size, "sha256": self.digest.hexdigest()}


# -- making a backup ---------------------------------------------------------------

def create_backup(db: Database, library: Library, target: Path, template_key: Path,
                  include_library: bool = True) -> dict:
    """Write a consistent, signed backup of the register (and its library files).

    The zip is written to `target.part`, owner-only (it holds password hashes,
    never-publish reasons and reference photos), and renamed into place when
    complete; on any failure the partial file is removed.
    """
    key = _mac_key(backup_key_file(template_key), create=True)
    target = Path(target)
    part = target.with_name(target.name + ".part")
    part.unlink(missing_ok=True)  # left by a backup killed earlier
    descriptor = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
                manifest = _write_members(db, library, archive, include_library)
                body = json.dumps(manifest, indent=1).encode()
                archive.writestr(MANIFEST, body)
                archive.writestr(MAC, _sign(key, body))
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(part, target)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return manifest


def _write_members(db: Database, library: Library, archive: zipfile.ZipFile,
                   include_library: bool) -> dict:
    members: dict[str, dict] = {}
    counts: dict[str, int] = {}
    files: set[str] = set()
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        elif connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN")  # one read snapshot for every table
        revision = MigrationContext.configure(connection).get_current_revision()
        for table in Base.metadata.sorted_tables:
            name = f"tables/{table.name}.jsonl"
            rows = connection.execution_options(yield_per=INSERT_BATCH).execute(
                table.select().order_by(*table.primary_key)).mappings()
            count = 0
            with archive.open(name, "w", force_zip64=True) as member:
                out = _HashingWriter(member)
                for row in rows:
                    out.write(json.dumps({k: _encode(v) for k, v in row.items()}).encode()
                              + b"\n")
                    count += 1
                    for table_name, column in LIBRARY_FILES:
                        if table.name == table_name and row[column]:
                            files.add(row[column])
            members[name] = out.entry()
            counts[table.name] = count
        connection.rollback()
    if include_library:
        for relative in sorted(files):
            members[f"library/{relative}"] = _write_library_file(library, relative, archive)
    return {"format": FORMAT, "revision": revision,
            "created_at": datetime.now().astimezone().isoformat(),
            "rows": counts, "files": len(files) if include_library else 0,
            "library": include_library, "members": members}


def _write_library_file(library: Library, relative: str, archive: zipfile.ZipFile) -> dict:
    match = LIBRARY_PATH.fullmatch(relative)
    if match is None:
        raise ClassLensError(f"the register refers to a library file with an unexpected "
                             f"name, {relative!r}; nothing was backed up")
    path = library.path(relative)
    try:
        source = path.open("rb")
    except FileNotFoundError:
        raise ClassLensError(f"the library file {relative} that the register refers to is "
                             f"missing from {library.root}") from None
    with source, archive.open(f"library/{relative}", "w", force_zip64=True) as member:
        out = _HashingWriter(member)
        while chunk := source.read(CHUNK):
            out.write(chunk)
    entry = out.entry()
    if entry["sha256"] != match.group(3):
        raise ClassLensError(f"the library file {path} is damaged (its content no longer "
                             "matches its name); nothing was backed up")
    return entry


# -- checking a backup -----------------------------------------------------------------

@dataclass
class CheckedBackup:
    source: Path
    manifest: dict


def read_manifest(source: Path) -> dict:
    """The manifest as written (not yet checked: see `check_backup`)."""
    try:
        with zipfile.ZipFile(source) as archive:
            info = archive.getinfo(MANIFEST)
            if info.file_size > MAX_MANIFEST_BYTES:
                raise ClassLensError(f"{source} is not a ClassLens backup (its manifest is "
                                     "far too large)")
            manifest = json.loads(archive.read(info))
    except (OSError, KeyError, zipfile.BadZipFile, zlib.error, ValueError,
            RecursionError) as error:  # RecursionError: a crafted, deeply nested manifest
        raise ClassLensError(f"{source} is not a ClassLens backup "
                             f"({type(error).__name__}: {str(error)[:200]})") from None
    if not isinstance(manifest, dict):
        raise ClassLensError(f"{source} is not a ClassLens backup (no manifest)")
    if manifest.get("format") == "classlens-backup-1":
        raise ClassLensError(f"{source} was made by an earlier ClassLens whose backups carry "
                             "no MAC, so it cannot be checked; restore it with that version")
    if manifest.get("format") != FORMAT:
        raise ClassLensError(f"{source} is a backup in an unknown format "
                             f"({manifest.get('format')!r})")
    return manifest


def check_backup(source: Path, template_key: Path) -> CheckedBackup:
    """Check everything in a backup before anything is touched.

    The member names, their declared sizes and compression ratios, the
    manifest's MAC, the schema revision, every member's size and SHA-256, row
    counts, library paths named by the rows, and the audit log's chain.
    """
    source = Path(source)
    manifest = read_manifest(source)
    try:
        with zipfile.ZipFile(source) as archive:
            _check_names_and_sizes(source, archive)
            body = archive.read(MANIFEST)
            signature = archive.read(MAC).decode("ascii", "replace").strip()
            key = _mac_key(backup_key_file(template_key), create=False)
            if not hmac.compare_digest(signature, _sign(key, body)):
                raise ClassLensError(
                    f"{source} does not carry this school's signature (MAC): it was changed "
                    "after it was made, or made with another backup key. Nothing was "
                    "restored.")
            _check_revision(source, manifest)
            members = manifest.get("members")
            if not isinstance(members, dict):
                members = {}
            listed = set(members)
            present = set(archive.namelist()) - {MANIFEST, MAC}
            if listed != present:
                extra = sorted(present - listed) or sorted(listed - present)
                raise ClassLensError(f"{source} does not match its manifest "
                                     f"({extra[0]!r}); nothing was restored")
            for name in sorted(listed):
                _check_member(source, archive, name, members[name])
            _check_rows(source, archive, manifest)
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise ClassLensError(f"{source} is damaged ({error}); nothing was restored") from None
    return CheckedBackup(source, manifest)


def _check_names_and_sizes(source: Path, archive: zipfile.ZipFile) -> None:
    seen: set[str] = set()
    for info in archive.infolist():
        name = info.filename
        if name in seen:
            raise ClassLensError(f"{source} holds {name!r} twice; nothing was restored")
        seen.add(name)
        if name in (MANIFEST, MAC):
            limit = MAX_MANIFEST_BYTES
        elif TABLE_MEMBER.fullmatch(name):
            limit = MAX_TABLE_BYTES
        elif name.startswith("library/") and LIBRARY_PATH.fullmatch(name[8:]):
            limit = MAX_LIBRARY_FILE_BYTES
        else:
            raise ClassLensError(f"{source} holds {name!r}, which is not a name ClassLens "
                                 "writes (a crafted backup?); nothing was restored")
        if info.file_size > limit:
            raise ClassLensError(f"{source}: {name} is too large ({info.file_size:,} bytes); "
                                 "nothing was restored")
        if info.file_size > CHUNK and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ClassLensError(f"{source}: {name} expands {info.file_size:,} bytes from "
                                 f"{info.compress_size:,} (a zip bomb?); nothing was restored")


def _check_revision(source: Path, manifest: dict) -> None:
    revision = manifest.get("revision")
    try:
        known = isinstance(revision, str) and ScriptDirectory.from_config(
            alembic_config()).get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise ClassLensError(
            f"{source} was made by a newer ClassLens (register version {revision!r}, this "
            f"version knows up to {head_revision()}): install that version or newer to "
            "restore it. Nothing was restored.")


def _read_member(archive: zipfile.ZipFile, name: str, limit: int) -> Iterator[bytes]:
    """A member in chunks, never more than its declared size (or `limit`)."""
    left = min(archive.getinfo(name).file_size, limit)
    with archive.open(name) as member:
        while chunk := member.read(min(CHUNK, left + 1)):
            left -= len(chunk)
            if left < 0:
                raise ClassLensError(f"{name} is longer than it says; nothing was restored")
            yield chunk


def _check_member(source: Path, archive: zipfile.ZipFile, name: str, expected) -> None:
    digest, size = hashlib.sha256(), 0
    for chunk in _read_member(archive, name, MAX_TABLE_BYTES):
        digest.update(chunk)
        size += len(chunk)
    if not isinstance(expected, dict) or (size, digest.hexdigest()) != (
            expected.get("size"), expected.get("sha256")):
        raise ClassLensError(f"{source}: {name} is damaged or was changed (its size or "
                             "SHA-256 differs from the manifest); nothing was restored")
    match = LIBRARY_PATH.fullmatch(name.removeprefix("library/"))
    if name.startswith("library/") and match and match.group(3) != digest.hexdigest():
        raise ClassLensError(f"{source}: {name} does not hold the file its name says; "
                             "nothing was restored")


def _lines(archive: zipfile.ZipFile, name: str) -> Iterator[dict]:
    rest = b""
    for chunk in _read_member(archive, name, MAX_TABLE_BYTES):
        rest += chunk
        *lines, rest = rest.split(b"\n")
        for line in lines:
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


def _check_rows(source: Path, archive: zipfile.ZipFile, manifest: dict) -> None:
    rows = manifest.get("rows")
    if not isinstance(rows, dict):
        raise ClassLensError(f"{source} has no row counts; nothing was restored")
    members = manifest["members"]
    for table in Base.metadata.sorted_tables:
        name = f"tables/{table.name}.jsonl"
        if table.name not in rows or name not in members:
            continue  # an older schema without this table: checked when loaded
        decoders = {c.name: _decoder(c) for c in table.columns}
        count = 0
        try:
            decoded = ({k: decoders[k](v) for k, v in row.items() if k in decoders}
                       for row in _lines(archive, name))
            if table.name == "audit_log":
                report = verify_rows(decoded)
                count = report.entries
                if not report.intact:
                    raise ClassLensError(
                        f"{source}: the audit log in this backup was tampered with (entry "
                        f"{report.first_bad_id}: {report.problem}); nothing was restored")
            else:
                for row in decoded:
                    count += 1
                    for table_name, column in LIBRARY_FILES:
                        path = row.get(column) if table.name == table_name else None
                        if path is not None and not LIBRARY_PATH.fullmatch(str(path)):
                            raise ClassLensError(f"{source}: {table.name} names an unsafe "
                                                 f"library path {path!r}")
                        if path is not None and manifest.get("library") and (
                                f"library/{path}" not in members):
                            raise ClassLensError(f"{source}: {table.name} refers to {path}, "
                                                 "which is not in the backup")
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise ClassLensError(f"{source}: {name} holds a row that cannot be read "
                                 f"({error}); nothing was restored") from None
        if count != rows[table.name]:
            raise ClassLensError(f"{source}: {name} has {count} rows, the manifest says "
                                 f"{rows[table.name]}; nothing was restored")


# -- restoring ---------------------------------------------------------------------------

def restore_backup(db: Database, library: Library, checked: CheckedBackup,
                   safety_copy: Path, template_key: Path) -> dict:
    """Replace the register with a checked backup; all or nothing.

    Order: library files are added (harmless: content-addressed, never
    replaced), the new register is built beside the old one, a safety copy of
    the old one is written to `safety_copy`, and the new one is put in place.
    """
    source, manifest = checked.source, checked.manifest
    with zipfile.ZipFile(source) as archive:
        for name in archive.namelist():
            if name.startswith("library/"):
                _restore_library_file(archive, name, library)
        if db.engine.dialect.name == "sqlite":
            _restore_sqlite(db, archive, manifest, safety_copy, library, template_key)
        else:
            create_backup(db, library, safety_copy, template_key, include_library=False)
            with db.engine.begin() as connection:
                _drop_everything(connection)
                _load(connection, archive, manifest)
    return manifest


def _restore_library_file(archive: zipfile.ZipFile, name: str, library: Library) -> None:
    relative = name.removeprefix("library/")
    target = library.path(relative)  # checked: `kind/ab/<sha256>.ext`, nothing else
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as stream:
            for chunk in _read_member(archive, name, MAX_LIBRARY_FILE_BYTES):
                stream.write(chunk)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # as the importer writes them
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _restore_sqlite(db: Database, archive: zipfile.ZipFile, manifest: dict,
                    safety_copy: Path, library: Library, template_key: Path) -> None:
    database = make_url(db.url).database
    assert database is not None  # only a SQLite file is restored this way
    live = Path(database)
    scratch = live.with_name(live.name + ".restoring")
    _remove_sqlite(scratch)  # left by a restore killed earlier
    engine = create_db_engine(f"sqlite:///{scratch}")
    try:
        with engine.begin() as connection:
            _load(connection, archive, manifest)
        create_backup(db, library, safety_copy, template_key, include_library=False)
        db.engine.dispose()  # no pooled connection of ours holds the old file
        with engine.connect() as connection:
            new = connection.connection.dbapi_connection
            assert new is not None  # an open connection has its driver's connection
            old = sqlite3.connect(live, timeout=30)
            try:
                # One step, one write transaction on the register: a process killed
                # during it leaves the old pages (the WAL frames never commit).
                new.backup(old, pages=-1)
            finally:
                old.close()
    finally:
        engine.dispose()
        _remove_sqlite(scratch)


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _load(connection: Connection, archive: zipfile.ZipFile, manifest: dict) -> None:
    """Build the schema at the backup's revision, put the rows back, migrate."""
    try:
        _load_rows(connection, archive, manifest)
    except SQLAlchemyError as error:
        raise ClassLensError(
            "the backup's rows cannot be put back together (for example a row twice, or a "
            f"row whose partner is missing): {getattr(error, 'orig', error)}. Nothing was "
            "restored.") from None


def _load_rows(connection: Connection, archive: zipfile.ZipFile, manifest: dict) -> None:
    upgrade(connection, manifest["revision"])
    metadata = MetaData()
    metadata.reflect(connection)
    for table in Base.metadata.sorted_tables:
        if table.name not in metadata.tables:
            continue
        name = f"tables/{table.name}.jsonl"
        if name not in manifest["members"]:
            raise ClassLensError(f"the backup has no {table.name} table; nothing was restored")
        stored = metadata.tables[table.name]
        decoders = {c.name: _decoder(table.c[c.name]) for c in stored.columns
                    if c.name in table.c}
        batch: list[dict] = []
        for row in _lines(archive, name):
            batch.append({k: decoders[k](v) for k, v in row.items() if k in decoders})
            if len(batch) >= INSERT_BATCH:
                connection.execute(insert(stored), batch)
                batch = []
        if batch:
            connection.execute(insert(stored), batch)
        if connection.dialect.name == "postgresql" and "id" in stored.c:
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"GREATEST((SELECT max(id) FROM {table.name}), 1))"))
    upgrade(connection, head_revision())


def _drop_everything(connection: Connection) -> None:
    metadata = MetaData()
    metadata.reflect(connection)
    metadata.drop_all(connection)
