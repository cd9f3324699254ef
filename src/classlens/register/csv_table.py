"""Reading any CSV file a school gives us (a register, contacts, followers):
the encoding, the separator, the headings and where our fields are among them.

Pure: bytes in, a table of cells and the problems with the file as a whole
out. What the cells mean is for the reader of each kind of file
(`csv_import` for the register).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# The csv module refuses cells over 128 KiB with an exception; we read the whole
# file into memory anyway, so let it read any cell and report long ones as errors.
csv.field_size_limit(2**31 - 1)

# Cells starting with these are formulas to a spreadsheet; our export prefixes
# them with an apostrophe, which the import takes off again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Problem:
    """Something wrong in a file, with where it is (row 0: the file as a whole).

    `hint` is for the command line only (how to say there what the message
    asks, such as `--map FIELD=HEADING`); the message itself is in plain words.
    """

    row: int
    column: str
    value: str
    message: str
    hint: str = ""

    def as_dict(self) -> dict:
        document = {"row": self.row, "column": self.column, "value": self.value,
                    "message": self.message}
        if self.hint:
            document["hint"] = self.hint
        return document

    def __str__(self) -> str:
        if not self.row:  # the file as a whole (it cannot be read at all)
            return self.message
        where = f"row {self.row}" + (f", column {self.column!r}" if self.column else "")
        shown = f" (value {self.value!r})" if self.value else ""
        return f"{where}{shown}: {self.message}"


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
    return [Problem(number, "", printable(decode(lines[number - 1]))[:40],
                    f"this row is saved as {odd_name} but row(s) {_rows(usual)} are "
                    f"{usual_name}: the file mixes two encodings, so names would be garbled. "
                    "Save the whole file again as \"CSV UTF-8\" and import it again")
            for number in odd]


def _rows(numbers: list[int], most: int = 8) -> str:
    shown = ", ".join(map(str, numbers[:most]))
    return shown + (f" and {len(numbers) - most} more" if len(numbers) > most else "")


def printable(text: str) -> str:
    """A value safe to show in an error on a terminal: control characters as "?"."""
    return "".join("?" if unicodedata.category(ch) == "Cc" else ch for ch in text.strip())


def column_letter(index: int) -> str:
    """A spreadsheet's name for the column at `index` (0: A, 26: AA)."""
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


def clean(cell: str) -> str:
    """A cell as we keep it: trimmed, NFC, without our export's formula guard."""
    cell = unicodedata.normalize("NFC", cell.strip())
    if cell.startswith("'") and cell[1:2] in FORMULA_START:
        cell = cell[1:]
    return cell


def has_control(value: str, multiline: bool) -> bool:
    """Whether `value` holds a control character (line breaks and tabs allowed
    in `multiline` free text)."""
    allowed = "\n\t" if multiline else ""
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value)


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
               mapping: Mapping[str, str] | None = None, mappable: bool = True) -> Table:
    """Decode, sniff and find each field's column (by name or through `mapping`;
    a file whose columns cannot be mapped, `mappable` False, must name them).

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
    headings = [clean(h) for h in records[0]]
    for index, heading in enumerate(headings):
        if has_control(heading, multiline=False):
            problems.append(Problem(1, printable(heading)[:40], "",
                                    f"the heading of column {column_letter(index)} holds a "
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
                f"{', '.join(column_letter(i) for i in found)}: ClassLens cannot tell which "
                f"one holds {name}; rename or delete the others"))
            continue
        position = found[0] if found else None
        if position is None:
            if name in mapping or name in required:
                unmapped = name not in mapping
                how = ("" if not unmapped else
                       "; if your file calls it something else, tell ClassLens which column "
                       "holds it" if mappable else
                       f"; if your file calls it something else, rename that column {name}")
                problems.append(Problem(
                    1, wanted, "",
                    f"column {wanted!r} for {name} is not in the file{how}. "
                    f"Headings found: {', '.join(h for h in headings if h)}",
                    hint=f"--map {name}=HEADING" if unmapped and mappable else ""))
            continue
        columns[name] = headings[position]
        index_of[name] = position
    return Table(headings, records, columns, index_of, problems)


def preview(path: Path, rows: int = 5) -> tuple[list[str], list[list[str]]]:
    """The headings and first rows of a file, for mapping its columns."""
    text = decode(path.read_bytes())
    records = list(csv.reader(io.StringIO(text, newline=""), sniff_dialect(text)))
    if not records:
        return [], []
    return [clean(h) for h in records[0]], [[clean(c) for c in r] for r in records[1:rows + 1]]
