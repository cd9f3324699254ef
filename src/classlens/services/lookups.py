"""Rows every service looks up by name inside its transaction, and the
register's write lock. Each raises NotFound in words when the row is missing."""

from __future__ import annotations

import json

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from classlens.errors import ClassLensError, NotFound
from classlens.policy.presets import Policy, policy_for
from classlens.storage.models import Channel, Face, Photo, Pupil, School, SchoolClass, utcnow

now = utcnow
_POLICY = "classlens.policy"  # the policy read by this transaction (session.info)


def school_row(session: Session) -> School:
    school = session.scalar(select(School))
    if school is None:
        raise ClassLensError("no school in this database yet: create it first",
                             hint="classlens init --school NAME")
    return school


def school_policy(session: Session) -> Policy:
    """The school's policy, read once per transaction however often it is asked
    (listing posts asks for every photo of every post)."""
    cached = session.info.get(_POLICY)
    if cached is not None:
        return cached
    school = school_row(session)
    policy = session.info[_POLICY] = policy_for(school.policy, json.loads(school.settings))
    return policy


def policy_changed(session: Session) -> None:
    """The school's settings changed in this transaction: read them again."""
    session.info.pop(_POLICY, None)


def find_channel(session: Session, name: str) -> Channel:
    channel = session.scalar(select(Channel).where(Channel.name == name))
    if channel is None:
        names = ", ".join(session.scalars(select(Channel.name).order_by(Channel.id)))
        raise NotFound(f"no channel {name!r}; channels are: {names}")
    return channel


def find_pupil(session: Session, pupil_id: str) -> Pupil:
    pupil = session.scalar(
        select(Pupil).where(Pupil.pupil_id == pupil_id).options(selectinload(Pupil.consents))
    )
    if pupil is None:
        raise NotFound(f"no pupil with id {pupil_id!r} in the register")
    return pupil


def find_class(session: Session, name: str) -> SchoolClass:
    school_class = session.scalar(select(SchoolClass).where(SchoolClass.name == name))
    if school_class is None:
        raise NotFound(f"no class {name!r} in the register")
    return school_class


def photo_query():
    """Photos with their faces and the pupils (and consents) they are tied to."""
    return select(Photo).options(
        selectinload(Photo.faces).selectinload(Face.pupil).selectinload(Pupil.consents),
        selectinload(Photo.faces).selectinload(Face.named_pupil)
        .selectinload(Pupil.consents))


def find_photo(session: Session, photo_id: int) -> Photo:
    photo = session.scalar(photo_query().where(Photo.id == photo_id))
    if photo is None:
        raise NotFound(f"no photo {photo_id} in the library")
    return photo


def lock_register(session: Session) -> None:
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
