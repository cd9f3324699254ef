"""Property-based: generated hostile CSV files never crash the register import
and a refused import leaves the register exactly as it was. On both backends.

Cases tried per run: PARSER_EXAMPLES files through the parser alone, and
IMPORT_EXAMPLES files through the whole import on each backend (SQLite and
PostgreSQL), i.e. 600 + 2 x 150 = 900 generated files.
"""

from __future__ import annotations

import json
import unicodedata

from conftest import register_rows
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from classlens.register.columns import FIELDS
from classlens.register.csv_import import parse_register

PARSER_EXAMPLES = 600
IMPORT_EXAMPLES = 150

HOSTILE_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(["\x00", "\x1b", "\r", "\n", "\t", '"', "'", ",", ";", "=", "+", "-",
                         "@", "\ufeff", "\u202e", "é", "ë", "Ó", "€", "ẞ", "🙂", "\ud7ff"]),
        st.characters(codec="utf-8"),
    ),
    max_size=30,
)
GOOD_CELLS = st.sampled_from(["P1", "P2", "P1 ", "Zoë", "O'Brien", "Oak", "3", "yes", "no",
                              "Y", "granted", "refused", "", "parent", "pupil", "carer",
                              "2027-08-31", "31/08/2027", "31/02/2027", "yes", "no"])
HUGE_CELLS = st.sampled_from(["A" * 200_000, "é" * 140_000, "\x00" * 150_000,
                              '"' * 131_073, "x\n" * 70_000])
CELLS = st.one_of(GOOD_CELLS, GOOD_CELLS, HOSTILE_TEXT, HUGE_CELLS)
HEADINGS = st.one_of(st.sampled_from(FIELDS), st.sampled_from([f.upper() for f in FIELDS]),
                     HOSTILE_TEXT)


NAMES = st.text(alphabet=st.characters(categories=["L"]), min_size=1, max_size=12)
FREE_TEXT = st.text(alphabet=st.characters(exclude_categories=["Cc", "Cs"]), max_size=20)


def _valid_cell(heading: str):
    name = heading.casefold()
    if name in ("given_name", "family_name", "preferred_name"):
        return NAMES
    if name == "class":
        return st.sampled_from(["Oak", "Ash", "Élm"])
    if name.startswith("consent_") and name.endswith("_evidence"):
        return FREE_TEXT
    if name == "consent_expires" or name.endswith("_expires"):
        return st.sampled_from(["", "2027-08-31", "31/08/2020"])
    if name.startswith("consent_"):
        return st.sampled_from(["yes", "no", "", "Y", "refused"])
    if name == "decided_by":
        return st.sampled_from(["parent", "pupil", ""])
    if name in ("never_publish", "on_roll"):
        return st.sampled_from(["yes", "no", ""])
    return FREE_TEXT


def _quote(cell: str, separator: str) -> str:
    if any(ch in cell for ch in (separator, '"', "\n", "\r")):
        return '"' + cell.replace('"', '""') + '"'
    return cell


@st.composite
def hostile_csv(draw) -> bytes:
    """A register file a careless spreadsheet, a damaged disk or an attacker could make:
    raw bytes, or anything in CSV shape, or a plausible file with the odd bad cell."""
    kind = draw(st.sampled_from(["bytes", "hostile", "plausible", "plausible", "plausible"]))
    if kind == "bytes":
        return draw(st.binary(max_size=400))
    separator = draw(st.sampled_from([",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if kind == "plausible":
        extra = draw(st.lists(st.sampled_from(FIELDS[4:]), unique=True, max_size=8))
        headings = draw(st.permutations(["pupil_id", "given_name", "family_name", "class",
                                         *extra]))
        rows = [[f"P{number}" if h == "pupil_id" else draw(_valid_cell(h)) for h in headings]
                for number in range(draw(st.integers(1, 6)))]
        if draw(st.booleans()):  # one bad cell somewhere
            row = draw(st.sampled_from(rows))
            row[draw(st.integers(0, len(row) - 1))] = draw(CELLS)
    else:
        headings = draw(st.lists(HEADINGS, max_size=8))
        rows = draw(st.lists(st.lists(CELLS, max_size=len(headings) + 2), max_size=6))
    lines = [separator.join(_quote(c, separator) for c in line) for line in [headings, *rows]]
    encodings = [draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))] * len(lines)
    if kind == "hostile" and draw(st.booleans()):  # rows saved in different encodings
        encodings = draw(st.lists(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1"]),
                                  min_size=len(lines), max_size=len(lines)))
    data = b"".join((line + newline).encode(encoding, errors="replace")
                    for line, encoding in zip(lines, encodings, strict=True))
    if kind == "hostile" and draw(st.booleans()):
        data = data[:draw(st.integers(0, len(data)))]  # truncated mid-row, mid-character
    return data


def _clean_text(value: str | None) -> bool:
    return value is None or not any(unicodedata.category(ch) == "Cc" for ch in value)


@settings(max_examples=PARSER_EXAMPLES, deadline=None, database=None)
@given(data=hostile_csv())
def test_the_parser_turns_any_file_into_rows_or_problems(data):
    parsed = parse_register(data)
    json.dumps([p.as_dict() for p in parsed.problems])  # what --json prints
    event("refused" if parsed.problems else "parsed")
    for problem in parsed.problems:
        assert problem.row >= 0 and problem.message
        assert _clean_text(problem.value) and len(problem.value) <= 40
    if parsed.problems:
        return
    for row in parsed.rows:
        for value in (row.pupil_id, row.given_name, row.family_name, row.preferred_name,
                      row.class_name, row.year_group):
            assert _clean_text(value) and len(value or "") <= 100
        assert row.pupil_id and row.given_name and row.family_name and row.class_name


@settings(max_examples=IMPORT_EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=hostile_csv())
def test_a_hostile_file_never_half_writes_the_register(services, tmp_path, data):
    path = tmp_path / "hostile.csv"
    path.write_bytes(data)
    before = register_rows(services)
    report = services.register_files.import_register("admin",
                                                     path)  # no exception, whatever the file
    json.dumps(report.as_dict())
    event("refused" if report.errors else "imported")
    if report.errors:
        assert not report.written
        assert register_rows(services) == before  # nothing half-written
    else:
        assert report.written
        for pupil in services.pupils.list_pupils():
            assert all(_clean_text(v) for v in (pupil.pupil_id, pupil.given_name,
                                                 pupil.family_name, pupil.class_name))
