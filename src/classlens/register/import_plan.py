"""What a register import would change, worked out before anything is written.

Imports tighten freely but never loosen silently: a change that would lift a
refusal held in ClassLens (to a grant, or to "not recorded", which a later
import could turn into one), or turn a decision recorded in ClassLens since the
last import into a grant or a longer one, is held back and listed, and applies
only when the ICT leader accepts it (a parent who phoned the school to say no must not be
overruled by last month's MIS export).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from classlens.register.consent import (
    BIOMETRIC,
    CATEGORIES,
    GRANTED,
    Decision,
    PupilFacts,
    Reason,
    Verdict,
    consent_state,
    may_process_biometrics,
    state_label,
)
from classlens.register.csv_import import RegisterRow

# The pupil fields an import sets, and how the register's state names them.
PUPIL_FIELDS = ("given_name", "family_name", "preferred_name", "class_name", "year_group")
ConsentKey = tuple[str, str]  # (category, decided_by)
ConsentValue = tuple[str, date | None, str | None]  # (status, expires, evidence)
REFUSALS = (Reason.REFUSED_BY_PUPIL, Reason.REFUSED_BY_PARENT)


@dataclass
class PupilState:
    """A pupil as the register holds it, in plain values."""

    pupil_id: str
    given_name: str
    family_name: str
    preferred_name: str | None
    class_name: str | None
    year_group: str | None
    on_roll: bool = True
    never_publish: bool = False
    never_publish_reason: str | None = None
    consents: dict[ConsentKey, ConsentValue] = field(default_factory=dict)
    # Decisions recorded in ClassLens, not written by an import: each was recorded
    # since the last import that touched it.
    recent: frozenset[ConsentKey] = frozenset()


@dataclass(frozen=True)
class Change:
    pupil_id: str
    field: str
    old: str | None
    new: str | None

    def as_dict(self) -> dict:
        return {"pupil_id": self.pupil_id, "field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class Held:
    """A grant the file would give that needs the ICT leader's explicit yes."""

    pupil_id: str
    category: str
    old: str  # the register's word for the state now: refused, expired, granted...
    new: str
    why: str

    def as_dict(self) -> dict:
        return {"pupil_id": self.pupil_id, "category": self.category, "from": self.old,
                "to": self.new}


@dataclass
class ImportPlan:
    created: list[PupilState] = field(default_factory=list)
    updated: list[PupilState] = field(default_factory=list)  # the new states
    unchanged: int = 0
    left: list[str] = field(default_factory=list)
    returned: list[str] = field(default_factory=list)  # back on roll
    changes: list[Change] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    # Consent records to write or remove, per pupil id.
    consent_writes: dict[str, dict[ConsentKey, ConsentValue | None]] = field(default_factory=dict)


def describe_consent(value: tuple | None) -> str | None:
    """A decision in words for the audit log and the report (status and expiry)."""
    if value is None:
        return None
    status, expires = value[0], value[1]
    return f"{status} until {expires.isoformat()}" if expires else status


def plan_import(
    rows: Iterable[RegisterRow],
    existing: Mapping[str, PupilState],
    today: date,
    default_expiry: Callable[[date], date | None],
    mark_missing_left: bool,
    source: str = "",
    accept_grants: bool | Collection[str] = False,
) -> ImportPlan:
    """`accept_grants`: True for all held grants, or the pupil ids whose grants to apply."""
    plan = ImportPlan()
    by_pupil: dict[str, list[RegisterRow]] = {}
    for row in rows:  # a pupil's own decisions may come on a second row
        by_pupil.setdefault(row.pupil_id, []).append(row)
    for pupil_id, pupil_rows in by_pupil.items():
        old = existing.get(pupil_id)
        new = _state_from_rows(pupil_rows, old, today, default_expiry, source)
        if old is not None:
            accepted = accept_grants is True or (
                not isinstance(accept_grants, bool) and pupil_id in accept_grants)
            held = _loosened(old, new, today)
            if not accepted:
                for item in held:
                    _keep_old(new, old, item.category)
                plan.held.extend(held)
        changes = _diff(old, new)
        if old is None:
            plan.created.append(new)
        elif changes:
            plan.updated.append(new)
        else:
            plan.unchanged += 1
        if old is not None and old.on_roll != new.on_roll:
            (plan.returned if new.on_roll else plan.left).append(pupil_id)
        plan.changes.extend(changes)
        writes = {
            key: new.consents.get(key)
            for key in set(new.consents) | set(old.consents if old else ())
            if (old.consents.get(key) if old else None) != new.consents.get(key)
        }
        if writes:
            plan.consent_writes[pupil_id] = writes
    if mark_missing_left:
        for pupil_id, state in existing.items():
            if pupil_id not in by_pupil and state.on_roll:
                plan.left.append(pupil_id)
                plan.changes.append(Change(pupil_id, "on_roll", "yes", "no"))
    return plan


def _state_from_rows(rows, old, today, default_expiry, source) -> PupilState:
    first = rows[0]  # the parser checked that a pupil's rows agree on these
    consents = dict(old.consents) if old else {}
    for row in rows:
        for category, status in row.consents.items():
            key = (category, row.decided_by)
            if status is None:
                consents.pop(key, None)  # a blank answer means not recorded
                continue
            # Only grants expire; a refusal stands until someone changes it.
            expires = (row.expiry_of(category) or default_expiry(today)
                       if status == GRANTED else None)
            before = consents.get(key)
            if category in row.evidence:
                evidence = row.evidence[category]
            elif before is not None and before[:2] == (status, expires):
                evidence = before[2]  # the same decision: keep what it rests on
            else:
                evidence = f"register import {source}"
            consents[key] = (status, expires, evidence)
    never_publish, reason = _never_publish(first, old)
    return PupilState(
        pupil_id=first.pupil_id,
        given_name=first.given_name,
        family_name=first.family_name,
        preferred_name=first.preferred_name,
        class_name=first.class_name,
        year_group=first.year_group,
        # A pupil in an MIS export is on roll (again); our own export says so itself.
        on_roll=first.on_roll is not False,
        never_publish=never_publish,
        never_publish_reason=reason,
        consents=consents,
    )


def _verdict(state: PupilState, category: str, today: date) -> Verdict:
    decisions = [Decision(c, s, d, e) for (c, d), (s, e, _evidence) in state.consents.items()
                 if c == category]
    if category == BIOMETRIC:  # a template needs a parent's grant and no objection
        return may_process_biometrics(PupilFacts(), decisions, today)
    return consent_state(decisions, category, today)


def _last_day(state: PupilState, category: str) -> date:
    """The last day a grant of this category covers (date.max when it never expires)."""
    return max((e or date.max for (c, _d), (s, e, _evidence) in state.consents.items()
                if c == category and s == GRANTED), default=date.min)


def _loosened(old: PupilState, new: PupilState, today: date) -> list[Held]:
    """Categories where the file would give consent that ClassLens does not."""
    if new.consents == old.consents:
        return []  # most pupils of a re-import: nothing to weigh
    held = []
    for category in (*CATEGORIES, BIOMETRIC):
        before, after = _verdict(old, category, today), _verdict(new, category, today)
        recent = any(key[0] == category for key in old.recent)
        if before.reason in REFUSALS and after.reason not in REFUSALS:
            # Also "refused -> not recorded": a blank must not erase a refusal that a
            # later import could then turn into a grant.
            why = f"ClassLens holds a refusal ({before.message})"
        elif after.allowed and recent and (
                not before.allowed or _last_day(new, category) > _last_day(old, category)):
            why = "ClassLens holds a decision recorded since the last import"
        else:
            continue
        held.append(Held(new.pupil_id, category, state_label(before), state_label(after), why))
    return held


def _keep_old(new: PupilState, old: PupilState, category: str) -> None:
    for key in [k for k in new.consents if k[0] == category]:
        del new.consents[key]
    new.consents.update({k: v for k, v in old.consents.items() if k[0] == category})


def _never_publish(row: RegisterRow, old: PupilState | None) -> tuple[bool, str | None]:
    """An import may set the never-publish flag but never clears it.

    MIS exports rarely carry this safeguarding flag, and a "no" in a file
    must not undo what the ICT leader set deliberately for a looked-after
    child: clearing it takes `register never-publish --clear`.
    """
    flagged = bool(old and old.never_publish)
    reason = old.never_publish_reason if old else None
    if row.never_publish:
        return True, row.never_publish_reason or reason
    return flagged, reason


def _diff(old: PupilState | None, new: PupilState) -> list[Change]:
    if old is None:
        return []
    pid = new.pupil_id
    changes = [
        Change(pid, name, getattr(old, name), getattr(new, name))
        for name in PUPIL_FIELDS
        if getattr(old, name) != getattr(new, name)
    ]
    if old.on_roll != new.on_roll:
        changes.append(Change(pid, "on_roll", _yes_no(old.on_roll), _yes_no(new.on_roll)))
    if old.never_publish != new.never_publish:
        changes.append(Change(pid, "never_publish", _yes_no(old.never_publish),
                              _yes_no(new.never_publish)))
    if old.never_publish_reason != new.never_publish_reason:
        changes.append(Change(pid, "never_publish_reason", old.never_publish_reason,
                              new.never_publish_reason))
    for key in sorted(set(old.consents) | set(new.consents)):
        before, after = old.consents.get(key), new.consents.get(key)
        if before == after:
            continue
        name = f"consent_{key[0]} ({key[1]})"
        if before and after and before[:2] == after[:2]:
            changes.append(Change(pid, f"{name} evidence", before[2], after[2]))
        else:
            changes.append(Change(pid, name, describe_consent(before), describe_consent(after)))
    return changes


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"
