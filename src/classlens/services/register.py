"""Register services: the school, users, channels, pupils and their consent."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from classlens.audit import ChainReport, chain
from classlens.audit import verify as verify_chain
from classlens.errors import ClassLensError, ConcurrentChange, NeedsConfirmation
from classlens.faces.templates import key_file
from classlens.policy.platforms import PLATFORMS
from classlens.policy.presets import policy_for
from classlens.register.consent import (
    ALL_CATEGORIES,
    BIOMETRIC,
    CATEGORIES,
    GRANTED,
    PARENT,
    PUPIL,
    REFUSED,
    PupilFacts,
    Verdict,
    consent_state,
    may_process_biometrics,
    may_show,
    state_label,
)
from classlens.register.csv_export import write_register
from classlens.register.csv_import import Problem, read_register
from classlens.register.import_plan import (
    Held,
    ImportPlan,
    PupilState,
    describe_consent,
    plan_import,
)
from classlens.roles import ROLES
from classlens.services.base import (
    DEFAULT_PLATFORM,
    MANAGE_CHANNELS,
    MANAGE_REGISTER,
    MANAGE_USERS,
    RECORD_CONSENT,
    SEE_SENSITIVE,
    ServiceBase,
    now,
)
from classlens.services.biometrics import count_templates, delete_all_templates
from classlens.services.signin import hash_password
from classlens.storage.models import (
    AuditEntry,
    Channel,
    Consent,
    Pupil,
    School,
    SchoolClass,
    User,
)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    left: int = 0
    errors: list[Problem] = field(default_factory=list)
    changes: list = field(default_factory=list)
    written: bool = False
    held: list[Held] = field(default_factory=list)  # grants not applied: see import_plan

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "left": self.left,
            "errors": [e.as_dict() for e in self.errors],
            "changes": [c.as_dict() for c in self.changes],
            "written": self.written,
            "held": [h.as_dict() for h in self.held],
        }


@dataclass(frozen=True)
class PupilView:
    """A pupil as the register screens and `register list` show it."""

    pupil_id: str
    given_name: str
    family_name: str
    preferred_name: str | None
    class_name: str | None
    year_group: str | None
    on_roll: bool
    never_publish: bool
    never_publish_reason: str | None  # None unless the viewer may see it
    consent: dict[str, Verdict]  # category (and "biometric") -> state as of the date

    def as_dict(self) -> dict:
        data = {
            "pupil_id": self.pupil_id,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "preferred_name": self.preferred_name,
            "class": self.class_name,
            "year_group": self.year_group,
            "on_roll": self.on_roll,
            "never_publish": self.never_publish,
            "consent": {c: state_label(v) for c, v in self.consent.items()},
            "reasons": {c: v.message for c, v in self.consent.items()},
        }
        if self.never_publish_reason is not None:
            data["never_publish_reason"] = self.never_publish_reason
        return data


class RegisterServices(ServiceBase):
    # -- school -----------------------------------------------------------

    def init_school(self, name: str, preset: str, admin_password: str) -> bool:
        """Create the school, its channels and the `admin` user with its password
        (chosen by whoever creates the school); False if it exists."""
        policy_for(preset)  # refuse an unknown preset before writing anything
        admin_hash = hash_password(admin_password)
        with self.db.transaction() as session:
            if session.scalar(select(School)) is not None:
                return False
            session.add(School(name=name, policy=preset, settings="{}", created_at=now()))
            for category in CATEGORIES:
                session.add(Channel(name=category, category=category,
                                    platform=DEFAULT_PLATFORM.get(category, "other")))
            session.add(User(username="admin", role="ict", created_at=now(),
                             password_hash=admin_hash, must_change_password=False))
            self._audit(session, "system", "school.created", f"school:{name}",
                        new=f"policy {preset}")
            self._audit(session, "system", "user.added", "user:admin", "role", None, "ict")
        return True

    def set_library(self, actor: str, folder: Path) -> None:
        """Where every machine finds the school's photos (a shared folder)."""
        folder = folder.expanduser().absolute()
        folder.mkdir(parents=True, exist_ok=True)
        with self.db.transaction() as session:
            self.require(session, actor, MANAGE_CHANNELS)
            school = self.school(session)
            old, school.library_path = school.library_path, str(folder)
            self._resolved_library = None
            self._audit(session, actor, "school.library", f"school:{school.name}",
                        "library_path", old, str(folder))

    def set_policy(self, actor: str, name: str, value, delete_templates: bool = False) -> None:
        """Change one named policy setting of the school (its preset stays).

        A change that switches face recognition off (`faces` "none", or
        `biometric_recognition` false) deletes every face template and
        reference photo, so it needs `delete_templates=True`: the app and the
        command line ask first.
        """
        with self.db.transaction() as session:
            self.require(session, actor, MANAGE_CHANNELS)
            school = self.school(session)
            settings = json.loads(school.settings)
            old = settings.get(name)
            try:
                before = policy_for(school.policy, settings)
                after = policy_for(school.policy, {**settings, name: value})
            except (ValueError, TypeError) as error:
                raise ClassLensError(str(error)) from None
            if before.recognises_faces and not after.recognises_faces:
                templates, pupils = count_templates(session)
                if templates and not delete_templates:
                    raise NeedsConfirmation(
                        f"{name} = {json.dumps(value)} switches face recognition off: the "
                        f"{templates} face template(s) of {pupils} pupil(s) and their "
                        "reference photos will be deleted, and pupils would need enrolling "
                        "again. Confirm to go on (--yes on the command line).")
                delete_all_templates(session, self.library, actor,
                                     f"policy {name} = {json.dumps(value)}: no face recognition")
            settings[name] = value
            school.settings = json.dumps(settings, sort_keys=True)
            self._audit(session, actor, "policy.set", f"school:{school.name}", name,
                        None if old is None else json.dumps(old), json.dumps(value))

    # -- users ------------------------------------------------------------

    def add_user(self, actor: str, username: str, role: str, password: str) -> None:
        """A new account with an initial password, which its owner changes at first
        sign-in in the app."""
        if role not in ROLES:
            raise ClassLensError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        username = username.strip()
        if not username:
            raise ClassLensError("a username cannot be blank")
        with self.db.transaction() as session:
            self.require(session, actor, MANAGE_USERS)
            if session.scalar(select(User).where(User.username == username)):
                raise ClassLensError(f"user {username!r} already exists")
            session.add(User(username=username, role=role, created_at=now(),
                             password_hash=hash_password(password), must_change_password=True))
            self._audit(session, actor, "user.added", f"user:{username}", "role", None, role)

    def users(self) -> list[User]:
        with self.db.transaction() as session:
            return list(session.scalars(select(User).order_by(User.username)))

    # -- channels -----------------------------------------------------------

    def channels(self) -> list[Channel]:
        with self.db.transaction() as session:
            return list(session.scalars(select(Channel).order_by(Channel.id)))

    def add_channel(self, actor: str, name: str, category: str, platform: str) -> None:
        if category not in CATEGORIES:
            raise ClassLensError(f"category must be one of {', '.join(CATEGORIES)}")
        if platform not in PLATFORMS:
            raise ClassLensError(f"platform must be one of {', '.join(PLATFORMS)}")
        with self.db.transaction() as session:
            self.require(session, actor, MANAGE_CHANNELS)
            if session.scalar(select(Channel).where(Channel.name == name)):
                raise ClassLensError(f"channel {name!r} already exists")
            session.add(Channel(name=name, category=category, platform=platform))
            self._audit(session, actor, "channel.added", f"channel:{name}", None, None,
                        f"{category} on {platform}")

    # -- the register -------------------------------------------------------

    def list_pupils(
        self, class_name: str | None = None, viewer: str | None = None, on: date | None = None
    ) -> list[PupilView]:
        on = on or self.today()
        sensitive = self.role_of(viewer) in SEE_SENSITIVE
        with self.db.transaction() as session:
            query = (
                select(Pupil)
                .outerjoin(SchoolClass)
                .options(selectinload(Pupil.consents), selectinload(Pupil.school_class))
                .order_by(SchoolClass.name, Pupil.family_name, Pupil.given_name)
            )
            if class_name is not None:
                self._class(session, class_name)
                query = query.where(SchoolClass.name == class_name)
            return [self._pupil_view(p, on, sensitive) for p in session.scalars(query)]

    def pupil(self, pupil_id: str, viewer: str | None = None, on: date | None = None) -> PupilView:
        sensitive = self.role_of(viewer) in SEE_SENSITIVE
        with self.db.transaction() as session:
            return self._pupil_view(self._pupil(session, pupil_id), on or self.today(), sensitive)

    @staticmethod
    def _pupil_view(pupil: Pupil, on: date, sensitive: bool) -> PupilView:
        decisions = pupil.decisions()
        consent = {c: consent_state(decisions, c, on) for c in CATEGORIES}
        consent[BIOMETRIC] = may_process_biometrics(
            PupilFacts(on_roll=True), decisions, on)  # the consent itself, as recorded
        return PupilView(
            pupil_id=pupil.pupil_id,
            given_name=pupil.given_name,
            family_name=pupil.family_name,
            preferred_name=pupil.preferred_name,
            class_name=pupil.school_class.name if pupil.school_class else None,
            year_group=pupil.year_group,
            on_roll=pupil.on_roll,
            never_publish=pupil.never_publish,
            never_publish_reason=(pupil.never_publish_reason or "") if sensitive
            and pupil.never_publish else None,
            consent=consent,
        )

    def expiring_consents(self, days: int = 30, on: date | None = None) -> list[dict]:
        """Granted consents that lapse within `days` (or have lapsed): who needs renewing."""
        on = on or self.today()
        horizon = on + timedelta(days=days)
        with self.db.transaction() as session:
            rows = session.execute(
                select(Pupil.pupil_id, Pupil.given_name, Pupil.preferred_name,
                       Pupil.family_name, Consent.category, Consent.decided_by, Consent.expires)
                .join(Consent).where(Pupil.on_roll.is_(True), Consent.status == GRANTED,
                                     Consent.expires.is_not(None), Consent.expires <= horizon)
                .order_by(Consent.expires, Pupil.family_name)).all()
        return [{"pupil_id": r.pupil_id, "name": f"{r.preferred_name or r.given_name} "
                 f"{r.family_name}", "category": r.category, "decided_by": r.decided_by,
                 "expires": r.expires.isoformat(), "expired": r.expires < on} for r in rows]

    def may_show(self, pupil_id: str, channel: str, on: date | None = None) -> Verdict:
        """The consent function for a pupil on a named channel."""
        with self.db.transaction() as session:
            pupil = self._pupil(session, pupil_id)
            category = self.channel(session, channel).category
            return may_show(pupil.facts(), pupil.decisions(), category, on or self.today())

    def set_consent(
        self,
        actor: str,
        pupil_id: str,
        category: str,
        status: str,
        decided_by: str = PARENT,
        expires: date | None = None,
        evidence: str | None = None,
    ) -> None:
        if category not in ALL_CATEGORIES:
            raise ClassLensError(f"category must be one of {', '.join(ALL_CATEGORIES)}")
        if status not in (GRANTED, REFUSED):
            raise ClassLensError("status must be granted or refused")
        if decided_by not in (PARENT, PUPIL):
            raise ClassLensError("decided by must be parent or pupil")
        try:
            self._record_consent(actor, pupil_id, category, status, decided_by, expires,
                                 evidence)
        except (ConcurrentChange, IntegrityError):
            # Someone else recorded this decision between our read and our write
            # (an update of the same version, or an insert of the same record).
            with self.db.transaction() as session:
                pupil = self._pupil(session, pupil_id)
                record = next((c for c in pupil.consents if c.category == category
                               and c.decided_by == decided_by), None)
                who = (f" by {record.recorded_by} at {record.recorded_at.astimezone():%H:%M:%S}"
                       if record else "")
            raise ConcurrentChange(f"the {category} consent of {pupil_id} was changed{who} "
                                 "while you were editing it; nothing was saved: reload and "
                                 "check before recording again") from None

    def _record_consent(self, actor, pupil_id, category, status, decided_by, expires,
                        evidence) -> None:
        with self.db.transaction() as session:
            self.require(session, actor, RECORD_CONSENT)
            pupil = self._pupil(session, pupil_id)
            if status == GRANTED and expires is None:
                expires = self.policy().default_expiry(self.today())
            if status == REFUSED:
                expires = None  # a refusal stands until someone records otherwise
            record = next((c for c in pupil.consents
                           if c.category == category and c.decided_by == decided_by), None)
            old = describe_consent((record.status, record.expires)) if record else None
            if record is None:
                record = Consent(category=category, decided_by=decided_by)
                pupil.consents.append(record)
            record.status, record.expires, record.evidence = status, expires, evidence
            record.recorded_by, record.recorded_at = actor, now()
            self._audit(session, actor, "consent.set", f"pupil:{pupil_id}",
                        f"{category} ({decided_by})", old,
                        describe_consent((status, expires)))
            self._after_register_change(session, actor)

    def set_never_publish(self, actor: str, pupil_id: str, flag: bool,
                          reason: str | None = None) -> None:
        if flag and not (reason or "").strip():
            raise ClassLensError("give the reason (kept visible to ICT and SLT only)")
        with self.db.transaction() as session:
            self.require(session, actor, SEE_SENSITIVE)
            pupil = self._pupil(session, pupil_id)
            subject = f"pupil:{pupil_id}"
            self._audit(session, actor, "pupil.never_publish", subject, "never_publish",
                        _yes_no(pupil.never_publish), _yes_no(flag))
            self._audit(session, actor, "pupil.never_publish", subject, "never_publish_reason",
                        pupil.never_publish_reason, reason if flag else None, sensitive=True)
            pupil.never_publish = flag
            pupil.never_publish_reason = reason if flag else None
            self._after_register_change(session, actor)

    def import_register(
        self,
        actor: str,
        path: Path,
        mapping: dict[str, str] | None = None,
        mark_missing_left: bool = False,
        dry_run: bool = False,
        accept_grants: bool | Collection[str] = False,
    ) -> ImportReport:
        """All or nothing: any invalid row means nothing is written.

        A grant that would loosen what ClassLens holds is held back and listed
        unless `accept_grants` is True or names that pupil (see import_plan).
        """
        with self.db.transaction() as session:
            self.require(session, actor, MANAGE_REGISTER)
        parsed = read_register(path, mapping)
        if parsed.problems:
            return ImportReport(errors=parsed.problems)
        policy = self.policy()
        with self.db.transaction() as session:
            existing = self._register_state(session)
            plan = plan_import(parsed.rows, existing, self.today(), policy.default_expiry,
                               mark_missing_left, path.name, accept_grants)
            report = ImportReport(
                created=len(plan.created), updated=len(plan.updated),
                unchanged=plan.unchanged, left=len(plan.left), changes=plan.changes,
                held=plan.held)
            if not dry_run:
                self._apply_import(session, actor, plan, source=path.name)
                self._after_register_change(session, actor)
                report.written = True
            return report

    def _template_key(self) -> Path:
        return self.key_file or key_file()

    def backup(self, actor: str, target: Path) -> dict:
        """A consistent, signed backup of the register and library, safe while in use."""
        with self.db.transaction() as session:
            self.require(session, actor, MANAGE_REGISTER)
        from classlens.backup import create_backup  # loads Alembic: only when needed

        manifest = create_backup(self.db, self.library, target, self._template_key())
        with self.db.transaction() as session:
            self._audit(session, actor, "backup.created", f"file:{target.name}", None, None,
                        f"{sum(manifest['rows'].values())} rows, {manifest['files']} files")
        return manifest

    def check_backup(self, source: Path) -> dict:
        """Check a backup completely (MAC, members, rows, audit chain) without
        touching anything; returns its manifest."""
        from classlens.backup import check_backup

        return check_backup(source, self._template_key()).manifest

    def restore(self, actor: str, source: Path) -> dict:
        """Replace the register with a backup, all or nothing, after a safety copy of
        the current one (the library keeps the files it already has).

        Returns the backup's manifest and `safety_copy`, where the register as it
        was is kept (restore that file to undo).
        """
        with self.db.transaction() as session:
            self.require(session, actor, MANAGE_REGISTER)
        from classlens.backup import check_backup, restore_backup

        checked = check_backup(source, self._template_key())
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        safety = self._template_key().parent / "safety-copies" / f"before-restore-{stamp}.zip"
        safety.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        manifest = restore_backup(self.db, self.library, checked, safety,
                                  self._template_key())
        self._resolved_library = None  # the restored school may keep it elsewhere
        with self.db.transaction() as session:
            self._audit(session, actor, "backup.restored", f"file:{source.name}", None, None,
                        f"backup of {manifest['created_at']}; the register before it is "
                        f"kept in {safety}")
        return {**manifest, "safety_copy": str(safety)}

    def export_register(self, actor: str, path: Path) -> int:
        with self.db.transaction() as session:
            self.require(session, actor, MANAGE_REGISTER)
            states = self._register_state(session)
            self._audit(session, actor, "register.exported", f"file:{path.name}",
                        new=f"{len(states)} pupils")
        write_register(path, (row for s in states.values() for row in _export_rows(s)))
        return len(states)

    # -- internals ----------------------------------------------------------

    def _register_state(self, session: Session) -> dict[str, PupilState]:
        """The whole register as plain values, in a few queries."""
        class_names = dict(session.execute(select(SchoolClass.id, SchoolClass.name)).all())
        # An import writes its records with its own time, which its audit entry
        # carries: any other record was recorded in ClassLens after the last import
        # that touched it (an import would have replaced it otherwise).
        import_times = set(session.scalars(select(AuditEntry.at)
                                           .where(AuditEntry.action == "register.imported")))
        recent: dict[int, set] = {}
        states: dict[str, PupilState] = {}
        by_row_id: dict[int, PupilState] = {}
        for p in session.execute(select(Pupil.__table__).order_by(Pupil.pupil_id)):
            state = PupilState(
                pupil_id=p.pupil_id, given_name=p.given_name, family_name=p.family_name,
                preferred_name=p.preferred_name, class_name=class_names.get(p.class_id),
                year_group=p.year_group, on_roll=p.on_roll, never_publish=p.never_publish,
                never_publish_reason=p.never_publish_reason)
            states[p.pupil_id] = state
            by_row_id[p.id] = state
        for c in session.execute(select(Consent.__table__)):
            key = (c.category, c.decided_by)
            by_row_id[c.pupil_id].consents[key] = (c.status, c.expires, c.evidence)
            if c.recorded_at not in import_times:
                recent.setdefault(c.pupil_id, set()).add(key)
        for row_id, keys in recent.items():
            by_row_id[row_id].recent = frozenset(keys)
        return states

    def _apply_import(self, session: Session, actor: str, plan: ImportPlan, source: str) -> None:
        """Write a plan with bulk statements: 2,000 pupils must take well under a second."""
        at = now()
        class_ids: dict[str | None, int | None] = dict(
            session.execute(select(SchoolClass.name, SchoolClass.id)).all())
        audit: list[dict] = []

        def log(action, subject, field_=None, old=None, new=None, sensitive=False):
            audit.append(dict(at=at, actor=actor, action=action, subject=subject, field=field_,
                              old_value=old, new_value=new, sensitive=sensitive))

        wanted = {s.class_name for s in plan.created + plan.updated
                  if s.class_name is not None} - set(class_ids)
        for name in sorted(wanted):
            class_ids[name] = session.scalar(
                insert(SchoolClass).values(name=name).returning(SchoolClass.id))
            log("class.created", f"class:{name}")

        def columns(state: PupilState) -> dict:
            return dict(given_name=state.given_name, family_name=state.family_name,
                        preferred_name=state.preferred_name,
                        class_id=class_ids[state.class_name], year_group=state.year_group,
                        on_roll=state.on_roll, never_publish=state.never_publish,
                        never_publish_reason=state.never_publish_reason)

        row_ids = dict(session.execute(select(Pupil.pupil_id, Pupil.id)).all())
        if plan.created:
            inserted = session.execute(
                insert(Pupil).returning(Pupil.pupil_id, Pupil.id, sort_by_parameter_order=True),
                [dict(pupil_id=s.pupil_id, left_on=None if s.on_roll else self.today(),
                      **columns(s)) for s in plan.created])
            row_ids.update(dict(inserted.all()))
            for s in plan.created:
                log("pupil.created", f"pupil:{s.pupil_id}", None, None,
                    f"{s.given_name} {s.family_name} ({s.class_name})")
        if plan.updated:
            session.execute(update(Pupil), [dict(id=row_ids[s.pupil_id], **columns(s))
                                            for s in plan.updated])
        if plan.left:
            session.execute(update(Pupil), [dict(id=row_ids[p], on_roll=False,
                                                 left_on=self.today()) for p in plan.left])
        if plan.returned:
            session.execute(update(Pupil), [dict(id=row_ids[p], on_roll=True, left_on=None)
                                            for p in plan.returned])
        for change in plan.changes:
            if change.field.startswith("consent_"):
                continue  # logged below with the record that carries it
            log("pupil.updated", f"pupil:{change.pupil_id}", change.field, change.old,
                change.new, sensitive=change.field == "never_publish_reason")

        stale: list[tuple[int, str, str]] = []
        fresh: list[dict] = []
        for pupil_id, writes in plan.consent_writes.items():
            for (category, decided_by), value in writes.items():
                stale.append((row_ids[pupil_id], category, decided_by))
                if value is not None:
                    fresh.append(dict(pupil_id=row_ids[pupil_id], category=category,
                                      status=value[0], expires=value[1], decided_by=decided_by,
                                      recorded_by=actor, recorded_at=at, evidence=value[2]))
        if stale:
            record_ids = {
                (p, c, d): i for i, p, c, d in session.execute(
                    select(Consent.id, Consent.pupil_id, Consent.category, Consent.decided_by))
            }
            doomed = [record_ids[key] for key in stale if key in record_ids]
            for start in range(0, len(doomed), 500):  # stay under SQL parameter limits
                session.execute(delete(Consent).where(Consent.id.in_(doomed[start:start + 500])))
        if fresh:
            session.execute(insert(Consent), fresh)
        for change in plan.changes:
            if change.field.startswith("consent_"):
                log("consent.set", f"pupil:{change.pupil_id}", change.field[8:], change.old,
                    change.new)
        for s in plan.created:
            for (category, decided_by), value in sorted(s.consents.items()):
                log("consent.set", f"pupil:{s.pupil_id}", f"{category} ({decided_by})", None,
                    describe_consent(value))
        for h in plan.held:
            log("consent.held", f"pupil:{h.pupil_id}", h.category, h.old, h.new)
        log("register.imported", f"file:{source}", None, None,
            f"{len(plan.created)} created, {len(plan.updated)} updated, {len(plan.left)} left"
            + (f", {len(plan.held)} grant(s) held back" if plan.held else ""))
        if audit:
            session.execute(insert(AuditEntry), chain(session, audit))

    def verify_audit(self) -> ChainReport:
        """Whether the audit log's hash chain is intact, and where it first breaks."""
        with self.db.engine.connect() as connection:
            return verify_chain(connection)

    def audit(self, viewer: str | None = None, limit: int | None = None) -> list[dict]:
        """The audit log, newest first; sensitive values hidden from most viewers."""
        sensitive = self.role_of(viewer) in SEE_SENSITIVE
        with self.db.transaction() as session:
            query = select(AuditEntry).order_by(AuditEntry.id.desc())
            if limit:
                query = query.limit(limit)
            entries = []
            for e in session.scalars(query):
                hide = e.sensitive and not sensitive
                entries.append({
                    "id": e.id, "at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                    "subject": e.subject, "field": e.field,
                    "old": "(hidden)" if hide and e.old_value else e.old_value,
                    "new": "(hidden)" if hide and e.new_value else e.new_value,
                })
            return entries


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _export_rows(state: PupilState) -> list[dict[str, str]]:
    """The pupil in our own columns: one row for the parent's decisions and, when
    the pupil decided anything themselves, one for theirs; each category with its
    own expiry and evidence, so that importing the file changes nothing."""
    pupil = {
        "pupil_id": state.pupil_id, "given_name": state.given_name,
        "family_name": state.family_name, "preferred_name": state.preferred_name or "",
        "class": state.class_name or "", "year_group": state.year_group or "",
        "consent_expires": "",
        "never_publish": _yes_no(state.never_publish),
        "never_publish_reason": state.never_publish_reason or "",
        "on_roll": _yes_no(state.on_roll),
    }
    rows = []
    for decided_by in (PARENT, PUPIL):
        if decided_by == PUPIL and not any(d == PUPIL for _c, d in state.consents):
            continue
        row = {**pupil, "decided_by": decided_by}
        for category in ALL_CATEGORIES:
            status, expires, evidence = state.consents.get((category, decided_by),
                                                           ("", None, None))
            row[f"consent_{category}"] = status
            row[f"consent_{category}_expires"] = expires.isoformat() if expires else ""
            row[f"consent_{category}_evidence"] = evidence or ""
        rows.append(row)
    return rows
