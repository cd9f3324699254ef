"""Keeping face templates in step with biometric consent.

Templates exist only for pupils whose biometric consent allows them today.
Whenever the register changes (a consent set, an import, a pupil leaving)
and before templates are used, this sweep deletes the templates and
reference photos of every pupil no longer allowed, and forgets the faces
that were recognised from them.

One exception: a face recognised as a never-publish pupil keeps that link
after the templates go. It is no template, only the safeguarding record that
the photo shows a child who must never appear, blurred or not; forgetting it
would make the photo exportable again with the child blurred in it. Should
the never-publish flag be lifted later, the next sweep forgets the link.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from classlens.audit import record
from classlens.faces.templates import TemplateCipher
from classlens.photos.library import Library
from classlens.register.consent import PupilFacts, Verdict, may_process_biometrics
from classlens.storage.models import Face, Pupil, Template

if TYPE_CHECKING:
    import numpy as np


def biometric_verdict(pupil: Pupil, on: date) -> Verdict:
    return may_process_biometrics(PupilFacts(on_roll=pupil.on_roll), pupil.decisions(), on)


def _pupils_with_templates(session: Session) -> list[Pupil]:
    return list(session.scalars(
        select(Pupil).where(Pupil.id.in_(select(Template.pupil_id)))
        .options(selectinload(Pupil.consents))))


def _pupils_to_check(session: Session) -> list[Pupil]:
    """Pupils with templates, or with faces recognised from earlier templates."""
    recognised = select(Face.pupil_id).where(Face.identified_by == "recognition")
    return list(session.scalars(
        select(Pupil).where(Pupil.id.in_(select(Template.pupil_id)) | Pupil.id.in_(recognised))
        .options(selectinload(Pupil.consents))))


def revoke_unconsented(session: Session, library: Library, on: date, actor: str) -> list[str]:
    """Delete templates no longer covered by consent; returns the pupil ids affected."""
    revoked = []
    for pupil in _pupils_to_check(session):
        verdict = biometric_verdict(pupil, on)
        if verdict.allowed:
            continue
        templates = list(session.scalars(select(Template).where(Template.pupil_id == pupil.id)))
        for template in templates:
            library.remove(template.reference_path)
            session.delete(template)
        if not pupil.never_publish:
            forgotten = session.execute(
                update(Face).where(Face.pupil_id == pupil.id,
                                   Face.identified_by == "recognition")
                .values(pupil_id=None, identified_by=None, distance=None,
                        correction_confirmed_by=None,
                        match_note="biometric consent withdrawn")).rowcount
            if forgotten and not templates:
                record(session, actor, "recognitions.forgotten", f"pupil:{pupil.pupil_id}",
                       "biometric", f"{forgotten} face(s)", verdict.message)
        if not templates:
            continue
        record(session, actor, "templates.deleted", f"pupil:{pupil.pupil_id}", "biometric",
               f"{len(templates)} template(s)", verdict.message)
        revoked.append(pupil.pupil_id)
    return revoked


def delete_all_templates(session: Session, library: Library, actor: str, why: str) -> int:
    """Delete every template and reference photo (face recognition switched off).

    Faces already recognised keep what recognition found: it is no template,
    and it still keeps a never-publish pupil's photos out.
    """
    templates = list(session.scalars(select(Template).options(selectinload(Template.pupil))))
    per_pupil: dict[str, int] = {}
    for template in templates:
        library.remove(template.reference_path)
        per_pupil[template.pupil.pupil_id] = per_pupil.get(template.pupil.pupil_id, 0) + 1
        session.delete(template)
    for pupil_id, count in sorted(per_pupil.items()):
        record(session, actor, "templates.deleted", f"pupil:{pupil_id}", "biometric",
               f"{count} template(s)", why)
    return len(templates)


def count_templates(session: Session) -> tuple[int, int]:
    """(templates, pupils enrolled)."""
    rows = session.execute(select(Template.pupil_id)).scalars().all()
    return len(rows), len(set(rows))


def enrolled_templates(session: Session, cipher: TemplateCipher,
                       on: date) -> dict[int, list[np.ndarray]]:
    """Decrypted templates of pupils whose biometric consent allows them today."""
    enrolled: dict[int, list[np.ndarray]] = {}
    for pupil in _pupils_with_templates(session):
        if not biometric_verdict(pupil, on).allowed:
            continue  # the sweep deletes them; never compare meanwhile
        tokens = session.scalars(select(Template.encrypted).where(Template.pupil_id == pupil.id))
        enrolled[pupil.id] = [cipher.decrypt(token) for token in tokens]
    return enrolled
