"""Post services: staging, four-eyes approval, clean export, publication log."""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from classlens.errors import ClassLensError, ConcurrentChange, NotAllowed, NotFound
from classlens.posts.names import NameIndex
from classlens.posts.rules import (
    WARNING,
    PhotoFacts,
    PostFacts,
    Problem,
    blocking,
    check_post,
)
from classlens.services.base import STAFF, now
from classlens.services.photos import PhotoServices
from classlens.services.removals import open_removal_request
from classlens.services.takedowns import LIVE
from classlens.storage.models import Channel, Face, Photo, Post, PostPhoto, Pupil, Takedown

APPROVERS = ("slt",)
EDITABLE = ("draft", "submitted", "approved", "rejected")
EXPORTABLE = ("approved", "exported", "published")


@dataclass
class PostView:
    id: int
    status: str
    class_name: str
    channel: str
    platform: str
    author: str
    approver: str | None
    caption: str
    photos: list[dict]
    problems: list[Problem]
    acknowledged: list[str]
    rejection_reason: str | None = None
    url: str | None = None
    times: dict = field(default_factory=dict)
    kind: str = "general"

    @property
    def blocking(self) -> list[Problem]:
        return blocking(self.problems, self.acknowledged)

    def as_dict(self) -> dict:
        return {
            "id": self.id, "status": self.status, "class": self.class_name,
            "channel": self.channel, "platform": self.platform, "author": self.author,
            "approver": self.approver, "caption": self.caption, "photos": self.photos,
            "problems": [p.as_dict() for p in self.problems],
            "acknowledged": self.acknowledged, "rejection_reason": self.rejection_reason,
            "url": self.url, **self.times, "kind": self.kind,
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


class PostServices(PhotoServices):
    # -- reading --------------------------------------------------------------

    def _post(self, session: Session, post_id: int) -> Post:
        post = session.scalar(select(Post).where(Post.id == post_id).options(
            selectinload(Post.photos).selectinload(PostPhoto.photo).selectinload(Photo.faces)
            .selectinload(Face.pupil).selectinload(Pupil.consents),
            selectinload(Post.photos).selectinload(PostPhoto.photo).selectinload(Photo.faces)
            .selectinload(Face.named_pupil).selectinload(Pupil.consents),
            selectinload(Post.channel), selectinload(Post.school_class)))
        if post is None:
            raise NotFound(f"no post {post_id}")
        return post

    def _names(self, session: Session) -> NameIndex:
        rows = session.execute(select(Pupil.given_name, Pupil.preferred_name, Pupil.family_name)
                               .where(Pupil.on_roll.is_(True)))
        return NameIndex(name for row in rows for name in row if name)

    def _photo_facts(self, photo: Photo, channel: Channel, policy_faces: str) -> PhotoFacts:
        decided = [self._decide(f, channel, policy_faces) for f in photo.faces]
        return PhotoFacts(
            photo_id=photo.id, faces=len(decided), shown=sum(d.shown for d, _ in decided),
            blocked_by=tuple(sorted({p for _, pupils in decided for p in pupils})))

    def _problems(self, session: Session, post: Post, at: datetime | None = None,
                  sizes: dict[int, int] | None = None) -> list[Problem]:
        policy = self.school_policy(session)
        facts = []
        for item in post.photos:
            photo_facts = self._photo_facts(item.photo, post.channel, policy.faces)
            if sizes and item.photo_id in sizes:
                photo_facts = PhotoFacts(**{**photo_facts.__dict__,
                                            "exported_bytes": sizes[item.photo_id]})
            facts.append(photo_facts)
        return check_post(
            PostFacts(caption=post.caption, class_name=post.school_class.name,
                      platform=post.channel.platform, photos=facts,
                      alt_texts=[p.alt_text for p in post.photos], at=at or self.clock(),
                      kind=post.kind or "general",
                      class_posts_this_week=self._general_posts_in_week(session, post),
                      removal_requested_by=open_removal_request(session, post.id)),
            policy, self._names(session))

    def _general_posts_in_week(self, session: Session, post: Post) -> int:
        """General posts of the post's class staged earlier in the post's week
        (rejected and discarded ones do not count: they will not go out as they are)."""
        created = (post.created_at or now()).astimezone().date()
        start = created - timedelta(days=created.weekday())
        others = session.execute(select(Post.id, Post.created_at).where(
            Post.class_id == post.school_class.id, Post.kind == "general",
            Post.status.not_in(("rejected", "discarded")))).all()
        return sum(1 for other_id, at in others if (post.id is None or other_id < post.id)
                   and start <= at.astimezone().date() < start + timedelta(days=7))

    def _post_view(self, session: Session, post: Post) -> PostView:
        return PostView(
            id=post.id, status=post.status, class_name=post.school_class.name,
            kind=post.kind or "general",
            channel=post.channel.name, platform=post.channel.platform, author=post.author,
            approver=post.decided_by if post.status not in ("draft", "submitted", "rejected")
            else None,
            caption=post.caption,
            photos=[{"photo_id": p.photo_id, "alt": p.alt_text} for p in post.photos],
            problems=self._problems(session, post),
            acknowledged=json.loads(post.acknowledged),
            rejection_reason=post.rejection_reason, url=post.url,
            times={"created_at": _iso(post.created_at), "submitted_at": _iso(post.submitted_at),
                   "decided_at": _iso(post.decided_at), "exported_at": _iso(post.exported_at),
                   "published_at": _iso(post.published_at),
                   "withdrawn_at": _iso(post.withdrawn_at)})

    def post(self, post_id: int) -> PostView:
        with self.db.transaction() as session:
            return self._post_view(session, self._post(session, post_id))

    def posts(self, status: str | None = None) -> list[PostView]:
        with self.db.transaction() as session:
            query = select(Post.id).order_by(Post.id.desc())
            if status:
                query = query.where(Post.status == status)
            return [self._post_view(session, self._post(session, i))
                    for i in session.scalars(query)]

    def check_draft(self, class_name: str, channel_name: str, caption: str,
                    photo_ids: list[int], alts: list[str], kind: str = "general"
                    ) -> list[Problem]:
        """The rule results for a post being written, without saving anything."""
        with self.db.scratch() as session:
            school_class = self._class(session, class_name)
            post = Post(school_class=school_class, channel=self.channel(session, channel_name),
                        caption=caption, acknowledged="[]", kind=_kind(kind))
            self._set_content(session, post, caption, photo_ids, alts, [])
            return self._problems(session, post)

    # -- staging and editing --------------------------------------------------

    def stage(self, actor: str, class_name: str, channel_name: str, caption: str,
              photo_ids: list[int], alts: list[str] | None = None,
              acks: list[str] | None = None, kind: str = "general") -> PostView:
        with self.db.transaction() as session:
            self.require(session, actor, STAFF)
            school_class = self._class(session, class_name)
            channel = self.channel(session, channel_name)
            at = now()
            post = Post(school_class=school_class, channel=channel, author=actor,
                        caption=caption, status="draft", acknowledged="[]", created_at=at,
                        updated_at=at, updated_by=actor, kind=_kind(kind))
            self._set_content(session, post, caption, photo_ids, alts or [], acks or [])
            session.add(post)
            session.flush()
            self._audit(session, actor, "post.staged", f"post:{post.id}", "status", None,
                        f"draft for {channel.name}"
                        + (" (event)" if post.kind == "event" else ""))
            return self._post_view(session, post)

    def _set_content(self, session, post, caption, photo_ids, alts, acks) -> None:
        if len(alts) > len(photo_ids):
            raise ClassLensError(f"{len(alts)} alt texts for {len(photo_ids)} photos: give "
                                 "one --alt per --photo, in the same order")
        if len(set(photo_ids)) != len(photo_ids):
            raise ClassLensError("the same photo is in the post twice")
        photos = {p.id: p for p in session.scalars(select(Photo).where(Photo.id.in_(photo_ids)))}
        missing = [str(i) for i in photo_ids if i not in photos]
        if missing:
            raise NotFound(f"no photo {', '.join(missing)} in the library")
        post.caption = caption
        post.photos = [PostPhoto(photo=photos[i], position=n,
                                 alt_text=alts[n] if n < len(alts) else "")
                       for n, i in enumerate(photo_ids)]
        post.acknowledged = json.dumps(sorted(set(acks)))

    def edit(self, actor: str, post_id: int, caption: str | None = None,
             photo_ids: list[int] | None = None, alts: list[str] | None = None,
             acks: list[str] | None = None, kind: str | None = None) -> PostView:
        """Change a post; a submitted or approved post goes back to draft."""
        with self._race_reported(post_id), self.db.transaction() as session:
            self.require(session, actor, STAFF)
            post = self._post(session, post_id)
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
            _touch(post, actor)
            post.decided_by = post.decided_at = post.approval_snapshot = None
            self._audit(session, actor, "post.edited", f"post:{post_id}", "status", old, "draft")
            session.flush()
            return self._post_view(session, post)

    # -- four eyes ------------------------------------------------------------

    def submit(self, actor: str, post_id: int) -> PostView:
        with self._race_reported(post_id), self.db.transaction() as session:
            self.require(session, actor, STAFF)
            post = self._post(session, post_id)
            if post.status != "draft":
                raise ClassLensError(f"post {post_id} is {post.status}; only a draft is submitted")
            standing = blocking(self._problems(session, post), json.loads(post.acknowledged))
            if standing:
                raise ClassLensError(
                    f"post {post_id} cannot be submitted yet:\n" + "\n".join(
                        f"  [{p.rule}] {p.message}" for p in standing)
                    + ("\nAcknowledge a warning with --ack RULE when you are sure."
                       if any(p.severity == WARNING for p in standing) else ""))
            post.status, post.submitted_at = "submitted", now()
            _touch(post, actor)
            self._audit(session, actor, "post.submitted", f"post:{post_id}", "status",
                        "draft", "submitted")
            return self._post_view(session, post)

    def discard_draft(self, actor: str, post_id: int) -> PostView:
        """The author throws away a post nobody has approved (a draft, a rejected
        post, or one taken back from the approval queue). The row stays, marked
        "discarded", so the audit log's references still resolve."""
        with self._race_reported(post_id), self.db.transaction() as session:
            self.require(session, actor, STAFF)
            post = self._post(session, post_id)
            if post.author != actor:
                raise NotAllowed(f"only the author ({post.author}) discards post {post_id}")
            if post.status not in ("draft", "rejected", "submitted"):
                raise ClassLensError(f"post {post_id} is {post.status}; only a draft, a "
                                     "rejected post or one awaiting approval is discarded")
            old, post.status = post.status, "discarded"
            _touch(post, actor)
            self._audit(session, actor, "post.discarded", f"post:{post_id}", "status", old,
                        "discarded")
            return self._post_view(session, post)

    def _decider(self, session: Session, actor: str, post: Post) -> None:
        self.require(session, actor, APPROVERS)
        if post.author == actor:
            raise NotAllowed(f"{actor} wrote post {post.id}: a different member of senior "
                             "leadership must approve or reject it")
        if post.status != "submitted":
            raise ClassLensError(f"post {post.id} is {post.status}; only a submitted post is "
                                 "approved or rejected")

    def approve(self, actor: str, post_id: int) -> PostView:
        with self._race_reported(post_id), self.db.transaction() as session:
            post = self._post(session, post_id)
            self._decider(session, actor, post)
            self._not_own_review(actor, post)
            self._sweep_templates(session, actor)
            standing = blocking(self._problems(session, post), json.loads(post.acknowledged))
            if standing:
                raise ClassLensError(f"post {post_id} no longer passes the policy: "
                                     + "; ".join(p.message for p in standing))
            post.status, post.decided_by, post.decided_at = "approved", actor, now()
            _touch(post, actor)
            post.approval_snapshot = json.dumps(self._face_snapshot(session, post), sort_keys=True)
            post.rejection_reason = None
            self._audit(session, actor, "post.approved", f"post:{post_id}", "status",
                        "submitted", "approved")
            return self._post_view(session, post)

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
        with self._race_reported(post_id), self.db.transaction() as session:
            post = self._post(session, post_id)
            self._decider(session, actor, post)
            post.status, post.decided_by, post.decided_at = "rejected", actor, now()
            _touch(post, actor)
            post.rejection_reason = reason
            self._audit(session, actor, "post.rejected", f"post:{post_id}", "status",
                        "submitted", f"rejected: {reason}")
            return self._post_view(session, post)

    @contextmanager
    def _race_reported(self, post_id: int):
        """Turn a lost race into "changed by X at T (now approved)": reload and look."""
        try:
            yield
        except ConcurrentChange:
            with self.db.transaction() as session:
                post = self._post(session, post_id)
                raise ConcurrentChange(
                    f"post {post_id} was changed by {post.updated_by} at "
                    f"{post.updated_at.astimezone():%H:%M:%S} (it is now {post.status}) while "
                    "you were working on it; nothing was saved: reload it") from None

    def _face_snapshot(self, session: Session, post: Post) -> dict[str, list[dict]]:
        """Per photo, every face's decision: exactly what the export will show.

        Approval keeps this; export recomputes it and refuses on any difference.
        """
        policy_faces = self.school_policy(session).faces
        snapshot = {}
        for item in post.photos:
            faces = []
            for face in item.photo.faces:
                decision, _ = self._decide(face, post.channel, policy_faces)
                faces.append({"face": face.id,
                              "box": [face.left, face.top, face.right, face.bottom],
                              "shown": decision.shown, "why": decision.reason})
            snapshot[str(item.photo_id)] = faces
        return snapshot

    # -- export, publication, withdrawal -------------------------------------




    def mark_published(self, actor: str, post_id: int, url: str) -> PostView:
        if not url.strip():
            raise ClassLensError("paste the link of the published post")
        with self._race_reported(post_id), self.db.transaction() as session:
            self.require(session, actor, STAFF)
            post = self._post(session, post_id)
            if post.status not in ("exported", "published"):
                raise ClassLensError(f"post {post_id} is {post.status}; export it first")
            old = post.status
            post.status, post.url, post.published_at = "published", url.strip(), now()
            _touch(post, actor)
            self._audit(session, actor, "post.published", f"post:{post_id}", "url",
                        None if old == "exported" else old, url.strip())
            return self._post_view(session, post)

    def withdraw_post(self, actor: str, post_id: int, reason: str = "") -> PostView:
        """The post has been taken down: close its takedowns."""
        with self._race_reported(post_id), self.db.transaction() as session:
            self.require(session, actor, STAFF)
            post = self._post(session, post_id)
            if post.status not in LIVE:
                raise ClassLensError(f"post {post_id} is {post.status}; only an exported or "
                                     "published post is withdrawn")
            old = post.status
            post.status, post.withdrawn_at = "withdrawn", now()
            _touch(post, actor)
            for takedown in session.scalars(select(Takedown).where(
                    Takedown.post_id == post_id, Takedown.closed_at.is_(None))):
                takedown.closed_at, takedown.closed_by = now(), actor
            self._audit(session, actor, "post.withdrawn", f"post:{post_id}", "status", old,
                        f"withdrawn{': ' + reason if reason else ''}")
            return self._post_view(session, post)

    # -- takedowns and reports -------------------------------------------------








def _kind(kind: str) -> str:
    if kind not in ("general", "event"):
        raise ClassLensError(f"a post is general or an event, not {kind!r}")
    return kind


def _touch(post: Post, actor: str) -> None:
    post.updated_at, post.updated_by = now(), actor




