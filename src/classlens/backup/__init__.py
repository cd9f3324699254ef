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

The parts, one job each:

- `archive`: the format (member names, limits, rows as JSON lines);
- `key`: the school's backup key and the manifest's MAC;
- `create`: writing a backup;
- `check`: reading one and checking everything before anything is touched;
- `restore`: putting a checked backup in place.
"""

from classlens.backup.check import CheckedBackup, check_backup, read_manifest
from classlens.backup.create import create_backup
from classlens.backup.key import backup_key_file
from classlens.backup.restore import restore_backup

__all__ = ["CheckedBackup", "backup_key_file", "check_backup", "create_backup",
           "read_manifest", "restore_backup"]
