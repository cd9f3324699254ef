"""The services the command line and the desktop app call: one place for
role checks, transactions and the audit trail.

Every method that changes something takes the acting username first, checks
that user's role, writes in one transaction and records each change in the
audit log (who, when, what, old and new value). Each service is small and
receives what it works with explicitly: the shared Context (database,
library, clock, template key) and any other service it relies on. Services
is the facade that builds them once, in order, for one database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from classlens.photos.library import Library
from classlens.policy.presets import Policy
from classlens.roles import ROLES
from classlens.services.account_checks import AccountCheckServices
from classlens.services.audit_log import AuditServices
from classlens.services.backups import BackupServices
from classlens.services.contacts import ContactServices
from classlens.services.context import Context
from classlens.services.enrolment import EnrolmentServices
from classlens.services.face_review import FaceReviewServices
from classlens.services.followers import FollowerServices
from classlens.services.photo_export import PhotoExportServices
from classlens.services.photo_import import PhotoImportServices
from classlens.services.photos import PhotoServices
from classlens.services.post_export import PostExportServices
from classlens.services.post_reading import PostReader
from classlens.services.post_reports import PostReportServices
from classlens.services.posts import PostServices
from classlens.services.pupils import PupilServices
from classlens.services.register_files import RegisterFileServices
from classlens.services.removals import RemovalServices
from classlens.services.rendering import Renderer
from classlens.services.school import SchoolServices
from classlens.services.signin import SignInServices
from classlens.services.users import UserServices
from classlens.services.views import SchoolView
from classlens.storage import Database


class Services:
    """Everything ClassLens does, for one database and photo library."""

    def __init__(
        self,
        db: Database,
        library: Path | None = None,
        today: Callable[[], date] = date.today,
        key_file: Path | None = None,
        clock: Callable[[], datetime] = datetime.now,
    ):
        ctx = self.context = Context(db, library, today, key_file, clock)
        renderer = Renderer(ctx)
        reader = PostReader(ctx, renderer)
        # The school and who works there.
        self.settings = SchoolServices(ctx)
        self.users = UserServices(ctx)
        self.signin = SignInServices(ctx)
        self.audit_log = AuditServices(ctx)
        self.backups = BackupServices(ctx)
        # The consent register.
        self.pupils = PupilServices(ctx)
        self.register_files = RegisterFileServices(ctx)
        self.contacts = ContactServices(ctx)
        # Photos and faces.
        self.photos = PhotoServices(ctx, renderer)
        self.photo_import = PhotoImportServices(ctx)
        self.enrolment = EnrolmentServices(ctx)
        self.face_review = FaceReviewServices(ctx)
        self.photo_export = PhotoExportServices(ctx, renderer)
        # Posts, from staging to takedown.
        self.posts = PostServices(ctx, reader)
        self.post_export = PostExportServices(ctx, reader, renderer)
        self.post_reports = PostReportServices(ctx)
        self.removals = RemovalServices(ctx)
        # The school's social media accounts and who follows them.
        self.account_checks = AccountCheckServices(ctx)
        self.followers = FollowerServices(ctx)

    # What every screen and command reads.

    @property
    def db(self) -> Database:
        return self.context.db

    @property
    def library_root(self) -> Path:
        return self.context.library_root

    @property
    def library(self) -> Library:
        return self.context.library

    @property
    def key_file(self) -> Path | None:
        return self.context.key_file

    def school(self) -> SchoolView:
        return self.context.school()

    def policy(self) -> Policy:
        return self.context.policy()


__all__ = ["ROLES", "Services"]
