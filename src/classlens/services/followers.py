"""Follower requests, decisions and the weekly random check (seeds 002, 003, 004)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from classlens.audit import record
from classlens.errors import ClassLensError
from classlens.followers.lists import FollowerList, random_sample, read_follower_csv
from classlens.followers.verdicts import (
    ContactFacts,
    FollowerRow,
    PupilName,
    SchoolDirectory,
    Verdict,
)
from classlens.register.contacts import is_parent
from classlens.services.access import require
from classlens.services.account_checks import channels_in_use
from classlens.services.context import Context
from classlens.services.lookups import find_channel, now
from classlens.storage.models import (
    Channel,
    Contact,
    FollowerCheck,
    FollowerDecision,
    Pupil,
    SchoolClass,
    User,
)

CHECK_FOLLOWERS = ("slt", "ict")
CONFIRM_CHECK = ("slt",)  # seed 002: "checked weekly by a member of the SLT"
DECISIONS = ("accept", "decline", "block")
SAMPLE_SIZE = 10
PUBLIC = "social_public"


class FollowerServices:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _directory(self, session: Session) -> SchoolDirectory:
        classes: dict[int | None, str] = dict(
            session.execute(select(SchoolClass.id, SchoolClass.name)).all())
        pupils = []
        for p in session.scalars(select(Pupil).where(Pupil.on_roll.is_(True))):
            for given in sorted(n for n in {p.given_name, p.preferred_name} if n):
                pupils.append(PupilName(f"{given} {p.family_name}", classes.get(p.class_id)))
        contacts = [ContactFacts(c.contact_name, c.relation, is_parent(c.relation),
                                 classes.get(class_id), c.email)
                    for c, class_id in session.execute(
                        select(Contact, Pupil.class_id).join(Pupil, Contact.pupil_id == Pupil.id)
                        .where(Pupil.on_roll.is_(True)))]
        staff = [n for n in session.scalars(select(User.display_name)) if n]
        return SchoolDirectory(pupils, contacts, staff)

    def check_followers(self, actor: str, channel_name: str,
                        followers: FollowerList | Path) -> list[Verdict]:
        """A verdict and a reason for each follower request of a channel."""
        with self.ctx.db.transaction() as session:
            require(session, actor, CHECK_FOLLOWERS)
            find_channel(session, channel_name)
        if isinstance(followers, Path):
            followers = read_follower_csv(followers)
        if followers.problems:
            raise ClassLensError("the follower list was not read:\n" + "\n".join(
                f"  {p}" for p in followers.problems))
        with self.ctx.db.transaction() as session:
            directory = self._directory(session)
            verdicts = [directory.judge(row) for row in followers.rows]
            record(session, actor, "followers.checked", f"channel:{channel_name}", None,
                   None, f"{len(verdicts)} follower request(s)")
            return verdicts

    def decide_follower(self, actor: str, channel_name: str, handle: str, decision: str,
                        display_name: str | None = None) -> dict:
        """Record what a person decided (accept, decline, block); audited."""
        if decision not in DECISIONS:
            raise ClassLensError(f"decide {', '.join(DECISIONS)}, not {decision!r}")
        handle = handle.strip()
        if not handle:
            raise ClassLensError("give the follower's handle")
        with self.ctx.db.transaction() as session:
            require(session, actor, CHECK_FOLLOWERS)
            channel = find_channel(session, channel_name)
            row = FollowerRow(handle, display_name or "")
            advice = self._directory(session).judge(row) if display_name else None
            previous = self._latest_decision(session, channel, handle)
            session.add(FollowerDecision(
                channel_id=channel.id, handle=handle, display_name=display_name,
                decision=decision, verdict=advice.verdict if advice else None,
                reason=advice.reason if advice else None, decided_by=actor, decided_at=now()))
            record(session, actor, f"follower.{decision}", f"channel:{channel.name}",
                   handle, previous.decision if previous else None, decision)
            return {"channel": channel.name, "handle": handle, "decision": decision,
                    "previous": previous.decision if previous else None,
                    "decided_by": actor}

    @staticmethod
    def _latest_decision(session: Session, channel: Channel, handle: str):
        return session.scalar(select(FollowerDecision).where(
            FollowerDecision.channel_id == channel.id,
            FollowerDecision.handle == handle).order_by(FollowerDecision.id.desc()).limit(1))

    def follower_decisions(self, viewer: str, channel_name: str) -> list[dict]:
        """Each follower's standing decision on a channel."""
        with self.ctx.db.transaction() as session:
            require(session, viewer, CHECK_FOLLOWERS)
            channel = find_channel(session, channel_name)
            latest: dict[str, FollowerDecision] = {}
            for d in session.scalars(select(FollowerDecision).where(
                    FollowerDecision.channel_id == channel.id).order_by(FollowerDecision.id)):
                latest[d.handle] = d
            return [{"handle": d.handle, "display_name": d.display_name,
                     "decision": d.decision, "decided_by": d.decided_by,
                     "decided_at": d.decided_at.isoformat()} for d in latest.values()]

    # -- the weekly random check of a public channel's followers (seed 002) ------

    def _week_start(self, on: date | None = None) -> date:
        day = on or self.ctx.today()
        return day - timedelta(days=day.weekday())

    def draw_follower_sample(self, actor: str, channel_name: str,
                             followers: FollowerList | Path | None = None,
                             size: int = SAMPLE_SIZE) -> dict:
        """This week's random sample of a public channel's followers, drawn once.

        From the follower list given (as the platform lists it), else from the
        followers ClassLens recorded as accepted. Drawing again the same week
        shows the same sample: nobody picks the sample they prefer.
        """
        if size < 1:
            raise ClassLensError("the sample needs at least one follower")
        if isinstance(followers, Path):
            followers = read_follower_csv(followers)
        if followers is not None and followers.problems:
            raise ClassLensError("the follower list was not read:\n" + "\n".join(
                f"  {p}" for p in followers.problems))
        with self.ctx.db.transaction() as session:
            require(session, actor, CHECK_FOLLOWERS)
            channel = find_channel(session, channel_name)
            if channel.category != PUBLIC:
                raise ClassLensError(f"{channel.name} is not a public channel: its followers "
                                     "are vetted one by one, not sampled",
                                     hint="classlens followers check")
            week = self._week_start()
            check = session.scalar(select(FollowerCheck).where(
                FollowerCheck.channel_id == channel.id, FollowerCheck.week_start == week))
            if check is None:
                pool = followers.rows if followers is not None else [
                    FollowerRow(d["handle"], d["display_name"] or "")
                    for d in self._accepted(session, channel)]
                if not pool:
                    raise ClassLensError(
                        f"ClassLens knows no followers of {channel.name}: give the follower "
                        "list as the platform shows it (a CSV of handle, display_name, bio)")
                directory = self._directory(session)
                sample = [directory.judge(row).as_dict() | {"bio": row.bio}
                          for row in random_sample(pool, size)]
                check = FollowerCheck(channel_id=channel.id, week_start=week,
                                      sample=json.dumps(sample, ensure_ascii=False),
                                      drawn_by=actor, drawn_at=now())
                session.add(check)
                session.flush()
                record(session, actor, "followers.sampled", f"channel:{channel.name}",
                       "week", None, f"{week.isoformat()}: {len(sample)} of {len(pool)}")
            return _check_view(channel, check)

    def _accepted(self, session: Session, channel: Channel) -> list[dict]:
        latest: dict[str, FollowerDecision] = {}
        for d in session.scalars(select(FollowerDecision).where(
                FollowerDecision.channel_id == channel.id).order_by(FollowerDecision.id)):
            latest[d.handle] = d
        return [{"handle": d.handle, "display_name": d.display_name}
                for d in latest.values() if d.decision == "accept"]

    def finish_follower_check(self, actor: str, channel_name: str, note: str = "") -> dict:
        """SLT has looked at this week's sample (and blocked whom they had to)."""
        with self.ctx.db.transaction() as session:
            require(session, actor, CONFIRM_CHECK)
            channel = find_channel(session, channel_name)
            week = self._week_start()
            check = session.scalar(select(FollowerCheck).where(
                FollowerCheck.channel_id == channel.id, FollowerCheck.week_start == week))
            if check is None:
                raise ClassLensError(f"no sample of {channel.name}'s followers this week: draw "
                                     "one first",
                                     hint=f"classlens followers sample --channel {channel.name}")
            if check.done_at is not None:
                raise ClassLensError(f"this week's check of {channel.name} was done by "
                                     f"{check.done_by} on {check.done_at:%Y-%m-%d}")
            check.done_by, check.done_at, check.note = actor, now(), note.strip() or None
            record(session, actor, "followers.check_done", f"channel:{channel.name}",
                   "week", None, week.isoformat() + (f": {note}" if note else ""))
            return _check_view(channel, check)

    def follower_checks_due(self) -> list[dict]:
        """Public channels in use whose followers have not been checked this week."""
        week = self._week_start()
        with self.ctx.db.transaction() as session:
            due = []
            for channel in session.scalars(select(Channel).where(
                    Channel.category == PUBLIC, Channel.id.in_(channels_in_use(session)))
                    .order_by(Channel.name)):
                check = session.scalar(select(FollowerCheck).where(
                    FollowerCheck.channel_id == channel.id, FollowerCheck.week_start == week))
                if check is not None and check.done_at is not None:
                    continue
                view = _check_view(channel, check) if check else {
                    "channel": channel.name, "week": week.isoformat(), "drawn_by": None,
                    "sample": [], "done_by": None, "done_at": None}
                view["status"] = ("sample drawn, waiting for SLT" if check
                                  else "no sample drawn yet")
                due.append(view)
            return due


def _check_view(channel: Channel, check: FollowerCheck) -> dict:
    return {"channel": channel.name, "week": check.week_start.isoformat(),
            "drawn_by": check.drawn_by, "drawn_at": check.drawn_at.isoformat(),
            "sample": json.loads(check.sample), "done_by": check.done_by,
            "done_at": check.done_at.isoformat() if check.done_at else None,
            "note": check.note}
