"""A post's life: staged by staff, checked against the policy, approved or
rejected by a second person (senior leadership, never the author), then
published and, when consent is withdrawn, taken down."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from classlens.audit import record
from classlens.errors import ClassLensError, NotAllowed, NotFound
from classlens.posts.rules import WARNING, Problem, blocking
from classlens.services.access import APPROVERS, STAFF, require
from classlens.services.context import Context
from classlens.services.lookups import find_channel, find_class, now
from classlens.services.post_reading import EDITABLE, PostReader, PostView, touch
from classlens.services.takedowns import LIVE
from classlens.storage.models import Photo, Post, PostPhoto, Takedown


class PostServices:
    def __init__(self, ctx: Context, reader: PostReader) -> None:
        self.ctx = ctx
        self.reader = reader

    def post(self, post_id: int) -> PostView:
        with self.ctx.db.transaction() as session:
            return self.reader.view(session, self.reader.post_row(session, post_id))

    def posts(self, status: str | None = None) -> list[PostView]:
        with self.ctx.db.transaction() as session:
            query = select(Post.id).order_by(Post.id.desc())
            if status:
                query = query.where(Post.status == status)
            return [self.reader.view(session, self.reader.post_row(session, i))
                    for i in session.scalars(query)]

    def check_draft(self, class_name: str, channel_name: str, caption: str,
                    photo_ids: list[int], alts: list[str], kind: str = "general"
                    ) -> list[Problem]:
        """The rule results for a post being written, without saving anything."""
        with self.ctx.db.transaction() as session:
            return self.reader.check(
                session, find_class(session, class_name), find_channel(session, channel_name),
                caption, _photos(session, photo_ids, alts),
                [alts[n] if n < len(alts) else "" for n in range(len(photo_ids))], _kind(kind))

    # -- staging and editing --------------------------------------------------

    def stage(self, actor: str, class_name: str, channel_name: str, caption: str,
              photo_ids: list[int], alts: list[str] | None = None,
              acks: list[str] | None = None, kind: str = "general") -> PostView:
        with self.ctx.db.transaction() as session:
            require(session, actor, STAFF)
            school_class = find_class(session, class_name)
            channel = find_channel(session, channel_name)
            at = now()
            post = Post(school_class=school_class, channel=channel, author=actor,
                        caption=caption, status="draft", acknowledged="[]", created_at=at,
                        updated_at=at, updated_by=actor, kind=_kind(kind))
            self._set_content(session, post, caption, photo_ids, alts or [], acks or [])
            session.add(post)
            session.flush()
            record(session, actor, "post.staged", f"post:{post.id}", "status", None,
                   f"draft for {channel.name}"
                   + (" (event)" if post.kind == "event" else ""))
            return self.reader.view(session, post)

    @staticmethod
    def _set_content(session, post, caption, photo_ids, alts, acks) -> None:
        post.caption = caption
        post.photos = [PostPhoto(photo=photo, position=n,
                                 alt_text=alts[n] if n < len(alts) else "")
                       for n, photo in enumerate(_photos(session, photo_ids, alts))]
        post.acknowledged = json.dumps(sorted(set(acks)))

    def edit(self, actor: str, post_id: int, caption: str | None = None,
             photo_ids: list[int] | None = None, alts: list[str] | None = None,
             acks: list[str] | None = None, kind: str | None = None) -> PostView:
        """Change a post; a submitted or approved post goes back to draft."""
        with self.reader.race_reported(post_id), self.ctx.db.transaction() as session:
            require(session, actor, STAFF)
            post = self.reader.post_row(session, post_id)
            if post.author != actor:
                raise NotAllowed(f"only the author ({post.author}) edits post {post_id}")
            if post.status not in EDITABLE:
                raise ClassLensError(f"post {post_id} is {post.status}; it cannot be edited")
            current_ids = [p.photo_id for p in post.photos]
            self._set_content(
                session, post, post.caption if caption is None else caption,
                current_ids if photo_ids is None else photo_ids,
                [p.alt_text for p in post.photos] if alts is None else alts,
                json.loads(post.acknowledged) if acks is None else acks)
            if kind is not None:
                post.kind = _kind(kind)
            old = post.status
            post.status = "draft"
            touch(post, actor)
            post.decided_by = post.decided_at = post.approval_snapshot = None
            record(session, actor, "post.edited", f"post:{post_id}", "status", old, "draft")
            session.flush()
            return self.reader.view(session, post)

    # -- four eyes ------------------------------------------------------------

    def submit(self, actor: str, post_id: int) -> PostView:
        with self.reader.race_reported(post_id), self.ctx.db.transaction() as session:
            require(session, actor, STAFF)
            post = self.reader.post_row(session, post_id)
            if post.status != "draft":
                raise ClassLensError(f"post {post_id} is {post.status}; only a draft is submitted")
            standing = blocking(self.reader.problems(session, post), json.loads(post.acknowledged))
            if standing:
                warned = any(p.severity == WARNING for p in standing)
                raise ClassLensError(
                    f"post {post_id} cannot be submitted yet:\n" + "\n".join(
                        f"  [{p.rule}] {p.message}" for p in standing)
                    + ("\nAcknowledge a warning when you are sure." if warned else ""),
                    hint="--ack RULE" if warned else None)
            post.status, post.submitted_at = "submitted", now()
            touch(post, actor)
            record(session, actor, "post.submitted", f"post:{post_id}", "status",
                   "draft", "submitted")
            return self.reader.view(session, post)

    def discard_draft(self, actor: str, post_id: int) -> PostView:
        """The author throws away a post nobody has approved (a draft, a rejected
        post, or one taken back from the approval queue). The row stays, marked
        "discarded", so the audit log's references still resolve."""
        with self.reader.race_reported(post_id), self.ctx.db.transaction() as session:
            require(session, actor, STAFF)
            post = self.reader.post_row(session, post_id)
            if post.author != actor:
                raise NotAllowed(f"only the author ({post.author}) discards post {post_id}")
            if post.status not in ("draft", "rejected", "submitted"):
                raise ClassLensError(f"post {post_id} is {post.status}; only a draft, a "
                                     "rejected post or one awaiting approval is discarded")
            old, post.status = post.status, "discarded"
            touch(post, actor)
            record(session, actor, "post.discarded", f"post:{post_id}", "status", old,
                   "discarded")
            return self.reader.view(session, post)

    def _decider(self, session: Session, actor: str, post: Post) -> None:
        require(session, actor, APPROVERS)
        if post.author == actor:
            raise NotAllowed(f"{actor} wrote post {post.id}: a different member of senior "
                             "leadership must approve or reject it")
        if post.status != "submitted":
            raise ClassLensError(f"post {post.id} is {post.status}; only a submitted post is "
                                 "approved or rejected")

    def approve(self, actor: str, post_id: int) -> PostView:
        with self.reader.race_reported(post_id), self.ctx.db.transaction() as session:
            post = self.reader.post_row(session, post_id)
            self._decider(session, actor, post)
            self._not_own_review(actor, post)
            self.ctx.sweep_templates(session, actor)
            standing = blocking(self.reader.problems(session, post), json.loads(post.acknowledged))
            if standing:
                raise ClassLensError(f"post {post_id} no longer passes the policy: "
                                     + "; ".join(p.message for p in standing))
            post.status, post.decided_by, post.decided_at = "approved", actor, now()
            touch(post, actor)
            post.approval_snapshot = json.dumps(self.reader.face_snapshot(session, post),
                                                sort_keys=True)
            post.rejection_reason = None
            record(session, actor, "post.approved", f"post:{post_id}", "status",
                   "submitted", "approved")
            return self.reader.view(session, post)

    @staticmethod
    def _not_own_review(actor: str, post: Post) -> None:
        """The approver is the second pair of eyes on every face a reviewer
        cleared or named: not on their own."""
        for item in post.photos:
            for face in item.photo.faces:
                if face.reviewed_by == actor and (face.not_a_face or face.named_pupil):
                    raise NotAllowed(
                        f"you cleared or named face {face.id} in photo {item.photo_id} "
                        f"yourself, so another SLT member approves post {post.id}")

    def reject(self, actor: str, post_id: int, reason: str) -> PostView:
        if not reason.strip():
            raise ClassLensError("give the author a reason")
        with self.reader.race_reported(post_id), self.ctx.db.transaction() as session:
            post = self.reader.post_row(session, post_id)
            self._decider(session, actor, post)
            post.status, post.decided_by, post.decided_at = "rejected", actor, now()
            touch(post, actor)
            post.rejection_reason = reason
            record(session, actor, "post.rejected", f"post:{post_id}", "status",
                   "submitted", f"rejected: {reason}")
            return self.reader.view(session, post)

    # -- publication and withdrawal ------------------------------------------

    def mark_published(self, actor: str, post_id: int, url: str) -> PostView:
        if not url.strip():
            raise ClassLensError("paste the link of the published post")
        with self.reader.race_reported(post_id), self.ctx.db.transaction() as session:
            require(session, actor, STAFF)
            post = self.reader.post_row(session, post_id)
            if post.status not in ("exported", "published"):
                raise ClassLensError(f"post {post_id} is {post.status}; export it first")
            old = post.status
            post.status, post.url, post.published_at = "published", url.strip(), now()
            touch(post, actor)
            record(session, actor, "post.published", f"post:{post_id}", "url",
                   None if old == "exported" else old, url.strip())
            return self.reader.view(session, post)

    def withdraw_post(self, actor: str, post_id: int, reason: str = "") -> PostView:
        """The post has been taken down: close its takedowns."""
        with self.reader.race_reported(post_id), self.ctx.db.transaction() as session:
            require(session, actor, STAFF)
            post = self.reader.post_row(session, post_id)
            if post.status not in LIVE:
                raise ClassLensError(f"post {post_id} is {post.status}; only an exported or "
                                     "published post is withdrawn")
            old = post.status
            post.status, post.withdrawn_at = "withdrawn", now()
            touch(post, actor)
            for takedown in session.scalars(select(Takedown).where(
                    Takedown.post_id == post_id, Takedown.closed_at.is_(None))):
                takedown.closed_at, takedown.closed_by = now(), actor
            record(session, actor, "post.withdrawn", f"post:{post_id}", "status", old,
                   f"withdrawn{': ' + reason if reason else ''}")
            return self.reader.view(session, post)


def _kind(kind: str) -> str:
    if kind not in ("general", "event"):
        raise ClassLensError(f"a post is general or an event, not {kind!r}")
    return kind


def _photos(session: Session, photo_ids: list[int], alts: list[str]) -> list[Photo]:
    """The post's photos in order, each once, with at most one alt text each."""
    if len(alts) > len(photo_ids):
        raise ClassLensError(f"{len(alts)} alt texts for {len(photo_ids)} photos: give "
                             "one per photo, in the same order",
                             hint="one --alt per --photo")
    if len(set(photo_ids)) != len(photo_ids):
        raise ClassLensError("the same photo is in the post twice")
    photos = {p.id: p for p in session.scalars(select(Photo).where(Photo.id.in_(photo_ids)))}
    missing = [str(i) for i in photo_ids if i not in photos]
    if missing:
        raise NotFound(f"no photo {', '.join(missing)} in the library")
    return [photos[i] for i in photo_ids]
