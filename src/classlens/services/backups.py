"""Backing up and restoring the register and the photo library."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from classlens.audit import record
from classlens.faces.templates import key_file
from classlens.services.access import MANAGE_REGISTER, require
from classlens.services.context import Context


class BackupServices:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _template_key(self) -> Path:
        return self.ctx.key_file or key_file()

    def backup(self, actor: str, target: Path) -> dict:
        """A consistent, signed backup of the register and library, safe while in use."""
        with self.ctx.db.transaction() as session:
            require(session, actor, MANAGE_REGISTER)
        from classlens.backup import create_backup  # loads Alembic: only when needed

        manifest = create_backup(self.ctx.db, self.ctx.library, target, self._template_key())
        with self.ctx.db.transaction() as session:
            record(session, actor, "backup.created", f"file:{target.name}", None, None,
                   f"{sum(manifest['rows'].values())} rows, {manifest['files']} files")
        return manifest

    def check_backup(self, source: Path) -> dict:
        """Check a backup completely (MAC, members, rows, audit chain) without
        touching anything; returns its manifest."""
        from classlens.backup import check_backup

        return check_backup(source, self._template_key()).manifest

    def restore(self, actor: str, source: Path) -> dict:
        """Replace the register with a backup, all or nothing, after a safety copy of
        the current one (the library keeps the files it already has).

        Returns the backup's manifest and `safety_copy`, where the register as it
        was is kept (restore that file to undo).
        """
        with self.ctx.db.transaction() as session:
            require(session, actor, MANAGE_REGISTER)
        from classlens.backup import check_backup, restore_backup

        checked = check_backup(source, self._template_key())
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        safety = self._template_key().parent / "safety-copies" / f"before-restore-{stamp}.zip"
        safety.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        manifest = restore_backup(self.ctx.db, self.ctx.library, checked, safety,
                                  self._template_key())
        self.ctx.library_moved()  # the restored school may keep it elsewhere
        with self.ctx.db.transaction() as session:
            record(session, actor, "backup.restored", f"file:{source.name}", None, None,
                   f"backup of {manifest['created_at']}; the register before it is "
                   f"kept in {safety}")
        return {**manifest, "safety_copy": str(safety)}

