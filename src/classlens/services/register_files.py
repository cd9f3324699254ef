"""The register in and out of CSV files: the MIS import and the export."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from classlens.audit import chain, record
from classlens.register.consent import ALL_CATEGORIES, PARENT, PUPIL
from classlens.register.csv_export import write_register
from classlens.register.csv_import import Problem, read_register
from classlens.register.import_plan import (
    Held,
    ImportPlan,
    PupilState,
    describe_consent,
    plan_import,
)
from classlens.services.access import MANAGE_REGISTER, require
from classlens.services.context import Context
from classlens.services.lookups import now, school_policy
from classlens.services.pupils import yes_no
from classlens.storage.models import AuditEntry, Consent, Pupil, SchoolClass


@dataclass(frozen=True)
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


class RegisterFileServices:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

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
        with self.ctx.db.transaction() as session:
            require(session, actor, MANAGE_REGISTER)
        parsed = read_register(path, mapping)
        if parsed.problems:
            return ImportReport(errors=parsed.problems)
        with self.ctx.db.transaction() as session:
            policy = school_policy(session)
            existing = self._register_state(session)
            plan = plan_import(parsed.rows, existing, self.ctx.today(), policy.default_expiry,
                               mark_missing_left, path.name, accept_grants)
            report = ImportReport(
                created=len(plan.created), updated=len(plan.updated),
                unchanged=plan.unchanged, left=len(plan.left), changes=plan.changes,
                held=plan.held)
            if not dry_run:
                self._apply_import(session, actor, plan, source=path.name)
                self.ctx.after_register_change(session, actor)
                report = replace(report, written=True)
            return report

    def export_register(self, actor: str, path: Path) -> int:
        with self.ctx.db.transaction() as session:
            require(session, actor, MANAGE_REGISTER)
            states = self._register_state(session)
            record(session, actor, "register.exported", f"file:{path.name}",
                   new=f"{len(states)} pupils")
        write_register(path, (row for s in states.values() for row in _export_rows(s)))
        return len(states)

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
                [dict(pupil_id=s.pupil_id, left_on=None if s.on_roll else self.ctx.today(),
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
                                                 left_on=self.ctx.today()) for p in plan.left])
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



def _export_rows(state: PupilState) -> list[dict[str, str]]:
    """The pupil in our own columns: one row for the parent's decisions and, when
    the pupil decided anything themselves, one for theirs; each category with its
    own expiry and evidence, so that importing the file changes nothing."""
    pupil = {
        "pupil_id": state.pupil_id, "given_name": state.given_name,
        "family_name": state.family_name, "preferred_name": state.preferred_name or "",
        "class": state.class_name or "", "year_group": state.year_group or "",
        "consent_expires": "",
        "never_publish": yes_no(state.never_publish),
        "never_publish_reason": state.never_publish_reason or "",
        "on_roll": yes_no(state.on_roll),
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
