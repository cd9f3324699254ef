"""Follower decisions, weekly follower checks and SLT's account confirmations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from classlens.storage.models.base import Base, UTCDateTime


class FollowerDecision(Base):
    """What a person decided about a follower of a channel; the latest one stands."""

    __tablename__ = "follower_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"), index=True)
    handle: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(10))  # accept | decline | block
    verdict: Mapped[str | None] = mapped_column(String(10))  # ClassLens's advice then
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FollowerCheck(Base):
    """A week's random sample of a public channel's followers, until SLT has looked."""

    __tablename__ = "follower_checks"
    __table_args__ = (UniqueConstraint("channel_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    week_start: Mapped[date] = mapped_column(Date)
    sample: Mapped[str] = mapped_column(Text)  # JSON list of follower checks
    drawn_by: Mapped[str] = mapped_column(String(100))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_by: Mapped[str | None] = mapped_column(String(100))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)


class AccountConfirmation(Base):
    """SLT confirmed, for one term, that a channel's account has a promised setting."""

    __tablename__ = "account_confirmations"
    __table_args__ = (UniqueConstraint("channel_id", "item", "term"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    item: Mapped[str] = mapped_column(String(40))
    term: Mapped[str] = mapped_column(String(20))  # "2026-autumn"
    confirmed_by: Mapped[str] = mapped_column(String(100))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime)
