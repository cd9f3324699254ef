"""What was published: takedown lists and the weekly quota report."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from classlens.audit import record
from classlens.errors import ClassLensError, NotFound
from classlens.services.access import STAFF, require
from classlens.services.context import Context
from classlens.services.lookups import find_pupil, now, school_policy
from classlens.services.takedowns import LIVE, live_publications, mark_takedowns
from classlens.storage.models import Channel, Post, Publication, Pupil, SchoolClass, Takedown


class PostReportServices:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def takedown(self, pupil_id: str, actor: str = "system") -> list[dict]:
        """Every live post and single exported photo showing the pupil, newest
        first; marks those to take down. A single photo has no post id: its
        entry names the photo and the file."""
        with self.ctx.db.transaction() as session:
            pupil = find_pupil(session, pupil_id)
            mark_takedowns(session, self.ctx.today(), actor, pupil.id)
            session.flush()
            open_reasons = {}
            for t in session.scalars(select(Takedown).where(
                    Takedown.pupil_id == pupil.id, Takedown.closed_at.is_(None))):
                key = ("post", t.post_id) if t.post_id is not None else ("photo",
                                                                         t.publication_id)
                open_reasons[key] = t.reason
            entries: dict[tuple, dict] = {}
            for publication, post, channel, _ in live_publications(session, pupil.id):
                key = (("post", post.id) if post is not None
                       else ("photo", publication.id))
                reason = open_reasons.get(key)
                entry = entries.setdefault(key, {
                    "post_id": post.id if post is not None else None,
                    "photo_id": None if post is not None else publication.photo_id,
                    "file": None if post is not None else publication.file_name,
                    "channel": channel.name, "url": post.url if post is not None else None,
                    "exported_at": publication.exported_at.isoformat(),
                    "take_down": reason is not None, "reason": reason})
                entry["exported_at"] = max(entry["exported_at"],
                                           publication.exported_at.isoformat())
            return sorted(entries.values(), key=lambda e: e["exported_at"], reverse=True)

    def open_takedowns(self) -> list[dict]:
        """Open takedowns of posts and of single exported photos, newest first."""
        with self.ctx.db.transaction() as session:
            rows = session.execute(
                select(Takedown, Post, Publication, Pupil)
                .outerjoin(Post, Takedown.post_id == Post.id)
                .outerjoin(Publication, Takedown.publication_id == Publication.id)
                .join(Pupil, Takedown.pupil_id == Pupil.id)
                .where(Takedown.closed_at.is_(None)).order_by(Takedown.created_at.desc())).all()
            channels = {c.id: c.name for c in session.scalars(select(Channel))}
            return [{"post_id": post.id if post is not None else None,
                     "photo_id": publication.photo_id if publication is not None else None,
                     "file": publication.file_name if publication is not None else None,
                     "pupil_id": pupil.pupil_id,
                     "channel": channels[post.channel_id if post is not None
                                         else publication.channel_id],
                     "url": post.url if post is not None else None, "reason": takedown.reason,
                     "since": takedown.created_at.isoformat()}
                    for takedown, post, publication, pupil in rows]

    def withdraw_photo_export(self, actor: str, file_name: str) -> int:
        """A single exported photo has been taken down: close its takedowns."""
        with self.ctx.db.transaction() as session:
            require(session, actor, STAFF)
            entries = list(session.scalars(select(Publication).where(
                Publication.post_id.is_(None), Publication.file_name == file_name,
                Publication.withdrawn_at.is_(None))))
            if not entries:
                raise NotFound(f"no single photo exported as {file_name} is still out there")
            at = now()
            for entry in entries:
                entry.withdrawn_at = at
                for takedown in session.scalars(select(Takedown).where(
                        Takedown.publication_id == entry.id, Takedown.closed_at.is_(None))):
                    takedown.closed_at, takedown.closed_by = at, actor
            record(session, actor, "photo.withdrawn", f"file:{file_name}", "status",
                   "exported", "withdrawn")
            return len(entries)

    def weekly_report(self, week: str | None = None) -> dict:
        """Posts per class in an ISO week against the policy's quota (seed 003)."""
        start = _week_start(week) if week else self.ctx.today() - timedelta(
            days=self.ctx.today().weekday())
        end = start + timedelta(days=7)
        with self.ctx.db.transaction() as session:
            policy = school_policy(session)
            classes = list(session.scalars(select(SchoolClass.name).join(Pupil)
                                           .where(Pupil.on_roll.is_(True)).distinct()
                                           .order_by(SchoolClass.name)))
            counts: dict[str, int] = {}
            events: dict[str, int] = {}  # event posts: shown, never counted in the quota
            for post in session.scalars(select(Post).where(Post.status.in_(LIVE)).options(
                    selectinload(Post.school_class))):
                assert post.exported_at is not None  # a live post was exported
                local_day = post.exported_at.astimezone().date()
                if start <= local_day < end:
                    tally = events if post.kind == "event" else counts
                    tally[post.school_class.name] = tally.get(post.school_class.name, 0) + 1
        low, high = policy.posts_per_class_week_min, policy.posts_per_class_week_max
        rows = []
        for name in sorted(set(classes) | set(counts) | set(events)):
            n = counts.get(name, 0)
            status = ("behind" if low is not None and n < low
                      else "over" if high is not None and n > high else "ok")
            rows.append({"class": name, "posts": n, "status": status,
                         "events": events.get(name, 0)})
        iso = start.isocalendar()
        return {"week": f"{iso.year}-W{iso.week:02d}", "from": start.isoformat(),
                "to": (end - timedelta(days=1)).isoformat(), "min": low, "max": high,
                "classes": rows}


def _week_start(week: str) -> date:
    try:
        return datetime.strptime(week + "-1", "%G-W%V-%u").date()
    except ValueError:
        raise ClassLensError(f"{week!r} is not an ISO week; write it as YYYY-Www, "
                             "for example 2026-W47") from None
