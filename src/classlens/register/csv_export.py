"""Writing the register as CSV that is safe to open in Excel."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from classlens.register.columns import FIELDS
from classlens.register.csv_table import FORMULA_START


def neutralise(value: str) -> str:
    """Stop a spreadsheet from running a cell as a formula (CSV injection).

    OWASP's advice: prefix a leading =, +, -, @, tab or carriage return with
    an apostrophe, which Excel shows as text. Our import removes it again.
    """
    return "'" + value if value.startswith(FORMULA_START) else value


def write_register(path: Path, rows: Iterable[dict[str, str]]) -> int:
    """Write rows keyed by our field names; returns how many were written.

    UTF-8 with a BOM so that Excel shows accents; written to a temporary
    file first so that a failure leaves no half-written register behind.
    """
    temporary = path.with_name(path.name + ".part")
    count = 0
    with temporary.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({key: neutralise(value or "") for key, value in row.items()})
            count += 1
    temporary.replace(path)
    return count
