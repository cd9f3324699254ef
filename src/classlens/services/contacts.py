"""Parents' and carers' contacts: imported by the ICT leader, seen by ICT and SLT.

E-mail addresses are kept only to recognise follow requests; nothing here
returns one. Contacts of a pupil who leaves are deleted with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from classlens.audit import record
from classlens.errors import ClassLensError
from classlens.register.contacts import ContactRow, is_parent, read_contacts
from classlens.register.csv_import import Problem
from classlens.services.access import MANAGE_REGISTER, MANAGE_USERS, SEE_SENSITIVE, require
from classlens.services.context import Context
from classlens.services.lookups import now
from classlens.storage.models import Contact, Pupil, SchoolClass, User


@dataclass(frozen=True)
class ContactImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    errors: list[Problem] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    written: bool = False

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "removed": self.removed, "errors": [e.as_dict() for e in self.errors],
                "changes": self.changes, "written": self.written}


def _same(name: str) -> str:
    return " ".join(name.casefold().split())


class ContactServices:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def import_contacts(self, actor: str, path: Path, mapping: dict[str, str] | None = None,
                        dry_run: bool = False) -> ContactImportReport:
        """All or nothing. The file lists each pupil's contacts in full: a pupil it
        mentions gets exactly those contacts; pupils it does not mention keep theirs."""
        with self.ctx.db.transaction() as session:
            require(session, actor, MANAGE_REGISTER)
        parsed = read_contacts(path, mapping)
        if parsed.problems:
            return ContactImportReport(errors=parsed.problems)
        with self.ctx.db.transaction() as session:
            pupils = {p.pupil_id: p for p in session.scalars(select(Pupil))}
            errors = []
            column = parsed.columns.get("pupil_id", "pupil_id")
            for row in parsed.rows:
                pupil = pupils.get(row.pupil_id)
                if pupil is None:
                    errors.append(Problem(row.row, column, row.pupil_id, "no pupil with this "
                                          "id in the register; import the register first"))
                elif not pupil.on_roll:
                    errors.append(Problem(row.row, column, row.pupil_id, "this pupil has left: "
                                          "contacts of leavers are not kept; remove the row"))
            if errors:
                return ContactImportReport(errors=errors)
            report = self._plan_contacts(session, parsed.rows, pupils)
            if not dry_run:
                self._write_contacts(session, actor, parsed.rows, pupils, report, path.name)
                report = replace(report, written=True)
            return report

    @staticmethod
    def _plan_contacts(session: Session, rows: list[ContactRow],
                       pupils: dict[str, Pupil]) -> ContactImportReport:
        counts = dict.fromkeys(("created", "updated", "unchanged", "removed"), 0)
        changes: list[dict] = []
        mentioned = {pupils[r.pupil_id].id for r in rows}
        existing: dict[tuple[int, str], Contact] = {
            (c.pupil_id, _same(c.contact_name)): c for c in session.scalars(
                select(Contact).where(Contact.pupil_id.in_(mentioned)))} if mentioned else {}
        seen = set()
        for row in rows:
            key = (pupils[row.pupil_id].id, _same(row.contact_name))
            seen.add(key)
            old = existing.get(key)
            if old is None:
                counts["created"] += 1
                changes.append({"pupil_id": row.pupil_id, "contact": row.contact_name,
                                "change": "added", "relationship": row.relation})
            elif (old.contact_name, old.relation, old.email) != (row.contact_name, row.relation,
                                                                 row.email):
                counts["updated"] += 1
                what = [name for name, a, b in (
                    ("name", old.contact_name, row.contact_name),
                    ("relationship", old.relation, row.relation),
                    ("e-mail address", old.email, row.email)) if a != b]
                changes.append({"pupil_id": row.pupil_id, "contact": row.contact_name,
                                "change": "updated: " + ", ".join(what),
                                "relationship": row.relation})
            else:
                counts["unchanged"] += 1
        by_row = {p.id: p.pupil_id for p in pupils.values()}
        for key, contact in existing.items():
            if key not in seen:
                counts["removed"] += 1
                changes.append({"pupil_id": by_row[key[0]],
                                "contact": contact.contact_name, "change": "removed",
                                "relationship": contact.relation})
        return ContactImportReport(created=counts["created"], updated=counts["updated"],
                                   unchanged=counts["unchanged"], removed=counts["removed"],
                                   changes=changes)

    def _write_contacts(self, session: Session, actor: str, rows: list[ContactRow],
                        pupils: dict[str, Pupil], report: ContactImportReport,
                        source: str) -> None:
        at = now()
        mentioned = {pupils[r.pupil_id].id for r in rows}
        session.execute(delete(Contact).where(Contact.pupil_id.in_(mentioned)))
        session.add_all(Contact(pupil_id=pupils[r.pupil_id].id, contact_name=r.contact_name,
                                relation=r.relation, email=r.email, imported_at=at)
                        for r in rows)
        for change in report.changes:
            # The audit names the contact and what changed, never the address.
            record(session, actor, "contact." + change["change"].split(":")[0],
                   f"pupil:{change['pupil_id']}", "contact", None,
                   f"{change['contact']} ({change['relationship']})", sensitive=True)
        record(session, actor, "contacts.imported", f"file:{source}", None, None,
               f"{report.created} added, {report.updated} updated, {report.removed} removed")

    def contacts(self, viewer: str, pupil_id: str | None = None) -> list[dict]:
        """Contacts as ICT and SLT see them: whether an e-mail address is held, not it."""
        with self.ctx.db.transaction() as session:
            require(session, viewer, SEE_SENSITIVE)
            query = (select(Contact, Pupil, SchoolClass.name)
                     .join(Pupil, Contact.pupil_id == Pupil.id)
                     .outerjoin(SchoolClass, Pupil.class_id == SchoolClass.id)
                     .order_by(Pupil.pupil_id, Contact.contact_name))
            if pupil_id is not None:
                query = query.where(Pupil.pupil_id == pupil_id)
            return [{"pupil_id": pupil.pupil_id, "class": class_name,
                     "contact_name": contact.contact_name, "relationship": contact.relation,
                     "parent_or_carer": is_parent(contact.relation),
                     "has_email": bool(contact.email)}
                    for contact, pupil, class_name in session.execute(query)]

    # -- staff names, to recognise staff among followers -------------------------

    def set_display_name(self, actor: str, username: str, display_name: str) -> None:
        display_name = " ".join(display_name.split())
        if not display_name:
            raise ClassLensError("give the name the person goes by, e.g. \"Gareth Jones\"")
        with self.ctx.db.transaction() as session:
            if actor != username:
                require(session, actor, MANAGE_USERS)
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                raise ClassLensError(f"there is no user {username!r}")
            record(session, actor, "user.named", f"user:{username}", "display_name",
                   user.display_name, display_name)
            user.display_name = display_name
