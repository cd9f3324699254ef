"""Takedowns: published posts and exported photos that show a pupil whose
consent has gone.

Withdrawal takes effect at once: whenever the register changes, every
exported or published post (not yet withdrawn), and every single photo
exported outside a post (not recorded as taken down), that shows a pupil no
longer allowed on its channel gets an open takedown, which the register shows
until someone withdraws it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from classlens.audit import record
from classlens.register.consent import may_show
from classlens.storage.models import (
    Channel,
    Post,
    Publication,
    Pupil,
    Takedown,
    utcnow,
)

LIVE = ("exported", "published")


def live_publications(session: Session, pupil_row: int | None = None):
    """(publication, post or None, channel, pupil) for files still out there:
    posts exported or published, and single photos not taken down."""
    query = (select(Publication, Post, Channel, Pupil)
             .outerjoin(Post, Publication.post_id == Post.id)
             .join(Channel, Publication.channel_id == Channel.id)
             .join(Pupil, Publication.pupil_id == Pupil.id)
             .where(or_(Post.status.in_(LIVE),
                        and_(Publication.post_id.is_(None),
                             Publication.withdrawn_at.is_(None))))
             .options(selectinload(Pupil.consents)))
    if pupil_row is not None:
        query = query.where(Publication.pupil_id == pupil_row)
    return session.execute(query).all()


def takedown_key(publication: Publication, pupil_row: int) -> tuple:
    """A post is taken down whole; a single photo by its log entry."""
    if publication.post_id is not None:
        return ("post", publication.post_id, pupil_row)
    return ("photo", publication.id, pupil_row)


def mark_takedowns(session: Session, on: date, actor: str,
                   pupil_row: int | None = None) -> list[Takedown]:
    """Open a takedown for every live post or photo showing a pupil no longer allowed."""
    open_keys = set()
    for t in session.scalars(select(Takedown).where(Takedown.closed_at.is_(None))):
        open_keys.add(("post", t.post_id, t.pupil_id) if t.post_id is not None
                      else ("photo", t.publication_id, t.pupil_id))
    created = []
    for publication, post, channel, pupil in live_publications(session, pupil_row):
        key = takedown_key(publication, pupil.id)
        if key in open_keys:
            continue
        verdict = may_show(pupil.facts(), pupil.decisions(), channel.category, on)
        if verdict.allowed:
            continue
        takedown = Takedown(post_id=publication.post_id,
                            publication_id=None if post is not None else publication.id,
                            pupil_id=pupil.id, created_at=utcnow(),
                            reason=f"{channel.name}: {verdict.message}")
        session.add(takedown)
        subject = (f"post:{post.id}" if post is not None
                   else f"photo:{publication.photo_id}/file:{publication.file_name}")
        record(session, actor, "takedown.opened", subject, "pupil", None,
               f"{pupil.pupil_id}: {takedown.reason}")
        open_keys.add(key)
        created.append(takedown)
    return created
