"""Writing a backup: every table in one read snapshot, the library files the
rows name, and a manifest signed with the school's backup key."""

from __future__ import annotations

import json
import os
import zipfile
from datetime import datetime
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from classlens.backup.archive import (
    CHUNK,
    FORMAT,
    INSERT_BATCH,
    LIBRARY_FILES,
    LIBRARY_PATH,
    MAC,
    MANIFEST,
    HashingWriter,
    encode,
)
from classlens.backup.key import backup_key_file, mac_key, sign
from classlens.errors import ClassLensError
from classlens.photos.library import Library
from classlens.storage.database import Database
from classlens.storage.models import Base


def create_backup(db: Database, library: Library, target: Path, template_key: Path,
                  include_library: bool = True) -> dict:
    """Write a consistent, signed backup of the register (and its library files).

    The zip is written to `target.part`, owner-only (it holds password hashes,
    never-publish reasons and reference photos), and renamed into place when
    complete; on any failure the partial file is removed.
    """
    key = mac_key(backup_key_file(template_key), create=True)
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
                archive.writestr(MAC, sign(key, body))
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
                out = HashingWriter(member)
                for row in rows:
                    out.write(json.dumps({k: encode(v) for k, v in row.items()}).encode()
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
        out = HashingWriter(member)
        while chunk := source.read(CHUNK):
            out.write(chunk)
    entry = out.entry()
    if entry["sha256"] != match.group(3):
        raise ClassLensError(f"the library file {path} is damaged (its content no longer "
                             "matches its name); nothing was backed up")
    return entry
