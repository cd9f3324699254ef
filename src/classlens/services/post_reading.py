"""Reading a post and judging it: the row with everything the rules need, its
problems under the school's policy, every face's decision as approval keeps
it, and the view the app and the command line show."""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from classlens.errors import ConcurrentChange, NotFound
from classlens.posts.names import NameIndex
from classlens.posts.rules import PhotoFacts, PostFacts, Problem, blocking, check_post
from classlens.services.context import Context
from classlens.services.lookups import now, school_policy
from classlens.services.removals import open_removal_request
from classlens.services.rendering import Renderer
from classlens.storage.models import Channel, Face, Photo, Post, PostPhoto, Pupil, SchoolClass

EDITABLE = ("draft", "submitted", "approved", "rejected")
EXPORTABLE = ("approved", "exported", "published")


@dataclass(frozen=True)
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


class PostReader:
    def __init__(self, ctx: Context, renderer: Renderer) -> None:
        self.ctx = ctx
        self.renderer = renderer

    def post_row(self, session: Session, post_id: int) -> Post:
        post = session.scalar(select(Post).where(Post.id == post_id).options(
            selectinload(Post.photos).selectinload(PostPhoto.photo).selectinload(Photo.faces)
            .selectinload(Face.pupil).selectinload(Pupil.consents),
            selectinload(Post.photos).selectinload(PostPhoto.photo).selectinload(Photo.faces)
            .selectinload(Face.named_pupil).selectinload(Pupil.consents),
            selectinload(Post.channel), selectinload(Post.school_class)))
        if post is None:
            raise NotFound(f"no post {post_id}")
        return post

    def problems(self, session: Session, post: Post, at: datetime | None = None,
                 sizes: dict[int, int] | None = None) -> list[Problem]:
        """The post's problems under the school's policy (at `at`, with the
        exported files' `sizes` when they are made)."""
        return self.check(
            session, post.school_class, post.channel, post.caption,
            [item.photo for item in post.photos], [item.alt_text for item in post.photos],
            post.kind or "general", at=at, sizes=sizes,
            week_of=(post.created_at or now()).astimezone().date(), post_id=post.id)

    def check(self, session: Session, school_class: SchoolClass, channel: Channel,
              caption: str, photos: Sequence[Photo], alts: Sequence[str], kind: str, *,
              at: datetime | None = None, sizes: dict[int, int] | None = None,
              week_of: date | None = None, post_id: int | None = None) -> list[Problem]:
        """The rules applied to a post's content, saved (`post_id`) or not yet."""
        policy = school_policy(session)
        facts = []
        for photo in photos:
            decided = [self.renderer.decide(f, channel, policy.faces) for f in photo.faces]
            facts.append(PhotoFacts(
                photo_id=photo.id, faces=len(decided), shown=sum(d.shown for d, _ in decided),
                blocked_by=tuple(sorted({p for _, pupils in decided for p in pupils})),
                exported_bytes=(sizes or {}).get(photo.id)))
        return check_post(
            PostFacts(caption=caption, class_name=school_class.name,
                      platform=channel.platform, photos=facts, alt_texts=list(alts),
                      at=at or self.ctx.clock(), kind=kind,
                      class_posts_this_week=_general_posts_in_week(
                          session, school_class, week_of or now().astimezone().date(), post_id),
                      removal_requested_by=None if post_id is None
                      else open_removal_request(session, post_id)),
            policy, _names(session))

    def view(self, session: Session, post: Post) -> PostView:
        return PostView(
            id=post.id, status=post.status, class_name=post.school_class.name,
            kind=post.kind or "general",
            channel=post.channel.name, platform=post.channel.platform, author=post.author,
            approver=post.decided_by if post.status not in ("draft", "submitted", "rejected")
            else None,
            caption=post.caption,
            photos=[{"photo_id": p.photo_id, "alt": p.alt_text} for p in post.photos],
            problems=self.problems(session, post),
            acknowledged=json.loads(post.acknowledged),
            rejection_reason=post.rejection_reason, url=post.url,
            times={"created_at": iso(post.created_at), "submitted_at": iso(post.submitted_at),
                   "decided_at": iso(post.decided_at), "exported_at": iso(post.exported_at),
                   "published_at": iso(post.published_at),
                   "withdrawn_at": iso(post.withdrawn_at)})

    def face_snapshot(self, session: Session, post: Post) -> dict[str, list[dict]]:
        """Per photo, every face's decision: exactly what the export will show.

        Approval keeps this; export recomputes it and refuses on any difference.
        """
        policy_faces = school_policy(session).faces
        snapshot = {}
        for item in post.photos:
            faces = []
            for face in item.photo.faces:
                decision, _ = self.renderer.decide(face, post.channel, policy_faces)
                faces.append({"face": face.id,
                              "box": [face.left, face.top, face.right, face.bottom],
                              "shown": decision.shown, "why": decision.reason})
            snapshot[str(item.photo_id)] = faces
        return snapshot

    @contextmanager
    def race_reported(self, post_id: int):
        """Turn a lost race into "changed by X at T (now approved)": reload and look."""
        try:
            yield
        except ConcurrentChange:
            with self.ctx.db.transaction() as session:
                post = self.post_row(session, post_id)
                raise ConcurrentChange(
                    f"post {post_id} was changed by {post.updated_by} at "
                    f"{post.updated_at.astimezone():%H:%M:%S} (it is now {post.status}) while "
                    "you were working on it; nothing was saved: reload it") from None


def _names(session: Session) -> NameIndex:
    rows = session.execute(select(Pupil.given_name, Pupil.preferred_name, Pupil.family_name)
                           .where(Pupil.on_roll.is_(True)))
    return NameIndex(name for row in rows for name in row if name)


def _general_posts_in_week(session: Session, school_class: SchoolClass, day: date,
                           post_id: int | None) -> int:
    """General posts of the class staged earlier in the week of `day` (rejected
    and discarded ones do not count: they will not go out as they are)."""
    start = day - timedelta(days=day.weekday())
    others = session.execute(select(Post.id, Post.created_at).where(
        Post.class_id == school_class.id, Post.kind == "general",
        Post.status.not_in(("rejected", "discarded")))).all()
    return sum(1 for other_id, at in others if (post_id is None or other_id < post_id)
               and start <= at.astimezone().date() < start + timedelta(days=7))


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def touch(post: Post, actor: str) -> None:
    post.updated_at, post.updated_by = now(), actor
