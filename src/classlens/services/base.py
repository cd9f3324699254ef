"""What every service shares: the database, who is acting, and the audit log."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from classlens.audit import record
from classlens.errors import ClassLensError, NotAllowed, NotFound
from classlens.paths import default_library
from classlens.photos.library import Library
from classlens.policy.presets import Policy, policy_for
from classlens.services.biometrics import delete_all_templates, revoke_unconsented
from classlens.services.takedowns import mark_takedowns
from classlens.services.views import SchoolView
from classlens.storage import Database
from classlens.storage.models import Channel, Pupil, School, SchoolClass, User, utcnow

# Who may do what. Checked here, in the core, whatever the front end shows.
MANAGE_USERS = ("ict",)
MANAGE_REGISTER = ("ict",)
RECORD_CONSENT = ("ict", "slt")
SEE_SENSITIVE = ("ict", "slt")
MANAGE_CHANNELS = ("ict",)
STAFF = ("teacher", "ict", "slt")
DEFAULT_PLATFORM = {
    "website": "website",
    "social_public": "x",
    "social_private": "x",
    "newsletter": "newsletter",
}


now = utcnow
_POLICY = "classlens.policy"  # the policy read by this transaction (session.info)


class ServiceBase:
    def __init__(
        self,
        db: Database,
        library: Path | None = None,
        today: Callable[[], date] = date.today,
        key_file: Path | None = None,
        clock: Callable[[], datetime] = datetime.now,
    ):
        self.db = db
        self._library = library
        self._resolved_library: Path | None = None  # where the school keeps it
        self.today = today
        self.key_file = key_file  # None: CLASSLENS_KEY_FILE or the data directory
        self.clock = clock  # the school's local time, for posting windows

    @property
    def library_root(self) -> Path:
        """The photo library: as given, else where the school keeps it, else the
        user's data directory."""
        if self._library is not None:
            return self._library
        # Read once: thumbnails and gallery badges ask for it for every photo.
        if self._resolved_library is None:
            with self.db.transaction() as session:
                stored = session.scalar(select(School.library_path))
            self._resolved_library = Path(stored) if stored else default_library()
        return self._resolved_library

    @property
    def library(self) -> Library:
        return Library(self.library_root)

    # -- lookups every service uses ------------------------------------------

    def school(self) -> SchoolView:
        with self.db.transaction() as session:
            return SchoolView.of(self._school_row(session))

    @staticmethod
    def _school_row(session: Session) -> School:
        school = session.scalar(select(School))
        if school is None:
            raise ClassLensError("no school in this database yet; run `classlens init "
                                 "--school NAME` first")
        return school

    def policy(self) -> Policy:
        school = self.school()
        return policy_for(school.policy, json.loads(school.settings))

    def channel(self, session: Session, name: str) -> Channel:
        channel = session.scalar(select(Channel).where(Channel.name == name))
        if channel is None:
            names = ", ".join(session.scalars(select(Channel.name).order_by(Channel.id)))
            raise NotFound(f"no channel {name!r}; channels are: {names}")
        return channel

    def _pupil(self, session: Session, pupil_id: str) -> Pupil:
        pupil = session.scalar(
            select(Pupil).where(Pupil.pupil_id == pupil_id).options(selectinload(Pupil.consents))
        )
        if pupil is None:
            raise NotFound(f"no pupil with id {pupil_id!r} in the register")
        return pupil

    def school_policy(self, session: Session) -> Policy:
        """The school's policy, read once per transaction however often it is asked
        (listing posts asks for every photo of every post)."""
        cached = session.info.get(_POLICY)
        if cached is not None:
            return cached
        school = session.scalar(select(School))
        if school is None:
            raise NotFound("no school in this database yet; run `classlens init --school "
                           "NAME` first")
        policy = session.info[_POLICY] = policy_for(school.policy, json.loads(school.settings))
        return policy

    @staticmethod
    def _policy_changed(session: Session) -> None:
        """The school's settings changed in this transaction: read them again."""
        session.info.pop(_POLICY, None)

    def _sweep_templates(self, session: Session, actor: str) -> None:
        """Delete face templates that consent, or the school's policy, no longer
        covers (see biometrics.py)."""
        if not self.school_policy(session).recognises_faces:
            delete_all_templates(session, self.library, actor,
                                 "the school's policy has no face recognition")
        revoke_unconsented(session, self.library, self.today(), actor)

    @staticmethod
    def _lock_register(session: Session) -> None:
        """Take the register's write lock until this transaction ends.

        Consent changes and exports both take it before they read consent for
        takedowns or write the publication log, so they cannot interleave: a
        withdrawal either commits before an export reads consent (and blocks
        it) or after the export's publication log is committed (and opens its
        takedown). A row update locks on every backend: PostgreSQL locks the
        row, SQLite takes its single writer's lock (and its driver begins the
        transaction only here, so reads that follow see every commit before).
        """
        session.execute(update(School).values(name=School.name)
                        .execution_options(synchronize_session=False))

    def _after_register_change(self, session: Session, actor: str) -> None:
        """Make a consent change take effect at once: templates and takedowns."""
        session.flush()
        self._lock_register(session)
        self._sweep_templates(session, actor)
        mark_takedowns(session, self.today(), actor)

    def require(self, session: Session, username: str | None, roles: Iterable[str]) -> User:
        roles = tuple(roles)
        if not username:
            raise NotAllowed("say who you are with --as USERNAME (or CLASSLENS_USER)")
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotAllowed(f"there is no user {username!r}; an ICT leader can add one "
                             "with `classlens users add`")
        if user.role not in roles:
            raise NotAllowed(f"{username} is a {user.role} user; only "
                             f"{' or '.join(roles)} users may do this")
        return user

    @staticmethod
    def _class(session: Session, name: str) -> SchoolClass:
        school_class = session.scalar(select(SchoolClass).where(SchoolClass.name == name))
        if school_class is None:
            raise NotFound(f"no class {name!r} in the register")
        return school_class

    def role_of(self, username: str | None) -> str | None:
        if not username:
            return None
        with self.db.transaction() as session:
            return session.scalar(select(User.role).where(User.username == username))

    def _audit(self, session: Session, actor: str, action: str, subject: str,
               field_: str | None = None, old: str | None = None, new: str | None = None,
               sensitive: bool = False) -> None:
        record(session, actor, action, subject, field_, old, new, sensitive)

