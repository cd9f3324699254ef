"""Reading a register CSV (ours, or a school MIS export through a column map).

Pure: bytes in, validated rows and problems out. Nothing here touches the
database; `plan_import` compares rows with the register as it stands so the
caller can write everything in one transaction, or nothing.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from classlens.register.consent import ALL_CATEGORIES, GRANTED, PARENT, PUPIL, REFUSED

# Our column names, in the order our export writes them.
CONSENT_FIELDS = {f"consent_{c}": c for c in ALL_CATEGORIES}
FIELDS: tuple[str, ...] = (
    "pupil_id",
    "given_name",
    "family_name",
    "preferred_name",
    "class",
    "year_group",
    *CONSENT_FIELDS,
    "decided_by",
    "consent_expires",
    "never_publish",
    "never_publish_reason",
)
REQUIRED = ("pupil_id", "given_name", "family_name", "class")
MAX_LENGTH = {"pupil_id": 40, "given_name": 100, "family_name": 100, "preferred_name": 100,
              "class": 100, "year_group": 20}

YES = {"yes", "y", "true", "1", "granted"}
NO = {"no", "n", "false", "0", "refused"}
DECIDERS = {"parent": PARENT, "carer": PARENT, "parent/carer": PARENT, "guardian": PARENT,
            "pupil": PUPIL, "student": PUPIL, "child": PUPIL}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
# Cells starting with these are formulas to a spreadsheet; our export prefixes
# them with an apostrophe, which the import takes off again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value,
                "message": self.message}

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column!r}" if self.column else "")
        shown = f" (value {self.value!r})" if self.value else ""
        return f"{where}{shown}: {self.message}"


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
    expires: date | None
    # Only the categories whose column the file has; None = blank = not recorded.
    consents: dict[str, str | None] = field(default_factory=dict)
    never_publish: bool | None = None  # None: the file has no such column
    never_publish_reason: str | None = None


@dataclass
class ParsedRegister:
    rows: list[RegisterRow]
    problems: list[Problem]
    columns: dict[str, str]  # field -> heading found in the file


class MappingError(ValueError):
    """A --map argument that names no field of ours (a usage error)."""


def parse_mapping(items: Iterable[str], fields: tuple[str, ...] = FIELDS,
                  what: str = "register") -> dict[str, str]:
    """`FIELD=HEADER` strings to a dict, refusing unknown fields."""
    mapping: dict[str, str] = {}
    for item in items:
        name, sep, header = item.partition("=")
        name = name.strip()
        if not sep or not header.strip():
            raise MappingError(f"--map {item!r}: write it as FIELD=HEADER")
        if name not in fields:
            raise MappingError(
                f"--map {item!r}: {name!r} is not a {what} field; fields are: "
                + ", ".join(fields)
            )
        mapping[name] = header.strip()
    return mapping


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Excel saves it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 maps them rather than failing.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def sniff_dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _key(heading: str) -> str:
    return " ".join(heading.split()).casefold()


def _clean(cell: str) -> str:
    cell = unicodedata.normalize("NFC", cell.strip())
    if cell.startswith("'") and cell[1:2] in FORMULA_START:
        cell = cell[1:]
    return cell


@dataclass
class Table:
    """A CSV file's records with our fields located among its headings."""

    headings: list[str]
    records: list[list[str]]
    columns: dict[str, str]  # field -> heading found in the file
    index_of: dict[str, int]  # field -> position
    problems: list[Problem]

    def rows(self, problems: list[Problem]):
        """(spreadsheet row number, cells) of each data row; blank rows skipped,
        rows with more cells than headings reported."""
        for number, record in enumerate(self.records[1:], start=2):
            if not any(cell.strip() for cell in record):
                continue  # spreadsheets leave blank lines at the end
            if len(record) > len(self.headings) and any(
                    c.strip() for c in record[len(self.headings):]):
                problems.append(Problem(number, "", "", f"the row has {len(record)} cells but "
                                        f"there are {len(self.headings)} headings; check for a "
                                        "separator inside an unquoted value"))
                continue
            yield number, record


def read_table(data: bytes, fields: tuple[str, ...], required: tuple[str, ...],
               mapping: Mapping[str, str] | None = None) -> Table:
    """Decode, sniff and find each field's column (by name or through `mapping`)."""
    mapping = dict(mapping or {})
    text = decode(data)
    records = list(csv.reader(io.StringIO(text, newline=""), sniff_dialect(text)))
    if not records or not any(cell.strip() for cell in records[0]):
        return Table([], records, {}, {}, [Problem(1, "", "", "the file is empty: the first "
                                                   "row must hold the column headings")])
    headings = [_clean(h) for h in records[0]]
    positions: dict[str, int] = {}
    for index, heading in enumerate(headings):
        if heading:
            positions.setdefault(_key(heading), index)
    problems: list[Problem] = []
    columns: dict[str, str] = {}
    index_of: dict[str, int] = {}
    for name in fields:
        wanted = mapping.get(name, name)
        position = positions.get(_key(wanted))
        if position is None:
            if name in mapping or name in required:
                how = "" if name in mapping else (
                    f"; if your file calls it something else, use --map {name}=HEADING")
                problems.append(Problem(
                    1, wanted, "",
                    f"column {wanted!r} for {name} is not in the file{how}. "
                    f"Headings found: {', '.join(h for h in headings if h)}"))
            continue
        columns[name] = headings[position]
        index_of[name] = position
    return Table(headings, records, columns, index_of, problems)


def parse_register(data: bytes, mapping: Mapping[str, str] | None = None) -> ParsedRegister:
    """Validate every row; rows are numbered as a spreadsheet shows them."""
    table = read_table(data, FIELDS, REQUIRED, mapping)
    if table.problems:
        return ParsedRegister([], table.problems, table.columns)
    problems: list[Problem] = []
    index_of, columns = table.index_of, table.columns

    rows: list[RegisterRow] = []
    first_row_of: dict[str, int] = {}
    for number, record in table.rows(problems):
        row = _parse_row(number, record, index_of, columns, problems)
        if row is None:
            continue
        if row.pupil_id in first_row_of:
            problems.append(Problem(number, columns["pupil_id"], row.pupil_id,
                                    f"pupil id already used on row {first_row_of[row.pupil_id]}; "
                                    "each pupil must appear once"))
            continue
        first_row_of[row.pupil_id] = number
        rows.append(row)
    return ParsedRegister(rows, problems, columns)


def _parse_row(number, record, index_of, columns, problems) -> RegisterRow | None:
    before = len(problems)

    def cell(name: str) -> str:
        position = index_of.get(name)
        if position is None or position >= len(record):
            return ""
        return _clean(record[position])

    def problem(name: str, value: str, message: str) -> None:
        problems.append(Problem(number, columns.get(name, name), value, message))

    values = {name: cell(name) for name in MAX_LENGTH}
    for name in REQUIRED:
        if not values[name]:
            problem(name, "", f"{name.replace('_', ' ')} is missing; every pupil needs one")
    for name, limit in MAX_LENGTH.items():
        if len(values[name]) > limit:
            problem(name, values[name][:40], f"longer than {limit} characters")

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
    decided_by = DECIDERS.get(raw_by.casefold(), None) if raw_by else PARENT
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

    never_publish = None
    if "never_publish" in index_of:
        raw = cell("never_publish")
        try:
            never_publish = bool(_consent_value(raw) == GRANTED) if raw else False
        except ValueError:
            problem("never_publish", raw, "must be yes or no (blank means no)")
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
        decided_by=decided_by,
        expires=expires,
        consents=consents,
        never_publish=never_publish,
        never_publish_reason=cell("never_publish_reason") or None,
    )


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


def preview(path: Path, rows: int = 5) -> tuple[list[str], list[list[str]]]:
    """The headings and first rows of a register file, for mapping its columns."""
    text = decode(path.read_bytes())
    records = list(csv.reader(io.StringIO(text, newline=""), sniff_dialect(text)))
    if not records:
        return [], []
    return [_clean(h) for h in records[0]], [[_clean(c) for c in r] for r in records[1:rows + 1]]


def guess_mapping(headings: list[str]) -> dict[str, str]:
    """Our field for each heading that already carries our name (any case)."""
    keys = {_key(h): h for h in headings if h}
    return {name: keys[_key(name)] for name in FIELDS if _key(name) in keys}


def read_register(path: Path, mapping: Mapping[str, str] | None = None) -> ParsedRegister:
    try:
        data = path.read_bytes()
    except OSError as error:
        return ParsedRegister([], [Problem(0, "", "", f"cannot read {path}: {error.strerror}")], {})
    return parse_register(data, mapping)
