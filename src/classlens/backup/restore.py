"""Putting a checked backup in place, all or nothing: library files first
(content-addressed, never replaced), the new register built beside the old
one, a safety copy of the old one, then the swap."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

from sqlalchemy import Connection, MetaData, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from classlens.atomic_write import write_atomic
from classlens.backup.archive import (
    INSERT_BATCH,
    MAX_LIBRARY_FILE_BYTES,
    decoder,
    lines,
    read_member,
)
from classlens.backup.check import CheckedBackup
from classlens.backup.create import create_backup
from classlens.errors import ClassLensError
from classlens.photos.library import Library
from classlens.storage.database import Database, create_db_engine, head_revision, upgrade
from classlens.storage.models import Base


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
    write_atomic(target, read_member(archive, name, MAX_LIBRARY_FILE_BYTES))


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
        decoders = {c.name: decoder(table.c[c.name]) for c in stored.columns
                    if c.name in table.c}
        batch: list[dict] = []
        for row in lines(archive, name):
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
