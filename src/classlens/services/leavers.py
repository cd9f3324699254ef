"""What a pupil who leaves takes with them: their parents' contact details."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from classlens.audit import record
from classlens.storage.models import Contact, Pupil


def forget_leavers_contacts(session: Session, actor: str) -> None:
    leavers = session.execute(
        select(Pupil.id, Pupil.pupil_id).join(Contact, Contact.pupil_id == Pupil.id)
        .where(Pupil.on_roll.is_(False)).distinct()).all()
    if not leavers:
        return
    session.execute(delete(Contact).where(Contact.pupil_id.in_([r for r, _ in leavers])))
    for _, pupil_id in leavers:
        record(session, actor, "contacts.deleted", f"pupil:{pupil_id}", None, None,
               "the pupil left")
