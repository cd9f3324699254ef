"""The audit log becomes a hash chain; PostgreSQL also refuses TRUNCATE on it.

Existing entries are chained in id order, as they stand today (the chain
proves nothing about what happened before it existed).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from classlens.audit import GENESIS, entry_hash
from classlens.storage.models import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = ("UPDATE", "DELETE")


def _chain_existing() -> None:
    log = sa.table("audit_log", sa.column("id", sa.Integer), sa.column("at", UTCDateTime),
                   *(sa.column(c, sa.Text) for c in ("actor", "action", "subject", "field",
                                                     "old_value", "new_value")),
                   sa.column("sensitive", sa.Boolean), sa.column("prev_hash", sa.String),
                   sa.column("hash", sa.String))
    bind = op.get_bind()
    head = GENESIS
    updates = []
    for row in bind.execute(sa.select(log).order_by(log.c.id)).mappings():
        digest = entry_hash(head, row["at"], row["actor"], row["action"], row["subject"],
                            row["field"], row["old_value"], row["new_value"], row["sensitive"])
        updates.append({"row_id": row["id"], "p": head, "h": digest})
        head = digest
    if updates:
        bind.execute(sa.update(log).where(log.c.id == sa.bindparam("row_id"))
                     .values(prev_hash=sa.bindparam("p"), hash=sa.bindparam("h")), updates)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # The append-only triggers are lifted for the one-off chaining (and SQLite's
    # table copy), inside this migration's transaction, and put back
    # (PostgreSQL's now with TRUNCATE too).
    if dialect == "sqlite":
        for event in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER audit_log_no_{event.lower()}")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
    op.add_column("audit_log", sa.Column("prev_hash", sa.String(64)))
    op.add_column("audit_log", sa.Column("hash", sa.String(64)))
    _chain_existing()
    with op.batch_alter_table("audit_log") as batch:  # SQLite copies the table here
        batch.alter_column("prev_hash", nullable=False)
        batch.alter_column("hash", nullable=False)
    if dialect == "sqlite":
        for event in SQLITE_TRIGGERS:
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")
    elif dialect == "postgresql":
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()")
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
    if dialect == "sqlite":
        # SQLite's DROP COLUMN cannot run while triggers name the table.
        for event in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER audit_log_no_{event.lower()}")
    op.drop_column("audit_log", "hash")
    op.drop_column("audit_log", "prev_hash")
    if dialect == "sqlite":
        for event in SQLITE_TRIGGERS:
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")
