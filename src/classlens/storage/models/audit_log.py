"""The audit log: append-only, each entry chained to the one before."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from classlens.storage.models.base import Base, UTCDateTime


class AuditEntry(Base):
    """Append-only: the database refuses updates and deletes (see migrations), and
    each entry is chained to the one before (write them with `audit.record`)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(200))
    field: Mapped[str | None] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    # Values only ict and slt may read (never-publish reasons).
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    # The hash chain (see classlens/audit.py): the previous entry's hash, and
    # this entry's own over that and every field above.
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
