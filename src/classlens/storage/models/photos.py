"""Photos in the library, the faces in them, and pupils' encrypted face templates."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from classlens.storage.models.base import Base, UTCDateTime

if TYPE_CHECKING:
    from classlens.storage.models.register import Pupil, SchoolClass


class Photo(Base):
    """An imported original, kept unchanged in the library under its content hash."""

    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    library_path: Mapped[str] = mapped_column(String(300))  # relative to the library
    original_name: Mapped[str] = mapped_column(String(300))  # never used in exports
    format: Mapped[str] = mapped_column(String(10))
    width: Mapped[int] = mapped_column(Integer)  # after EXIF orientation
    height: Mapped[int] = mapped_column(Integer)
    captured_at: Mapped[datetime | None] = mapped_column(DateTime)  # camera's local time
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_by: Mapped[str] = mapped_column(String(100))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id"))
    # Whether faces were compared with enrolled pupils when analysed.
    recognition: Mapped[bool] = mapped_column(Boolean, default=False)

    school_class: Mapped[SchoolClass | None] = relationship()
    faces: Mapped[list[Face]] = relationship(
        back_populates="photo", cascade="all, delete-orphan", order_by="Face.id")


class Face(Base):
    """A face (or a region a reviewer asked to blur) in a photo.

    Two kinds of knowledge, kept apart: what recognition found (`pupil_id`,
    `identified_by`, `match_note`, `distance`: never overwritten by a review)
    and what a reviewer decided (`named_pupil_id`, `blur_forced`, `not_a_face`,
    `correction_confirmed_by`). Decisions are not stored: whether a face is
    shown depends on the channel and on consent on the day, so it is worked
    out each time from both (photos/decisions.py).
    """

    __tablename__ = "faces"

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"),
                                          index=True)
    left: Mapped[int] = mapped_column(Integer)
    top: Mapped[int] = mapped_column(Integer)
    right: Mapped[int] = mapped_column(Integer)
    bottom: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(10))  # detected | manual
    # Who recognition found (from an enrolled template); a review never changes it.
    pupil_id: Mapped[int | None] = mapped_column(
        ForeignKey("pupils.id", ondelete="SET NULL"), index=True)
    identified_by: Mapped[str | None] = mapped_column(String(12))  # recognition | None
    match_note: Mapped[str | None] = mapped_column(String(40))  # too small, ambiguous...
    distance: Mapped[float | None] = mapped_column(Float)
    blur_forced: Mapped[bool] = mapped_column(Boolean, default=False)
    not_a_face: Mapped[bool] = mapped_column(Boolean, default=False)
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    review_reason: Mapped[str | None] = mapped_column(Text)
    # Who a reviewer named (when recognition did not identify the face, or was
    # corrected).
    named_pupil_id: Mapped[int | None] = mapped_column(
        ForeignKey("pupils.id", name="fk_faces_named_pupil", ondelete="SET NULL"))
    # The SLT member who confirmed that recognition named the wrong pupil.
    correction_confirmed_by: Mapped[str | None] = mapped_column(String(100))

    photo: Mapped[Photo] = relationship(back_populates="faces")
    pupil: Mapped[Pupil | None] = relationship(foreign_keys=[pupil_id])
    named_pupil: Mapped[Pupil | None] = relationship(foreign_keys=[named_pupil_id])


class Template(Base):
    """A pupil's face template (128-d encoding), encrypted; never exported."""

    __tablename__ = "templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id", ondelete="CASCADE"),
                                          index=True)
    encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    reference_path: Mapped[str] = mapped_column(String(300))  # relative to the library
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))

    pupil: Mapped[Pupil] = relationship()
