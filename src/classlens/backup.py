"""Backups of the register and the photo library, and restoring them.

A backup is one zip file: `manifest.json` (format, schema revision, row
counts), one JSON-lines file per table, and the library files the database
refers to (originals and reference photos; thumbnails are made again).

Consistency while the app is in use: every table is read in one read
transaction (a snapshot on SQLite and on PostgreSQL at REPEATABLE READ), and
library files are content-addressed and never change, so the files a row
names are exactly the files it had. The face template key is not in a backup
(the README explains how a school keeps it); without it, restored templates
cannot be read.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from datetime import date, datetime
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Date, DateTime, LargeBinary, MetaData, insert, text

from classlens.errors import ClassLensError
from classlens.photos.library import Library, write_atomic
from classlens.storage.database import Database, head_revision, upgrade
from classlens.storage.models import Base, UTCDateTime

FORMAT = "classlens-backup-1"
LIBRARY_FILES = (("photos", "library_path"), ("templates", "reference_path"))


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


def create_backup(db: Database, library: Library, target: Path) -> dict:
    """Write a consistent backup of the database and library to `target`."""
    buffer = io.BytesIO()
    counts: dict[str, int] = {}
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        elif connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN")  # one read snapshot for every table
        revision = MigrationContext.configure(connection).get_current_revision()
        files: set[str] = set()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for table in Base.metadata.sorted_tables:
                rows = connection.execute(table.select().order_by(*table.primary_key)).mappings()
                lines = []
                for row in rows:
                    lines.append(json.dumps({k: _encode(v) for k, v in row.items()}))
                    for name, column in LIBRARY_FILES:
                        if table.name == name and row[column]:
                            files.add(row[column])
                counts[table.name] = len(lines)
                archive.writestr(f"tables/{table.name}.jsonl", "\n".join(lines))
            connection.rollback()
            for relative in sorted(files):
                path = library.path(relative)
                if not path.exists():
                    raise ClassLensError(f"the library file {relative} that the register "
                                         f"refers to is missing from {library.root}")
                archive.write(path, f"library/{relative}")
            manifest = {"format": FORMAT, "revision": revision,
                        "created_at": datetime.now().astimezone().isoformat(),
                        "rows": counts, "files": len(files)}
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    write_atomic(target, buffer.getvalue())
    return manifest


def read_manifest(source: Path) -> dict:
    try:
        with zipfile.ZipFile(source) as archive:
            manifest = json.loads(archive.read("manifest.json"))
    except (OSError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as error:
        raise ClassLensError(f"{source} is not a ClassLens backup ({error})") from None
    if manifest.get("format") != FORMAT:
        raise ClassLensError(f"{source} is a backup in an unknown format "
                             f"({manifest.get('format')!r})")
    return manifest


def restore_backup(db: Database, library: Library, source: Path) -> dict:
    """Replace the database's contents and add the library files from a backup.

    All in one transaction: the schema is rebuilt at the backup's revision,
    the rows are put back, and the schema is migrated to this version.
    """
    manifest = read_manifest(source)
    with zipfile.ZipFile(source) as archive:
        for name in archive.namelist():
            if name.startswith("library/") and not name.endswith("/"):
                relative = name.removeprefix("library/")
                if ".." in Path(relative).parts:
                    raise ClassLensError(f"{source} holds an unsafe path {name!r}")
                target = library.path(relative)
                if not target.exists():
                    write_atomic(target, archive.read(name))
        with db.engine.begin() as connection:
            _drop_everything(connection)
            upgrade(connection, manifest["revision"])
            metadata = MetaData()
            metadata.reflect(connection)
            for table in Base.metadata.sorted_tables:
                if table.name not in metadata.tables:
                    continue
                stored = metadata.tables[table.name]
                decoders = {c.name: _decoder(table.c[c.name]) for c in stored.columns
                            if c.name in table.c}
                raw = archive.read(f"tables/{table.name}.jsonl").decode()
                rows = [{k: decoders[k](v) for k, v in json.loads(line).items() if k in decoders}
                        for line in raw.splitlines() if line]
                if rows:
                    connection.execute(insert(stored), rows)
                if connection.dialect.name == "postgresql" and "id" in stored.c:
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"GREATEST((SELECT max(id) FROM {table.name}), 1))"))
            upgrade(connection, head_revision())
    return manifest


def _drop_everything(connection: Connection) -> None:
    metadata = MetaData()
    metadata.reflect(connection)
    metadata.drop_all(connection)
