"""Reading a register CSV (ours, or a school MIS export through a column map):
each row checked and turned into a `RegisterRow`, every problem with its row.

Pure: bytes in, validated rows and problems out. Nothing here touches the
database; `import_plan` compares rows with the register as it stands so the
caller can write everything in one transaction, or nothing. The file itself
is read by `csv_table`; our columns are named in `columns`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from classlens.register.columns import (
    CONSENT_FIELDS,
    EVIDENCE_FIELDS,
    EXPIRY_FIELDS,
    FIELDS,
    MAX_CELL,
    MAX_LENGTH,
    MULTILINE,
    REQUIRED,
)
from classlens.register.consent import GRANTED, PARENT, PUPIL, REFUSED
from classlens.register.csv_table import Problem, clean, has_control, printable, read_table

# The pupil's details that every row of the same pupil must give alike.
PUPIL_DETAILS = ("given_name", "family_name", "preferred_name", "class_name", "year_group",
                 "never_publish", "never_publish_reason", "on_roll")
YES = {"yes", "y", "true", "1", "granted"}
NO = {"no", "n", "false", "0", "refused"}
DECIDERS = {"parent": PARENT, "carer": PARENT, "parent/carer": PARENT, "guardian": PARENT,
            "pupil": PUPIL, "student": PUPIL, "child": PUPIL}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


@dataclass
class RegisterRow:
    row: int
    pupil_id: str
    given_name: str
    family_name: str
    preferred_name: str | None
    class_name: str
    year_group: str | None
    decided_by: str
    expires: date | None  # the row's consent_expires, for categories without their own
    # Only the categories whose column the file has; None = blank = not recorded.
    consents: dict[str, str | None] = field(default_factory=dict)
    never_publish: bool | None = None  # None: the file has no such column
    never_publish_reason: str | None = None
    on_roll: bool | None = None  # None: the file does not say (a pupil in it is on roll)
    # Per category, when the file has the column (our own export does).
    expiries: dict[str, date | None] = field(default_factory=dict)
    evidence: dict[str, str | None] = field(default_factory=dict)

    def expiry_of(self, category: str) -> date | None:
        return self.expiries.get(category) or self.expires

    def details(self) -> tuple:
        return tuple(getattr(self, name) for name in PUPIL_DETAILS)


@dataclass
class ParsedRegister:
    rows: list[RegisterRow]
    problems: list[Problem]
    columns: dict[str, str]  # field -> heading found in the file


def parse_register(data: bytes, mapping: Mapping[str, str] | None = None) -> ParsedRegister:
    """Validate every row; rows are numbered as a spreadsheet shows them."""
    table = read_table(data, FIELDS, REQUIRED, mapping)
    if table.problems:
        return ParsedRegister([], table.problems, table.columns)
    problems: list[Problem] = []
    index_of, columns = table.index_of, table.columns

    rows: list[RegisterRow] = []
    first_row_of: dict[tuple[str, str], int] = {}
    details_of: dict[str, RegisterRow] = {}
    for number, record in table.rows(problems):
        row = _parse_row(number, record, index_of, columns, problems)
        if row is None:
            continue
        key = (row.pupil_id, row.decided_by)
        if key in first_row_of:
            problems.append(Problem(number, columns["pupil_id"], row.pupil_id,
                                    f"pupil id already used on row {first_row_of[key]}; "
                                    "each pupil must appear once (and once more only for "
                                    "decisions made by the pupil)"))
            continue
        other = details_of.get(row.pupil_id)
        if other is not None and other.details() != row.details():
            differs = next(n for n, a, b in zip(PUPIL_DETAILS, other.details(), row.details(),
                                                strict=True) if a != b)
            problems.append(Problem(number, columns["pupil_id"], row.pupil_id,
                                    f"this pupil is also on row {other.row} with a different "
                                    f"{differs.replace('_', ' ')}; both rows must agree"))
            continue
        first_row_of[key] = number
        details_of.setdefault(row.pupil_id, row)
        rows.append(row)
    return ParsedRegister(rows, problems, columns)


def _parse_row(number, record, index_of, columns, problems) -> RegisterRow | None:
    before = len(problems)

    def problem(name: str, value: str, message: str) -> None:
        # A cell is echoed in part: enough to find it, never a whole pasted row.
        problems.append(Problem(number, columns.get(name, name), value[:40], message))

    cells: dict[str, str] = {}
    for name, position in index_of.items():
        value = clean(record[position]) if position < len(record) else ""
        limit = MAX_LENGTH.get(name, MAX_CELL)
        if has_control(value, multiline=name in MULTILINE):
            problem(name, printable(value)[:40], "holds a control character (such as a NUL "
                    "byte): the file looks damaged; check this cell in a spreadsheet")
            value = ""
        elif len(value) > limit:
            problem(name, printable(value)[:40], f"longer than {limit} characters")
            value = ""
        cells[name] = value

    def cell(name: str) -> str:
        return cells.get(name, "")

    values = {name: cell(name) for name in MAX_LENGTH}
    for name in REQUIRED:
        if not values[name] and name in cells and not _reported(problems, before, name,
                                                                columns):
            problem(name, "", f"{name.replace('_', ' ')} is missing; every pupil needs one")

    consents: dict[str, str | None] = {}
    for name, category in CONSENT_FIELDS.items():
        if name not in index_of:
            continue
        raw = cell(name)
        try:
            consents[category] = _consent_value(raw)
        except ValueError as error:
            problem(name, raw, str(error))

    raw_by = cell("decided_by")
    decided_by = DECIDERS.get(raw_by.casefold()) if raw_by else PARENT
    if decided_by is None:
        problem("decided_by", raw_by, "who decided must be parent or pupil "
                "(blank means parent)")

    raw_expires = cell("consent_expires")
    expires = None
    if raw_expires:
        expires = _parse_date(raw_expires)
        if expires is None:
            problem("consent_expires", raw_expires,
                    "not a date; write it as YYYY-MM-DD (2026-08-31) or DD/MM/YYYY (31/08/2026)")

    expiries: dict[str, date | None] = {}
    for name, category in EXPIRY_FIELDS.items():
        raw = cell(name)
        if raw:
            expiries[category] = _parse_date(raw)
            if expiries[category] is None:
                problem(name, raw, "not a date; write it as YYYY-MM-DD (2026-08-31) or "
                        "DD/MM/YYYY (31/08/2026)")
    evidence = {category: cell(name) or None for name, category in EVIDENCE_FIELDS.items()
                if name in index_of}

    never_publish = None
    if "never_publish" in index_of:
        raw = cell("never_publish")
        try:
            never_publish = bool(_consent_value(raw) == GRANTED) if raw else False
        except ValueError:
            problem("never_publish", raw, "must be yes or no (blank means no)")
    on_roll = None
    if cell("on_roll"):
        raw = cell("on_roll")
        try:
            on_roll = _consent_value(raw) == GRANTED
        except ValueError:
            problem("on_roll", raw, "must be yes or no (blank means yes: a pupil in the "
                    "file is on roll)")
    if len(problems) > before:
        return None
    return RegisterRow(
        row=number,
        pupil_id=values["pupil_id"],
        given_name=values["given_name"],
        family_name=values["family_name"],
        preferred_name=values["preferred_name"] or None,
        class_name=values["class"],
        year_group=values["year_group"] or None,
        decided_by=decided_by or PARENT,  # None was reported as a problem above
        expires=expires,
        consents=consents,
        never_publish=never_publish,
        never_publish_reason=cell("never_publish_reason") or None,
        on_roll=on_roll,
        expiries=expiries,
        evidence=evidence,
    )


def _reported(problems: list[Problem], since: int, name: str, columns) -> bool:
    column = columns.get(name, name)
    return any(p.column == column for p in problems[since:])


def _consent_value(raw: str) -> str | None:
    value = raw.casefold()
    if not value:
        return None
    if value in YES:
        return GRANTED
    if value in NO:
        return REFUSED
    raise ValueError("not a consent answer; use yes or no (also y/n, true/false, 1/0, "
                     "granted/refused), or leave it blank for not recorded")


def _parse_date(raw: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            pass
    return None


def read_register(path: Path, mapping: Mapping[str, str] | None = None) -> ParsedRegister:
    try:
        data = path.read_bytes()
    except OSError as error:
        return ParsedRegister([], [Problem(0, "", "", f"cannot read {path}: {error.strerror}; "
                                           "check the file's name and folder")], {})
    return parse_register(data, mapping)
