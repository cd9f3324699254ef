"""The audit log's hash chain: every entry carries the hash of the one before.

The database already refuses UPDATE, DELETE (and on PostgreSQL TRUNCATE) on
the log, but anyone with the SQLite file can drop the trigger first. The
chain makes that visible: changing, removing or reordering an entry breaks
the link from the next entry, and `classlens audit verify` names where.

Writers are serialised for the moment they read the last hash and append:
two transactions must never both extend the same entry (a fork). SQLite
takes its single write lock; PostgreSQL a table lock that blocks other audit
writers only (readers are never blocked). Both are held to commit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, event, inspect, select, text
from sqlalchemy.orm import Session

from classlens.storage.models import AuditEntry, utcnow

GENESIS = "0" * 64  # what the first entry links to
_HEAD = "classlens.audit_head"  # session.info key: the hash of this session's last entry


def entry_hash(prev_hash: str, at: datetime, actor: str, action: str, subject: str,
               field: str | None, old_value: str | None, new_value: str | None,
               sensitive: bool) -> str:
    """SHA-256 over the previous hash and every field, in a fixed text form."""
    canonical = json.dumps([prev_hash, at.isoformat(), actor, action, subject, field,
                            old_value, new_value, bool(sensitive)],
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _lock_and_read_head(session: Session) -> str:
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        # A write statement that changes nothing: pysqlite begins the transaction
        # and SQLite grants its one write lock, so the head read next is the newest.
        connection.execute(text("UPDATE audit_log SET id = id WHERE 0"))
    elif connection.dialect.name == "postgresql":
        # The register's lock (the school row, see ServiceBase._lock_register)
        # first, then the log's: every writer takes them in this order, so a
        # consent change holding the first never waits on an export holding
        # the second while that export waits for the first (a deadlock).
        connection.execute(text("SELECT id FROM school FOR UPDATE"))
        connection.execute(text("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE"))
    head = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    return head or GENESIS


def chain(session: Session, rows: Iterable[dict]) -> list[dict]:
    """Give rows for a bulk INSERT (AuditEntry column values) their place in the
    chain, in order, after the entries this session has pending."""
    session.flush()
    return _link(session, rows)


def _link(session: Session, rows: Iterable[dict]) -> list[dict]:
    head = session.info.get(_HEAD) or _lock_and_read_head(session)
    chained = []
    for row in rows:
        row = {**row, "prev_hash": head}
        row["hash"] = head = entry_hash(
            head, row["at"], row["actor"], row["action"], row["subject"], row.get("field"),
            row.get("old_value"), row.get("new_value"), row.get("sensitive", False))
        chained.append(row)
    session.info[_HEAD] = head
    return chained


def record(session: Session, actor: str, action: str, subject: str,
           field_: str | None = None, old: str | None = None, new: str | None = None,
           sensitive: bool = False) -> AuditEntry:
    """Append one entry to the log; it is chained when the session flushes."""
    entry = AuditEntry(at=utcnow(), actor=actor, action=action, subject=subject,
                       field=field_, old_value=old, new_value=new, sensitive=sensitive)
    session.add(entry)
    return entry


_FIELDS = ("at", "actor", "action", "subject", "field", "old_value", "new_value", "sensitive")


@event.listens_for(Session, "before_flush")
def _chain_new_entries(session: Session, _context, _instances) -> None:
    """Every new entry, however it was added, is chained here in the order it
    was added (the order the flush inserts them), so no code path leaves a gap."""
    new = [o for o in session.new if isinstance(o, AuditEntry) and o.hash is None]
    if not new:
        return
    new.sort(key=lambda o: inspect(o).insert_order or 0)
    rows = _link(session, [{name: getattr(o, name) for name in _FIELDS} for o in new])
    for entry, row in zip(new, rows, strict=True):
        entry.prev_hash, entry.hash = row["prev_hash"], row["hash"]


@dataclass
class ChainReport:
    entries: int
    intact: bool
    first_bad_id: int | None = None
    problem: str | None = None

    def as_dict(self) -> dict:
        return {"intact": self.intact, "entries": self.entries,
                "first_bad_entry": self.first_bad_id, "problem": self.problem}


def verify_rows(rows: Iterable) -> ChainReport:
    """Walk entries in id order; rows have AuditEntry's attributes (or mapping keys)."""
    head, count = GENESIS, 0
    for row in rows:
        get = row.get if isinstance(row, dict) else lambda k, r=row: getattr(r, k)
        count += 1
        if get("prev_hash") != head:
            return ChainReport(count, False, get("id"),
                               "it does not follow the entry before it: an entry was "
                               "removed, inserted or reordered just before it")
        expected = entry_hash(head, get("at"), get("actor"), get("action"), get("subject"),
                              get("field"), get("old_value"), get("new_value"),
                              get("sensitive"))
        if get("hash") != expected:
            return ChainReport(count, False, get("id"), "its contents were changed after it "
                               "was written")
        head = expected
    return ChainReport(count, True)


def verify(connection: Connection) -> ChainReport:
    """Check the whole log, streaming (memory stays flat however long it is)."""
    table = AuditEntry.__table__
    result = connection.execution_options(yield_per=2000).execute(
        table.select().order_by(table.c.id)).mappings()
    # The UTC column type is applied by the table's columns, so `at` is aware here.
    return verify_rows(dict(row) for row in result)
