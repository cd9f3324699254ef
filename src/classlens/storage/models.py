"""Typed SQLAlchemy models of the register.

The schema itself is owned by the Alembic migrations in `migrations/`; these
classes must describe the same tables (a test compares them).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from classlens.register.consent import Decision, PupilFacts


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


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


class SchoolClass(Base):
    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)

    pupils: Mapped[list[Pupil]] = relationship(back_populates="school_class")


class Pupil(Base):
    __tablename__ = "pupils"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[str] = mapped_column(String(40), unique=True)  # UPN or MIS id
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    preferred_name: Mapped[str | None] = mapped_column(String(100))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id"))
    year_group: Mapped[str | None] = mapped_column(String(20))
    on_roll: Mapped[bool] = mapped_column(Boolean, default=True)
    left_on: Mapped[date | None] = mapped_column(Date)
    never_publish: Mapped[bool] = mapped_column(Boolean, default=False)
    # Only ict and slt users may read this (looked-after child, court order...).
    never_publish_reason: Mapped[str | None] = mapped_column(Text)

    school_class: Mapped[SchoolClass | None] = relationship(back_populates="pupils")
    consents: Mapped[list[Consent]] = relationship(
        back_populates="pupil", cascade="all, delete-orphan"
    )

    def decisions(self) -> list[Decision]:
        """The consent decisions as the consent rules see them."""
        return [Decision(c.category, c.status, c.decided_by, c.expires) for c in self.consents]

    def facts(self) -> PupilFacts:
        return PupilFacts(on_roll=self.on_roll, never_publish=self.never_publish)


class Consent(Base):
    """One decision by a parent or by the pupil for one category.

    A pupil has at most one decision per (category, decided_by): a parent's
    and the pupil's own can stand side by side, and the consent rules weigh
    them. Category `biometric` lives here in the same shape.
    """

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("pupil_id", "category", "decided_by"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10))
    decided_by: Mapped[str] = mapped_column(String(10))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    pupil: Mapped[Pupil] = relationship(back_populates="consents")

    __mapper_args__ = {"version_id_col": version}


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


class Contact(Base):
    """A parent's or carer's contact from the MIS, to recognise them among followers.

    Visible to ICT and SLT only; the e-mail address is stored to match follow
    requests but never printed or exported. Deleted when the pupil leaves.
    """

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id", ondelete="CASCADE"),
                                          index=True)
    contact_name: Mapped[str] = mapped_column(String(200))
    # "relationship" in the table; named otherwise here, not to hide SQLAlchemy's function.
    relation: Mapped[str] = mapped_column("relationship", String(60))
    email: Mapped[str | None] = mapped_column(String(254))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)

    pupil: Mapped[Pupil] = relationship()


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
