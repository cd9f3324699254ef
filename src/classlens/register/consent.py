"""The one function that decides whether a pupil may be shown on a channel.

Everything that publishes (photo decisions, post checks, exports) asks
`may_show`; nothing else interprets consent records. It is pure: it sees the
pupil's facts and decisions as plain values and a date, so it can be tested
exhaustively and called the same way from the CLI, the GUI and the exporter.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

# Publication categories, in the order schools list them on consent forms.
CATEGORIES: tuple[str, ...] = (
    "website",
    "social_public",
    "social_private",
    "newsletter",
    "press",
    "display",
    "video",
)
# Biometric consent is kept in the same shape but is never a publication
# category: it only allows a face template to be computed and compared.
BIOMETRIC = "biometric"
ALL_CATEGORIES: tuple[str, ...] = (*CATEGORIES, BIOMETRIC)

GRANTED = "granted"
REFUSED = "refused"
PARENT = "parent"
PUPIL = "pupil"


@dataclass(frozen=True)
class Decision:
    """One recorded consent decision, as the consent rules need to see it."""

    category: str
    status: str  # GRANTED or REFUSED
    decided_by: str  # PARENT or PUPIL
    expires: date | None = None

    def valid_on(self, on: date) -> bool:
        # A consent is valid through its expiry date, and void the day after.
        return self.expires is None or on <= self.expires


@dataclass(frozen=True)
class PupilFacts:
    """What the consent rules need to know about a pupil besides decisions."""

    on_roll: bool = True
    never_publish: bool = False


class Reason(enum.Enum):
    """Why a pupil may or may not be shown. ALLOWED is the only yes."""

    ALLOWED = "allowed"
    OFF_ROLL = "off roll"
    NEVER_PUBLISH = "never publish"
    REFUSED_BY_PUPIL = "refused by pupil"
    REFUSED_BY_PARENT = "refused by parent"
    NOT_RECORDED = "not recorded"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Verdict:
    reason: Reason
    expired_on: date | None = None

    @property
    def allowed(self) -> bool:
        return self.reason is Reason.ALLOWED

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def message(self) -> str:
        """A sentence a teacher understands."""
        match self.reason:
            case Reason.ALLOWED:
                return "consent granted"
            case Reason.OFF_ROLL:
                return "pupil is no longer on roll"
            case Reason.NEVER_PUBLISH:
                return "pupil must never be published"
            case Reason.REFUSED_BY_PUPIL:
                return "refused by the pupil"
            case Reason.REFUSED_BY_PARENT:
                return "refused by parent/carer"
            case Reason.NOT_RECORDED:
                return "no consent recorded"
            case Reason.EXPIRED:
                assert self.expired_on is not None  # every EXPIRED verdict carries it
                return f"consent expired on {self.expired_on.isoformat()}"
        raise AssertionError(self.reason)


def consent_state(decisions: Iterable[Decision], category: str, on: date) -> Verdict:
    """The state of one category's consent, ignoring on-roll and never-publish.

    A competent pupil's refusal wins over a parent's grant, and any refusal
    wins over any grant. No record means no consent. A grant only counts
    while it is unexpired; an expired grant counts as refused.
    """
    relevant = [d for d in decisions if d.category == category]
    if any(d.status == REFUSED and d.decided_by == PUPIL for d in relevant):
        return Verdict(Reason.REFUSED_BY_PUPIL)
    if any(d.status == REFUSED for d in relevant):
        return Verdict(Reason.REFUSED_BY_PARENT)
    grants = [d for d in relevant if d.status == GRANTED]
    if not grants:
        return Verdict(Reason.NOT_RECORDED)
    if any(d.valid_on(on) for d in grants):
        return Verdict(Reason.ALLOWED)
    return Verdict(Reason.EXPIRED, expired_on=_last_expiry(grants))


def may_show(
    facts: PupilFacts, decisions: Iterable[Decision], category: str, on: date
) -> Verdict:
    """May this pupil be shown, unblurred, on a channel of `category` on `on`?"""
    if category not in CATEGORIES:
        raise ValueError(f"{category!r} is not a publication category")
    if not facts.on_roll:
        return Verdict(Reason.OFF_ROLL)
    if facts.never_publish:
        return Verdict(Reason.NEVER_PUBLISH)
    return consent_state(decisions, category, on)


def may_process_biometrics(
    facts: PupilFacts, decisions: Iterable[Decision], on: date
) -> Verdict:
    """May a face template be computed for, or compared against, this pupil?

    Protection of Freedoms Act 2012 s.26: written consent from a parent and no
    objection from the child. So a pupil's own grant is not enough here, and
    a pupil who has left has no template at all.
    """
    decisions = [d for d in decisions if d.category == BIOMETRIC]
    if not facts.on_roll:
        return Verdict(Reason.OFF_ROLL)
    state = consent_state(decisions, BIOMETRIC, on)
    if not state.allowed:
        return state
    if not any(d.decided_by == PARENT and d.status == GRANTED for d in decisions):
        return Verdict(Reason.NOT_RECORDED)
    parent_grants = [d for d in decisions if d.decided_by == PARENT]
    if not any(d.valid_on(on) for d in parent_grants):
        return Verdict(Reason.EXPIRED, expired_on=_last_expiry(parent_grants))
    return state


def state_label(verdict: Verdict) -> str:
    """The register's word for a category's state: granted/refused/expired/not recorded."""
    match verdict.reason:
        case Reason.ALLOWED:
            return GRANTED
        case Reason.EXPIRED:
            return "expired"
        case Reason.NOT_RECORDED:
            return "not recorded"
        case _:
            return REFUSED


def _last_expiry(grants: list[Decision]) -> date:
    """When the last of these grants ran out (none is valid, so each has an expiry)."""
    return max(d.expires for d in grants if d.expires is not None)
