"""The account checklist: what the policy promises of each channel's account,
confirmed by SLT term by term (see policy/account_checklist.py)."""

from __future__ import annotations

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from classlens.audit import record
from classlens.errors import ClassLensError
from classlens.policy.account_checklist import ITEMS, items_for, term_of
from classlens.services.access import require
from classlens.services.context import Context
from classlens.services.lookups import find_channel, now, school_policy
from classlens.storage.models import (
    AccountConfirmation,
    Channel,
    FollowerCheck,
    FollowerDecision,
    Post,
)

CONFIRM_ACCOUNT = ("slt",)


def channels_in_use(session: Session) -> set[int]:
    """Channels the school uses: a post was staged for it, or its followers or
    account were looked at. A fresh school has a channel per consent category;
    the dashboard does not nag about accounts the school never opened."""
    return set(session.scalars(union(
        select(Post.channel_id), select(FollowerDecision.channel_id),
        select(FollowerCheck.channel_id), select(AccountConfirmation.channel_id))))


class AccountCheckServices:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def account_checklist(self, channel_name: str | None = None,
                          in_use_only: bool = False) -> list[dict]:
        """Every channel's checklist this term: each promise, confirmed or due."""
        today = self.ctx.today()
        term = term_of(today)
        with self.ctx.db.transaction() as session:
            policy = school_policy(session)
            query = select(Channel).order_by(Channel.id)
            if channel_name is not None:
                query = query.where(Channel.id == find_channel(session, channel_name).id)
            if in_use_only:
                query = query.where(Channel.id.in_(channels_in_use(session)))
            confirmed = {(c.channel_id, c.item): c for c in session.scalars(
                select(AccountConfirmation).where(AccountConfirmation.term == term.key))}
            rows = []
            for channel in session.scalars(query):
                for item in items_for(policy.account_promises, channel.category):
                    done = confirmed.get((channel.id, item.key))
                    rows.append({
                        "channel": channel.name, "item": item.key, "text": item.text,
                        "source": item.source, "term": term.label,
                        "confirmed_by": done.confirmed_by if done else None,
                        "confirmed_at": done.confirmed_at.isoformat() if done else None,
                        "due": term.due.isoformat(),
                        "status": "confirmed" if done else
                        ("overdue" if today > term.due else "due")})
            return rows

    def confirm_account_items(self, actor: str, channel_name: str, items: list[str]) -> list[dict]:
        """SLT confirms, for this term, that the account keeps these promises."""
        if not items:
            raise ClassLensError("name the item(s) you checked on the account")
        term = term_of(self.ctx.today())
        with self.ctx.db.transaction() as session:
            require(session, actor, CONFIRM_ACCOUNT)
            channel = find_channel(session, channel_name)
            applicable = {i.key for i in items_for(school_policy(session).account_promises,
                                                   channel.category)}
            for item in items:
                if item not in applicable:
                    known = ", ".join(sorted(applicable)) or "none"
                    what = "not a checklist item" if item not in ITEMS else \
                        "not promised for this channel"
                    raise ClassLensError(f"{item!r} is {what}; {channel.name}'s items: {known}")
            for item in dict.fromkeys(items):
                exists = session.scalar(select(AccountConfirmation).where(
                    AccountConfirmation.channel_id == channel.id, AccountConfirmation.item == item,
                    AccountConfirmation.term == term.key))
                if exists:
                    continue  # confirmed already this term: the first confirmation stands
                session.add(AccountConfirmation(channel_id=channel.id, item=item, term=term.key,
                                                confirmed_by=actor, confirmed_at=now()))
                record(session, actor, "account.confirmed", f"channel:{channel.name}",
                       item, None, term.label)
        return self.account_checklist(channel_name)
