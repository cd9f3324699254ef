"""Typed SQLAlchemy models of the register, one module per area.

The schema itself is owned by the Alembic migrations in `migrations/`; these
classes must describe the same tables (a test compares them). Importing this
package registers every table on `Base.metadata`, which the migrations'
environment and the backups read; import models from here.
"""

from classlens.storage.models.audit_log import AuditEntry
from classlens.storage.models.base import Base, UTCDateTime, utcnow
from classlens.storage.models.followers import (
    AccountConfirmation,
    FollowerCheck,
    FollowerDecision,
)
from classlens.storage.models.photos import Face, Photo, Template
from classlens.storage.models.posts import (
    Post,
    PostPhoto,
    Publication,
    RemovalRequest,
    Takedown,
)
from classlens.storage.models.register import Consent, Contact, Pupil, SchoolClass
from classlens.storage.models.school import Channel, School, User

__all__ = [
    "AccountConfirmation", "AuditEntry", "Base", "Channel", "Consent", "Contact", "Face",
    "FollowerCheck", "FollowerDecision", "Photo", "Post", "PostPhoto", "Publication",
    "Pupil", "RemovalRequest", "School", "SchoolClass", "Takedown", "Template", "UTCDateTime",
    "User", "utcnow",
]
