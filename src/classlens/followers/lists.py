"""Follower lists as platforms and people give them: a CSV file or pasted text.

A CSV has the columns handle, display_name and optionally bio (read like the
register import: encodings, separators, row errors). Pasted text is one
follower a line, "handle, display name, bio" or "handle<TAB>display name".
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from classlens.followers.verdicts import FollowerRow
from classlens.register.csv_table import Problem, clean, read_table

FIELDS = ("handle", "display_name", "bio")
REQUIRED = ("handle", "display_name")


@dataclass
class FollowerList:
    rows: list[FollowerRow]
    problems: list[Problem]


def parse_follower_csv(data: bytes) -> FollowerList:
    table = read_table(data, FIELDS, REQUIRED, mappable=False)  # no --map for follower lists
    if table.problems:
        return FollowerList([], table.problems)
    problems: list[Problem] = []
    rows = []
    for number, record in table.rows(problems):
        cells = {name: clean(record[i]) if i < len(record) else ""
                 for name, i in table.index_of.items()}
        if not cells["handle"]:
            problems.append(Problem(number, table.columns["handle"], "", "the handle is "
                                    "missing; every follower has one"))
            continue
        rows.append(FollowerRow(cells["handle"], cells["display_name"], cells.get("bio", "")))
    return FollowerList(rows, problems)


def read_follower_csv(path: Path) -> FollowerList:
    try:
        data = path.read_bytes()
    except OSError as error:
        return FollowerList([], [Problem(0, "", "", f"cannot read {path}: {error.strerror}")])
    return parse_follower_csv(data)


def parse_pasted(text: str) -> FollowerList:
    """Lines copied from a platform's request list: handle, then name, then bio."""
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        separator = "\t" if "\t" in line else ","
        parts = [p.strip() for p in line.split(separator, 2)]  # a bio may hold commas
        if len(parts) == 1:  # "Siân Davies @siandavies" as some lists show it
            words = parts[0].split()
            handles = [w for w in words if w.startswith("@") or "@" in w]
            handle = handles[0] if handles else parts[0]
            parts = [handle, " ".join(w for w in words if w != handle)]
        rows.append(FollowerRow(parts[0], parts[1] if len(parts) > 1 else "",
                                parts[2] if len(parts) > 2 else ""))
    if not rows:
        return FollowerList([], [Problem(0, "", "", "nothing pasted: one follower a line, "
                                         "handle, display name and bio")])
    return FollowerList(rows, [])


def random_sample(rows: Sequence[FollowerRow], size: int) -> list[FollowerRow]:
    """A random sample (seed 002: followers checked weekly "on a random basis"),
    drawn from the system's randomness so nobody can steer it."""
    unique = list({r.handle.casefold(): r for r in rows}.values())
    return random.SystemRandom().sample(unique, min(size, len(unique)))
