"""The school, its staff accounts and the channels it posts to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from classlens.storage.models.base import Base, UTCDateTime, utcnow


class School(Base):
    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    policy: Mapped[str] = mapped_column(String(40))
    # JSON object of policy settings the school changed from its preset.
    settings: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The shared photo library (a network folder) every machine uses.
    library_path: Mapped[str | None] = mapped_column(Text)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # argon2id hash. None only for accounts an older version made without a
    # password: those are locked until an ICT leader sets one.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # An initial password (given by ICT) that the user changes at first sign-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False,
                                                       server_default=false())
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The name staff go by ("Gareth Jones"), to recognise them among followers.
    display_name: Mapped[str | None] = mapped_column(String(200))


class Channel(Base):
    """Where posts go: mapped to the consent category that covers it."""

    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    category: Mapped[str] = mapped_column(String(20))
    platform: Mapped[str] = mapped_column(String(20))
