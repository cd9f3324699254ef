"""What every service works with: the database, the photo library, the clock
and the template key. One Context is shared by all the services of a facade;
each service receives it (and any other service it needs) explicitly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from classlens.faces.templates import TemplateCipher
from classlens.paths import default_library
from classlens.photos.library import Library
from classlens.policy.presets import Policy
from classlens.services.biometrics import delete_all_templates, revoke_unconsented
from classlens.services.leavers import forget_leavers_contacts
from classlens.services.lookups import lock_register, school_policy, school_row
from classlens.services.takedowns import mark_takedowns
from classlens.services.views import SchoolView
from classlens.storage import Database
from classlens.storage.models import School


@dataclass
class Context:
    db: Database
    library_given: Path | None = None  # None: where the school keeps it
    today: Callable[[], date] = date.today
    key_file: Path | None = None  # None: CLASSLENS_KEY_FILE or the data directory
    clock: Callable[[], datetime] = datetime.now  # the school's local time
    _resolved_library: Path | None = field(default=None, init=False, repr=False)

    @property
    def library_root(self) -> Path:
        """The photo library: as given, else where the school keeps it, else the
        user's data directory."""
        if self.library_given is not None:
            return self.library_given
        # Read once: thumbnails and gallery badges ask for it for every photo.
        if self._resolved_library is None:
            with self.db.transaction() as session:
                stored = session.scalar(select(School.library_path))
            self._resolved_library = Path(stored) if stored else default_library()
        return self._resolved_library

    @property
    def library(self) -> Library:
        return Library(self.library_root)

    def library_moved(self) -> None:
        """The school's library setting changed (set, or restored): read it again."""
        self._resolved_library = None

    def cipher(self) -> TemplateCipher:
        return TemplateCipher(self.key_file)

    def school(self) -> SchoolView:
        with self.db.transaction() as session:
            return SchoolView.of(school_row(session))

    def policy(self) -> Policy:
        """The school's policy, in a transaction of its own (within one, use
        lookups.school_policy, which reads it once per transaction)."""
        with self.db.transaction() as session:
            return school_policy(session)

    def sweep_templates(self, session: Session, actor: str) -> None:
        """Delete face templates that consent, or the school's policy, no longer
        covers (see biometrics.py)."""
        if not school_policy(session).recognises_faces:
            delete_all_templates(session, self.library, actor,
                                 "the school's policy has no face recognition")
        revoke_unconsented(session, self.library, self.today(), actor)

    def after_register_change(self, session: Session, actor: str) -> None:
        """Make a consent change take effect at once: templates, takedowns, and
        the contacts of pupils who left."""
        session.flush()
        lock_register(session)
        self.sweep_templates(session, actor)
        mark_takedowns(session, self.today(), actor)
        forget_leavers_contacts(session, actor)
