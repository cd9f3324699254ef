"""What a register import would change, worked out before anything is written."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from classlens.register.consent import GRANTED
from classlens.register.csv_import import RegisterRow

# The pupil fields an import sets, and how the register's state names them.
PUPIL_FIELDS = ("given_name", "family_name", "preferred_name", "class_name", "year_group")
ConsentKey = tuple[str, str]  # (category, decided_by)
ConsentValue = tuple[str, date | None]  # (status, expires)


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


@dataclass(frozen=True)
class Change:
    pupil_id: str
    field: str
    old: str | None
    new: str | None

    def as_dict(self) -> dict:
        return {"pupil_id": self.pupil_id, "field": self.field, "old": self.old, "new": self.new}


@dataclass
class ImportPlan:
    created: list[PupilState] = field(default_factory=list)
    updated: list[PupilState] = field(default_factory=list)  # the new states
    unchanged: int = 0
    left: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    # Consent records to write or remove, per pupil id.
    consent_writes: dict[str, dict[ConsentKey, ConsentValue | None]] = field(default_factory=dict)


def describe_consent(value: ConsentValue | None) -> str | None:
    if value is None:
        return None
    status, expires = value
    return f"{status} until {expires.isoformat()}" if expires else status


def plan_import(
    rows: Iterable[RegisterRow],
    existing: Mapping[str, PupilState],
    today: date,
    default_expiry: Callable[[date], date | None],
    mark_missing_left: bool,
) -> ImportPlan:
    plan = ImportPlan()
    seen: set[str] = set()
    for row in rows:
        seen.add(row.pupil_id)
        old = existing.get(row.pupil_id)
        new = _state_from_row(row, old, today, default_expiry)
        changes = _diff(old, new)
        if old is None:
            plan.created.append(new)
        elif changes:
            plan.updated.append(new)
        else:
            plan.unchanged += 1
        plan.changes.extend(changes)
        writes = {
            key: new.consents.get(key)
            for key in set(new.consents) | set(old.consents if old else ())
            if (old.consents.get(key) if old else None) != new.consents.get(key)
        }
        if writes:
            plan.consent_writes[row.pupil_id] = writes
    if mark_missing_left:
        for pupil_id, state in existing.items():
            if pupil_id not in seen and state.on_roll:
                plan.left.append(pupil_id)
                plan.changes.append(Change(pupil_id, "on_roll", "yes", "no"))
    return plan


def _state_from_row(row, old, today, default_expiry) -> PupilState:
    consents = dict(old.consents) if old else {}
    for category, status in row.consents.items():
        key = (category, row.decided_by)
        if status is None:
            consents.pop(key, None)  # a blank answer means not recorded
            continue
        # Only grants expire; a refusal stands until someone changes it.
        expires = (row.expires or default_expiry(today)) if status == GRANTED else None
        consents[key] = (status, expires)
    never_publish, reason = _never_publish(row, old)
    return PupilState(
        pupil_id=row.pupil_id,
        given_name=row.given_name,
        family_name=row.family_name,
        preferred_name=row.preferred_name,
        class_name=row.class_name,
        year_group=row.year_group,
        on_roll=True,  # a pupil in the MIS export is on roll (again)
        never_publish=never_publish,
        never_publish_reason=reason,
        consents=consents,
    )


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
        changes.append(Change(pid, "on_roll", "no", "yes"))
    if old.never_publish != new.never_publish:
        changes.append(Change(pid, "never_publish", _yes_no(old.never_publish),
                              _yes_no(new.never_publish)))
    if old.never_publish_reason != new.never_publish_reason:
        changes.append(Change(pid, "never_publish_reason", old.never_publish_reason,
                              new.never_publish_reason))
    for key in sorted(set(old.consents) | set(new.consents)):
        before, after = old.consents.get(key), new.consents.get(key)
        if before != after:
            changes.append(Change(pid, f"consent_{key[0]} ({key[1]})",
                                  describe_consent(before), describe_consent(after)))
    return changes


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"
