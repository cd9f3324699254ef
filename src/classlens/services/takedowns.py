"""Takedowns: published posts that show a pupil whose consent has gone.

Withdrawal takes effect at once: whenever the register changes, every
exported or published post (not yet withdrawn) that shows a pupil no longer
allowed on its channel gets an open takedown, which the register shows
until someone withdraws the post.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from classlens.audit import record
from classlens.register.consent import may_show
from classlens.storage.models import (
    AuditEntry,
    Channel,
    Post,
    Publication,
    Pupil,
    Takedown,
    utcnow,
)

LIVE = ("exported", "published")


def live_publications(session: Session, pupil_row: int | None = None):
    """(publication, post, channel, pupil) for posts still out there."""
    query = (select(Publication, Post, Channel, Pupil)
             .join(Post, Publication.post_id == Post.id)
             .join(Channel, Publication.channel_id == Channel.id)
             .join(Pupil, Publication.pupil_id == Pupil.id)
             .where(Post.status.in_(LIVE))
             .options(selectinload(Pupil.consents)))
    if pupil_row is not None:
        query = query.where(Publication.pupil_id == pupil_row)
    return session.execute(query).all()


def mark_takedowns(session: Session, on: date, actor: str,
                   pupil_row: int | None = None) -> list[Takedown]:
    """Open a takedown for every live post showing a pupil no longer allowed there."""
    open_pairs = {(t.post_id, t.pupil_id) for t in session.scalars(
        select(Takedown).where(Takedown.closed_at.is_(None)))}
    created = []
    for publication, post, channel, pupil in live_publications(session, pupil_row):
        if (post.id, pupil.id) in open_pairs:
            continue
        verdict = may_show(pupil.facts(), pupil.decisions(), channel.category, on)
        if verdict.allowed:
            continue
        takedown = Takedown(post_id=post.id, pupil_id=pupil.id, created_at=utcnow(),
                            reason=f"{channel.name}: {verdict.message}")
        session.add(takedown)
        record(session, actor, "takedown.opened", f"post:{post.id}", "pupil", None,
               f"{pupil.pupil_id}: {takedown.reason}")
        open_pairs.add((post.id, pupil.id))
        created.append(takedown)
    return created
