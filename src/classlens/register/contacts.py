"""Reading parents' and carers' contacts from the school's MIS (CSV).

Pure, like the register import it shares its reading with: bytes in,
validated rows and problems (by spreadsheet row) out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import regex

from classlens.register.csv_table import Problem, clean, read_table

FIELDS: tuple[str, ...] = ("pupil_id", "contact_name", "relationship", "email")
REQUIRED = ("pupil_id", "contact_name", "relationship")
MAX_LENGTH = {"pupil_id": 40, "contact_name": 200, "relationship": 60, "email": 254}
EMAIL = regex.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Who counts as a parent among followers (seed 003: "parents/carers", not
# grandparents or other relatives unless principal carers). MIS exports write
# the relationship in their own words.
PARENT_WORDS = frozenset({
    "parent", "mother", "father", "mum", "mom", "dad", "carer", "guardian", "stepmother",
    "stepfather", "step-mother", "step-father", "step-parent", "stepparent", "foster",
    "adoptive", "parent/carer", "legal guardian", "principal carer",
})


def is_parent(relation: str) -> bool:
    """Whether an MIS relationship ("Mother", "Foster carer", "Step-father") is a
    parent or principal carer, rather than another relative."""
    text = relation.casefold().strip()
    if "grand" in text:
        return False
    return text in PARENT_WORDS or any(word in PARENT_WORDS
                                       for word in regex.split(r"[\s/,]+", text))


@dataclass(frozen=True)
class ContactRow:
    row: int
    pupil_id: str
    contact_name: str
    relation: str
    email: str | None


@dataclass
class ParsedContacts:
    rows: list[ContactRow]
    problems: list[Problem]
    columns: dict[str, str]


def parse_contacts(data: bytes, mapping: Mapping[str, str] | None = None) -> ParsedContacts:
    table = read_table(data, FIELDS, REQUIRED, mapping)
    if table.problems:
        return ParsedContacts([], table.problems, table.columns)
    problems: list[Problem] = []
    rows: list[ContactRow] = []
    seen: dict[tuple[str, str], int] = {}
    for number, record in table.rows(problems):
        before = len(problems)

        def cell(name: str, record=record) -> str:
            position = table.index_of.get(name)
            if position is None or position >= len(record):
                return ""
            return clean(record[position])

        def problem(name: str, value: str, message: str, number=number) -> None:
            problems.append(Problem(number, table.columns.get(name, name), value, message))

        values = {name: cell(name) for name in FIELDS}
        for name in REQUIRED:
            if not values[name]:
                problem(name, "", f"{name.replace('_', ' ')} is missing; every contact needs one")
        for name, limit in MAX_LENGTH.items():
            if len(values[name]) > limit:
                problem(name, values[name][:40], f"longer than {limit} characters")
        email = values["email"]
        if email and not EMAIL.match(email):
            # Not echoed: the row and column say where it is.
            problem("email", "", "not an e-mail address (name@example.org); correct it or "
                    "leave it blank")
        key = (values["pupil_id"], " ".join(values["contact_name"].casefold().split()))
        if len(problems) == before and key in seen:
            problem("contact_name", values["contact_name"], f"the same contact of pupil "
                    f"{values['pupil_id']} is already on row {seen[key]}")
        if len(problems) > before:
            continue
        seen[key] = number
        rows.append(ContactRow(number, values["pupil_id"], " ".join(values["contact_name"].split()),
                               values["relationship"], email.casefold() or None))
    return ParsedContacts(rows, problems, table.columns)


def read_contacts(path: Path, mapping: Mapping[str, str] | None = None) -> ParsedContacts:
    try:
        data = path.read_bytes()
    except OSError as error:
        return ParsedContacts([], [Problem(0, "", "", f"cannot read {path}: {error.strerror}")],
                              {})
    return parse_contacts(data, mapping)
