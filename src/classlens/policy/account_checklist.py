"""The account settings a school's policy promises, confirmed by SLT each term.

ClassLens cannot see inside the platforms; what it can do is hold the
promises in front of a person every term and record who confirmed each one
(seed 000: a policy said "protected account" while the feed was public).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    source: str
    private_only: bool = False  # only for a private (vetted followers) channel


ITEMS: dict[str, Item] = {i.key: i for i in (
    Item("protected", "The account is protected: only followers the school accepted see its "
         "posts and profile.", "seed 003; seed 000", private_only=True),
    Item("messages-off", "Direct messages are off: the account enters no private "
         "discussions.", "seeds 001, 003, 004"),
    Item("no-reposting", "The school's posts cannot be reposted (retweeted) by followers.",
         "seed 003"),
    Item("no-personal-reposts", "The account reposts no member of staff's personal "
         "account.", "seed 002"),
    Item("follows-educational", "The account follows only educationally linked accounts "
         "(no personal accounts).", "seed 004"),
    Item("no-replies", "The account does not reply to replies.", "seed 004"),
    Item("password", "The password was changed this term and only SLT and the ICT leader "
         "know it.", "seeds 002, 004"),
)}
SOCIAL = ("social_public", "social_private")
GRACE = timedelta(days=14)  # a term's first two weeks to confirm before it is overdue


def items_for(promises: tuple[str, ...], category: str) -> list[Item]:
    """The checklist of one channel: its policy's promises that apply to it."""
    if category not in SOCIAL:
        return []  # a website or newsletter has no followers, messages or reposts
    wanted = set(promises)
    if category == "social_private":
        wanted.add("protected")  # a private channel is only private if the account is
    return [item for key, item in ITEMS.items() if key in wanted
            and (category == "social_private" or not item.private_only)]


@dataclass(frozen=True)
class Term:
    key: str  # "2026-autumn"
    label: str  # "autumn term 2026"
    start: date

    @property
    def due(self) -> date:
        return self.start + GRACE


def term_of(day: date) -> Term:
    """English school terms, simplified: autumn Sep-Dec, spring Jan-Mar, summer Apr-Aug."""
    if day.month >= 9:
        name, start = "autumn", date(day.year, 9, 1)
    elif day.month >= 4:
        name, start = "summer", date(day.year, 4, 1)
    else:
        name, start = "spring", date(day.year, 1, 1)
    return Term(f"{day.year}-{name}", f"{name} term {day.year}", start)
