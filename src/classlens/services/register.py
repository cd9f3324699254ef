"""Register services: the school, users, channels, pupils and their consent.

Each job has its own module; this class puts them together for the facade.
"""

from __future__ import annotations

from classlens.services.audit_log import AuditServices
from classlens.services.backups import BackupServices
from classlens.services.pupils import PupilServices, PupilView
from classlens.services.register_files import ImportReport, RegisterFileServices
from classlens.services.school import SchoolServices
from classlens.services.users import UserServices


class RegisterServices(SchoolServices, UserServices, PupilServices, RegisterFileServices,
                       BackupServices, AuditServices):
    """The school, its staff, its pupils and their consent."""


__all__ = ["ImportReport", "PupilView", "RegisterServices"]
