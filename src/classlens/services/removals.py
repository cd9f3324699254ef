"""A parent's request to take a post down (seed 002: followers are asked not to
repost; parents ask the school to remove): recorded with who asked, what and
when, and open on the dashboard until every post it concerns is withdrawn or
a person closes it."""

from __future__ import annotations

import json

from sqlalchemy import select

from classlens.audit import record
from classlens.errors import ClassLensError, NotFound
from classlens.services.access import STAFF, require
from classlens.services.context import Context
from classlens.services.lookups import now
from classlens.services.takedowns import LIVE, live_publications
from classlens.storage.models import Post, Pupil, RemovalRequest, Takedown

CLOSE_REQUESTS = ("slt", "ict")


def open_removal_request(session, post_id: int | None) -> str | None:
    """Who asked for this post to be removed, while that request is open."""
    if post_id is None:
        return None
    return session.scalar(select(RemovalRequest.requested_by).where(
        RemovalRequest.post_id == post_id, RemovalRequest.closed_at.is_(None))
        .order_by(RemovalRequest.id).limit(1))


class RemovalServices:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def request_removal(self, actor: str, requested_by: str, post_id: int | None = None,
                        pupil_id: str | None = None) -> dict:
        """Record the request and open a takedown for each live post it concerns."""
        if (post_id is None) == (pupil_id is None):
            raise ClassLensError("say which post or which pupil the request is about",
                                 hint="--post ID or --pupil ID")
        requested_by = " ".join(requested_by.split())
        if not requested_by:
            raise ClassLensError("say who asked, and how",
                                 hint='--from "Mrs Davies, by phone"')
        with self.ctx.db.transaction() as session:
            require(session, actor, STAFF)
            at = now()
            request = RemovalRequest(requested_by=requested_by, recorded_by=actor,
                                     received_at=at, posts="[]")
            reason = f"removal requested by {requested_by} on {at.astimezone():%Y-%m-%d}"
            if post_id is not None:
                post = session.get(Post, post_id)
                if post is None:
                    raise NotFound(f"no post {post_id}")
                request.post_id, concerned = post.id, [post.id]
                shown = {pub.pupil_id for pub, p, _c, _pupil in live_publications(session)
                         if p.id == post.id}
                subject = f"post:{post.id}"
            else:
                pupil = session.scalar(select(Pupil).where(Pupil.pupil_id == pupil_id))
                if pupil is None:
                    raise NotFound(f"no pupil {pupil_id} in the register")
                request.pupil_id = pupil.id
                live = live_publications(session, pupil.id)
                concerned = sorted({p.id for _pub, p, _c, _pupil in live})
                shown = {pupil.id}
                subject = f"pupil:{pupil.pupil_id}"
            request.posts = json.dumps(concerned)
            session.add(request)
            session.flush()
            # Live posts showing a pupil get a takedown like a withdrawn consent does,
            # so they are listed with the others and closed when withdrawn.
            open_pairs = {(t.post_id, t.pupil_id) for t in session.scalars(
                select(Takedown).where(Takedown.closed_at.is_(None)))}
            for number in concerned:
                post = session.get(Post, number)
                if post is None or post.status not in LIVE:
                    continue
                for pupil_row in shown:
                    if (number, pupil_row) not in open_pairs and any(
                            pub.post_id == number for pub, *_ in
                            live_publications(session, pupil_row)):
                        session.add(Takedown(post_id=number, pupil_id=pupil_row,
                                             reason=reason, created_at=at))
            record(session, actor, "takedown.requested", subject, "requested_by", None,
                   f"{requested_by}; posts {concerned or 'none live'}")
            return self._request_view(session, request)

    def _request_view(self, session, request: RemovalRequest) -> dict:
        concerned = json.loads(request.posts)
        post_ids = concerned or ([request.post_id] if request.post_id else [])
        statuses = {p.id: p.status for p in session.scalars(
            select(Post).where(Post.id.in_(post_ids)))} if post_ids else {}
        still_live = [n for n in post_ids if statuses.get(n) != "withdrawn"]
        pupil = session.get(Pupil, request.pupil_id) if request.pupil_id else None
        done = request.closed_at is not None or (bool(post_ids) and not still_live)
        return {"id": request.id, "post_id": request.post_id,
                "pupil_id": pupil.pupil_id if pupil else None,
                "requested_by": request.requested_by, "recorded_by": request.recorded_by,
                "received_at": request.received_at.isoformat(), "posts": post_ids,
                "waiting_for": still_live, "done": done,
                "closed_by": request.closed_by, "note": request.note}

    def removal_requests(self, open_only: bool = True) -> list[dict]:
        """Requests, newest first; open ones until their posts are withdrawn."""
        with self.ctx.db.transaction() as session:
            views = [self._request_view(session, r) for r in session.scalars(
                select(RemovalRequest).order_by(RemovalRequest.id.desc()))]
        return [v for v in views if not (open_only and v["done"])]

    def close_removal_request(self, actor: str, request_id: int, note: str) -> dict:
        """Close a request by hand (nothing was live, or the post was never exported)."""
        if not note.strip():
            raise ClassLensError("say what was done", hint="--note TEXT")
        with self.ctx.db.transaction() as session:
            require(session, actor, CLOSE_REQUESTS)
            request = session.get(RemovalRequest, request_id)
            if request is None:
                raise NotFound(f"no removal request {request_id}")
            if request.closed_at is not None:
                raise ClassLensError(f"removal request {request_id} was closed by "
                                     f"{request.closed_by}")
            request.closed_at, request.closed_by, request.note = now(), actor, note.strip()
            record(session, actor, "takedown.request_closed", f"request:{request_id}",
                   None, None, note.strip())
            return self._request_view(session, request)
