"""Reading a backup and checking everything in it before anything is touched:
member names and sizes, the manifest's MAC, the schema revision, every
member's hash, the row counts, library paths and the audit log's chain."""

from __future__ import annotations

import hashlib
import hmac
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError

from classlens.audit import verify_rows
from classlens.backup.archive import (
    CHUNK,
    FORMAT,
    LIBRARY_FILES,
    LIBRARY_PATH,
    MAC,
    MANIFEST,
    MAX_LIBRARY_FILE_BYTES,
    MAX_MANIFEST_BYTES,
    MAX_RATIO,
    MAX_TABLE_BYTES,
    TABLE_MEMBER,
    decoder,
    lines,
    read_member,
)
from classlens.backup.key import backup_key_file, mac_key, sign
from classlens.errors import ClassLensError
from classlens.storage.database import alembic_config, head_revision
from classlens.storage.models import Base


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
            key = mac_key(backup_key_file(template_key), create=False)
            if not hmac.compare_digest(signature, sign(key, body)):
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


def _check_member(source: Path, archive: zipfile.ZipFile, name: str, expected) -> None:
    digest, size = hashlib.sha256(), 0
    for chunk in read_member(archive, name, MAX_TABLE_BYTES):
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


def _check_rows(source: Path, archive: zipfile.ZipFile, manifest: dict) -> None:
    rows = manifest.get("rows")
    if not isinstance(rows, dict):
        raise ClassLensError(f"{source} has no row counts; nothing was restored")
    members = manifest["members"]
    for table in Base.metadata.sorted_tables:
        name = f"tables/{table.name}.jsonl"
        if table.name not in rows or name not in members:
            continue  # an older schema without this table: checked when loaded
        decoders = {c.name: decoder(c) for c in table.columns}
        count = 0
        try:
            decoded = ({k: decoders[k](v) for k, v in row.items() if k in decoders}
                       for row in lines(archive, name))
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
