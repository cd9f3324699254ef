"""Reading a register CSV (ours, or a school MIS export through a column map).

Pure: bytes in, validated rows and problems out. Nothing here touches the
database; `plan_import` compares rows with the register as it stands so the
caller can write everything in one transaction, or nothing.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from classlens.register.consent import ALL_CATEGORIES, GRANTED, PARENT, PUPIL, REFUSED

# Our column names, in the order our export writes them. A school's MIS export
# has one row per pupil and one expiry for all its answers; our own export also
# gives each category its expiry and evidence, and has a second row for a
# pupil's own decisions (decided_by "pupil"), so that it round-trips exactly.
CONSENT_FIELDS = {f"consent_{c}": c for c in ALL_CATEGORIES}
EXPIRY_FIELDS = {f"consent_{c}_expires": c for c in ALL_CATEGORIES}
EVIDENCE_FIELDS = {f"consent_{c}_evidence": c for c in ALL_CATEGORIES}
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
    "on_roll",
    *(name for c in ALL_CATEGORIES
      for name in (f"consent_{c}_expires", f"consent_{c}_evidence")),
)
REQUIRED = ("pupil_id", "given_name", "family_name", "class")
# What the database holds; every other cell may be at most MAX_CELL long.
MAX_LENGTH = {"pupil_id": 40, "given_name": 100, "family_name": 100, "preferred_name": 100,
              "class": 100, "year_group": 20}
MAX_CELL = 1000
# Free text may hold line breaks and tabs; no cell may hold other control characters
# (a NUL byte means a damaged or binary file; the database refuses it).
MULTILINE = {"never_publish_reason", *EVIDENCE_FIELDS}
# The pupil's details that every row of the same pupil must give alike.
PUPIL_DETAILS = ("given_name", "family_name", "preferred_name", "class_name", "year_group",
                 "never_publish", "never_publish_reason", "on_roll")
# The csv module refuses cells over 128 KiB with an exception; we read the whole
# file into memory anyway, so let it read any cell and report long ones as errors.
csv.field_size_limit(2**31 - 1)

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
        if not self.row:  # the file as a whole (it cannot be read at all)
            return self.message
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


def encoding_problems(data: bytes) -> list[Problem]:
    """Rows in UTF-8 and rows in another encoding (Windows-1252) in one file.

    Decoding such a file either way garbles names ("ZoÃ«"), and a garbled name
    escapes the caption's pupil-name check, so it is refused, naming the rows
    of the smaller group (lines of the file, which are rows in a spreadsheet).
    """
    try:
        data.decode("utf-8")
        return []
    except UnicodeDecodeError:
        pass
    utf8, other = [], []
    lines = re.split(rb"\r\n|\n|\r", data)
    for number, line in enumerate(lines, start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8.append(number)
        except UnicodeDecodeError:
            other.append(number)
    if not utf8:
        return []  # one encoding: Windows-1252 throughout
    odd, usual = (utf8, other) if len(utf8) < len(other) else (other, utf8)
    odd_name, usual_name = (("UTF-8", "Windows-1252") if odd is utf8
                            else ("Windows-1252", "UTF-8"))
    return [Problem(number, "", _printable(decode(lines[number - 1]))[:40],
                    f"this row is saved as {odd_name} but row(s) {_rows(usual)} are "
                    f"{usual_name}: the file mixes two encodings, so names would be garbled. "
                    "Save the whole file again as \"CSV UTF-8\" and import it again")
            for number in odd]


def _rows(numbers: list[int], most: int = 8) -> str:
    shown = ", ".join(map(str, numbers[:most]))
    return shown + (f" and {len(numbers) - most} more" if len(numbers) > most else "")


def _printable(text: str) -> str:
    """A value safe to show in an error on a terminal: control characters as "?"."""
    return "".join("?" if unicodedata.category(ch) == "Cc" else ch for ch in text.strip())


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


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


def sniff_dialect(text: str) -> type[csv.Dialect]:
    """Excel's CSV with the separator its heading row uses (comma, semicolon or tab).

    Judged on the heading row alone: csv.Sniffer, given data rows, is misled by
    quoted cells holding separators, quotes and line breaks.
    """
    heading = text.split("\n", 1)[0]
    counts = {sep: heading.count(sep) for sep in (",", ";", "\t")}
    separator = max(counts, key=lambda sep: counts[sep])
    if not counts[separator] or separator == ",":
        return csv.excel
    return type("Separated", (csv.excel,), {"delimiter": separator})


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
    """Decode, sniff and find each field's column (by name or through `mapping`).

    Any problem with the file as a whole (encoding, not a CSV, control
    characters or duplicates among the headings, a column missing) is in
    `problems`, and then there are no records to read.
    """
    mapping = dict(mapping or {})
    problems = encoding_problems(data)
    if problems:
        return Table([], [], {}, {}, problems)
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), sniff_dialect(text))
    try:
        records = list(reader)
    except csv.Error as error:
        return Table([], [], {}, {}, [Problem(reader.line_num, "", "", "this is not a CSV file "
                                              f"ClassLens can read ({error})")])
    if not records or not any(cell.strip() for cell in records[0]):
        return Table([], records, {}, {}, [Problem(1, "", "", "the file is empty: the first "
                                                   "row must hold the column headings")])
    headings = [_clean(h) for h in records[0]]
    for index, heading in enumerate(headings):
        if _has_control(heading, multiline=False):
            problems.append(Problem(1, _printable(heading)[:40], "",
                                    f"the heading of column {_column_letter(index)} holds a "
                                    "control character: is this a CSV file?"))
    if problems:
        return Table(headings, [], {}, {}, problems)
    positions: dict[str, list[int]] = {}
    for index, heading in enumerate(headings):
        if heading:
            positions.setdefault(_key(heading), []).append(index)

    columns: dict[str, str] = {}
    index_of: dict[str, int] = {}
    for name in fields:
        wanted = mapping.get(name, name)
        found = positions.get(_key(wanted))
        if found is not None and len(found) > 1:
            problems.append(Problem(
                1, wanted, "", f"the heading {headings[found[0]]!r} appears in columns "
                f"{', '.join(_column_letter(i) for i in found)}: ClassLens cannot tell which "
                f"one holds {name}; rename or delete the others"))
            continue
        position = found[0] if found else None
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
        value = _clean(record[position]) if position < len(record) else ""
        limit = MAX_LENGTH.get(name, MAX_CELL)
        if _has_control(value, multiline=name in MULTILINE):
            problem(name, _printable(value)[:40], "holds a control character (such as a NUL "
                    "byte): the file looks damaged; check this cell in a spreadsheet")
            value = ""
        elif len(value) > limit:
            problem(name, _printable(value)[:40], f"longer than {limit} characters")
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


def _has_control(value: str, multiline: bool) -> bool:
    allowed = "\n\t" if multiline else ""
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value)


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


def preview(path: Path, rows: int = 5) -> tuple[list[str], list[list[str]]]:
    """The headings and first rows of a register file, for mapping its columns."""
    text = decode(path.read_bytes())
    records = list(csv.reader(io.StringIO(text, newline=""), sniff_dialect(text)))
    if not records:
        return [], []
    return [_clean(h) for h in records[0]], [[_clean(c) for c in r] for r in records[1:rows + 1]]


def guess_mapping(headings: list[str]) -> dict[str, str]:
    """Our field for each heading that carries our name or a name an MIS gives it
    (SIMS, Arbor, Bromcom; see register/headings.py, the one table of them)."""
    from classlens.register.headings import recognise  # it reads FIELDS from here

    return recognise(headings)


def read_register(path: Path, mapping: Mapping[str, str] | None = None) -> ParsedRegister:
    try:
        data = path.read_bytes()
    except OSError as error:
        return ParsedRegister([], [Problem(0, "", "", f"cannot read {path}: {error.strerror}; "
                                           "check the file's name and folder")], {})
    return parse_register(data, mapping)
