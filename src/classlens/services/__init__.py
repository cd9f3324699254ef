"""The services the command line and the desktop app call: one place for
role checks, transactions and the audit trail.

Every method that changes something takes the acting username first, checks
that user's role, writes in one transaction and records each change in the
audit log (who, when, what, old and new value). Each service is small and
receives what it works with explicitly: the shared Context (database,
library, clock, template key) and any other service it relies on. Services
is the facade that builds them, for one database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from classlens.roles import ROLES
from classlens.services.context import Context

if TYPE_CHECKING:
    from classlens.photos.library import Library
    from classlens.policy.presets import Policy
    from classlens.services.account_checks import AccountCheckServices
    from classlens.services.audit_log import AuditServices
    from classlens.services.backups import BackupServices
    from classlens.services.contacts import ContactServices
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

# Each service is built the first time it is asked for, and its module
# imported then: a command that lists the register does not load the photo,
# post and follower code (start-up time is part of the command line's contract).


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
        self.context = Context(db, library, today, key_file, clock)

    # -- the school and who works there ---------------------------------------

    @cached_property
    def settings(self) -> SchoolServices:
        from classlens.services.school import SchoolServices
        return SchoolServices(self.context)

    @cached_property
    def users(self) -> UserServices:
        from classlens.services.users import UserServices
        return UserServices(self.context)

    @cached_property
    def signin(self) -> SignInServices:
        from classlens.services.signin import SignInServices
        return SignInServices(self.context)

    @cached_property
    def audit_log(self) -> AuditServices:
        from classlens.services.audit_log import AuditServices
        return AuditServices(self.context)

    @cached_property
    def backups(self) -> BackupServices:
        from classlens.services.backups import BackupServices
        return BackupServices(self.context)

    # -- the consent register ----------------------------------------------------

    @cached_property
    def pupils(self) -> PupilServices:
        from classlens.services.pupils import PupilServices
        return PupilServices(self.context)

    @cached_property
    def register_files(self) -> RegisterFileServices:
        from classlens.services.register_files import RegisterFileServices
        return RegisterFileServices(self.context)

    @cached_property
    def contacts(self) -> ContactServices:
        from classlens.services.contacts import ContactServices
        return ContactServices(self.context)

    # -- photos and faces -------------------------------------------------------

    @cached_property
    def renderer(self) -> Renderer:
        """How a photo leaves the app: shared by photos, exports and posts."""
        from classlens.services.rendering import Renderer
        return Renderer(self.context)

    @cached_property
    def photos(self) -> PhotoServices:
        from classlens.services.photos import PhotoServices
        return PhotoServices(self.context, self.renderer)

    @cached_property
    def photo_import(self) -> PhotoImportServices:
        from classlens.services.photo_import import PhotoImportServices
        return PhotoImportServices(self.context)

    @cached_property
    def enrolment(self) -> EnrolmentServices:
        from classlens.services.enrolment import EnrolmentServices
        return EnrolmentServices(self.context)

    @cached_property
    def face_review(self) -> FaceReviewServices:
        from classlens.services.face_review import FaceReviewServices
        return FaceReviewServices(self.context)

    @cached_property
    def photo_export(self) -> PhotoExportServices:
        from classlens.services.photo_export import PhotoExportServices
        return PhotoExportServices(self.context, self.renderer)

    # -- posts, from staging to takedown ------------------------------------------

    @cached_property
    def post_reader(self) -> PostReader:
        """A post and its problems as the rules see them: shared by posts and exports."""
        from classlens.services.post_reading import PostReader
        return PostReader(self.context, self.renderer)

    @cached_property
    def posts(self) -> PostServices:
        from classlens.services.posts import PostServices
        return PostServices(self.context, self.post_reader)

    @cached_property
    def post_export(self) -> PostExportServices:
        from classlens.services.post_export import PostExportServices
        return PostExportServices(self.context, self.post_reader, self.renderer)

    @cached_property
    def post_reports(self) -> PostReportServices:
        from classlens.services.post_reports import PostReportServices
        return PostReportServices(self.context)

    @cached_property
    def removals(self) -> RemovalServices:
        from classlens.services.removals import RemovalServices
        return RemovalServices(self.context)

    # -- the school's social media accounts and who follows them --------------------

    @cached_property
    def account_checks(self) -> AccountCheckServices:
        from classlens.services.account_checks import AccountCheckServices
        return AccountCheckServices(self.context)

    @cached_property
    def followers(self) -> FollowerServices:
        from classlens.services.followers import FollowerServices
        return FollowerServices(self.context)

    # -- what every screen and command reads ----------------------------------------

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
