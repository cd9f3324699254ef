"""Reading and verifying the audit log."""

from __future__ import annotations

from sqlalchemy import select

from classlens.audit import ChainReport
from classlens.audit import verify as verify_chain
from classlens.services.access import SEE_SENSITIVE, role_of
from classlens.services.context import Context
from classlens.storage.models import AuditEntry


class AuditServices:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def verify_audit(self) -> ChainReport:
        """Whether the audit log's hash chain is intact, and where it first breaks."""
        with self.ctx.db.engine.connect() as connection:
            return verify_chain(connection)

    def audit(self, viewer: str | None = None, limit: int | None = None) -> list[dict]:
        """The audit log, newest first; sensitive values hidden from most viewers."""
        with self.ctx.db.transaction() as session:
            sensitive = role_of(session, viewer) in SEE_SENSITIVE
            query = select(AuditEntry).order_by(AuditEntry.id.desc())
            if limit:
                query = query.limit(limit)
            entries = []
            for e in session.scalars(query):
                hide = e.sensitive and not sensitive
                entries.append({
                    "id": e.id, "at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                    "subject": e.subject, "field": e.field,
                    "old": "(hidden)" if hide and e.old_value else e.old_value,
                    "new": "(hidden)" if hide and e.new_value else e.new_value,
                })
            return entries

