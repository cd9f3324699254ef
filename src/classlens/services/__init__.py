"""The services the command line and the desktop app call: one place for
role checks, transactions and the audit trail.

Every method that changes something takes the acting username first, checks
that user's role, writes in one transaction and records each change in the
audit log (who, when, what, old and new value).
"""

from classlens.roles import ROLES
from classlens.services.accounts import AccountServices
from classlens.services.contacts import ContactServices
from classlens.services.enrolment import EnrolmentServices
from classlens.services.face_review import FaceReviewServices
from classlens.services.followers import FollowerServices
from classlens.services.photo_import import PhotoImportServices
from classlens.services.post_export import PostExportServices
from classlens.services.post_reports import PostReportServices
from classlens.services.register import RegisterServices
from classlens.services.removals import RemovalServices
from classlens.services.signin import SignInServices


class Services(RegisterServices, PostExportServices, PostReportServices, EnrolmentServices,
               PhotoImportServices, FaceReviewServices, SignInServices, ContactServices,
               FollowerServices, AccountServices, RemovalServices):
    """Everything ClassLens does, for one database and photo library."""


__all__ = ["ROLES", "Services"]
