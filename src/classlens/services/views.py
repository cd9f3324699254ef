"""What the services hand out: frozen copies of what a row says, never the row.

A row from the database is tied to the transaction that read it: a caller who
follows one of its relationships after the transaction ended gets an error,
and a caller who changes one changes nothing. These views have plain values
only, read while the transaction was open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from classlens.storage.models import Channel, Photo, School, User


@dataclass(frozen=True)
class SchoolView:
    name: str
    policy: str  # the preset's name
    settings: str  # JSON: the school's own changes to its preset
    created_at: datetime
    library_path: str | None

    @classmethod
    def of(cls, school: School) -> SchoolView:
        return cls(school.name, school.policy, school.settings, school.created_at,
                   school.library_path)


@dataclass(frozen=True)
class UserView:
    """A member of staff; never their password hash."""

    username: str
    role: str
    display_name: str | None
    must_change_password: bool
    created_at: datetime
    disabled: bool = False  # no password: nobody can sign in until ICT sets one

    @classmethod
    def of(cls, user: User) -> UserView:
        return cls(user.username, user.role, user.display_name,
                   bool(user.must_change_password), user.created_at,
                   user.password_hash is None)


@dataclass(frozen=True)
class ChannelView:
    id: int
    name: str
    category: str  # the consent category it needs
    platform: str

    @classmethod
    def of(cls, channel: Channel) -> ChannelView:
        return cls(channel.id, channel.name, channel.category, channel.platform)


@dataclass(frozen=True)
class PhotoView:
    id: int
    sha256: str
    library_path: str  # relative to the library
    original_name: str
    format: str
    width: int  # after EXIF orientation
    height: int
    captured_at: datetime | None
    imported_at: datetime
    imported_by: str
    class_name: str | None
    recognition: bool
    face_count: int

    @classmethod
    def of(cls, photo: Photo) -> PhotoView:
        return cls(photo.id, photo.sha256, photo.library_path, photo.original_name,
                   photo.format, photo.width, photo.height, photo.captured_at,
                   photo.imported_at, photo.imported_by,
                   photo.school_class.name if photo.school_class else None,
                   bool(photo.recognition), len(photo.faces))
