"""Posts and their photos, the publication log, takedowns and removal requests."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from classlens.storage.models.base import Base, UTCDateTime

if TYPE_CHECKING:
    from classlens.storage.models.photos import Photo
    from classlens.storage.models.register import SchoolClass
    from classlens.storage.models.school import Channel


class Post(Base):
    """A captioned post of photos for one channel, through its approval life.

    `version` is checked on every update (optimistic locking): two people
    approving or editing the same post at once cannot both win silently.
    """

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    author: Mapped[str] = mapped_column(String(100))
    caption: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), index=True)
    acknowledged: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of rule ids
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(100))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))  # the approver or rejecter
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    # JSON: per photo, every face approved: box, shown or blurred, and why.
    approval_snapshot: Mapped[str | None] = mapped_column(Text)
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exported_by: Mapped[str | None] = mapped_column(String(100))
    url: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # "general" counts towards the weekly quota; "event" (sports day, trip) does not.
    kind: Mapped[str] = mapped_column(String(10), default="general", server_default="general")

    school_class: Mapped[SchoolClass] = relationship()
    channel: Mapped[Channel] = relationship()
    photos: Mapped[list[PostPhoto]] = relationship(
        back_populates="post", cascade="all, delete-orphan", order_by="PostPhoto.position")

    __mapper_args__ = {"version_id_col": version}


class PostPhoto(Base):
    __tablename__ = "post_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id"))
    position: Mapped[int] = mapped_column(Integer)
    alt_text: Mapped[str] = mapped_column(Text, default="")

    post: Mapped[Post] = relationship(back_populates="photos")
    photo: Mapped[Photo] = relationship()


class Publication(Base):
    """The publication log: every file that left the app, and each pupil shown
    unblurred in it (one row per pupil; one row with no pupil when none is).

    `post_id` is empty for a single photo exported outside a post.
    """

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"), index=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id"))
    pupil_id: Mapped[int | None] = mapped_column(ForeignKey("pupils.id"), index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    file_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    exported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    exported_by: Mapped[str | None] = mapped_column(String(100))
    # A single-photo export recorded as taken down (posts have their own status).
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Takedown(Base):
    """A published post (or single exported photo) that must come down: consent
    for its channel was withdrawn."""

    __tablename__ = "takedowns"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"), index=True)
    # For a single-photo export: the publication-log entry to take down.
    publication_id: Mapped[int | None] = mapped_column(
        ForeignKey("publications.id", name="fk_takedowns_publication"))
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(100))


class RemovalRequest(Base):
    """A parent asked for a post, or every post of a pupil, to be taken down."""

    __tablename__ = "removal_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    pupil_id: Mapped[int | None] = mapped_column(ForeignKey("pupils.id"))
    requested_by: Mapped[str] = mapped_column(Text)  # who asked, as the school wrote it
    posts: Mapped[str] = mapped_column(Text)  # JSON list of the post ids concerned
    recorded_by: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(100))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)
