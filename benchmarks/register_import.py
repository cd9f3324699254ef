"""Register import speed: 2,000 pupils, first import and a re-import with no changes.

Target (issue 2): each under 2 seconds. Prints the figures and, as a baseline
measured in the same run, the floor for this machine: reading the same CSV
with the csv module and inserting its rows into SQLite with one executemany,
with no validation, diffing or audit.

    uv run python benchmarks/register_import.py [--pupils 2000]
"""

from __future__ import annotations

import argparse
import csv
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from classlens.register.columns import EVIDENCE_FIELDS, EXPIRY_FIELDS, FIELDS
from classlens.services import Services
from classlens.storage import Database

PASSWORD = "benchmark-password"  # every account has one

GIVEN = ["Zoë", "Oliver", "Amelia", "Siân", "Tomás", "Aarav", "Chloé", "Noah", "Grace", "Jack"]
FAMILY = ["O'Brien", "Nguyễn", "García-López", "Smith", "Patel", "Kowalski", "Evans", "Brown"]
ANSWERS = ["yes", "no", "", "Y", "N", "granted", "refused"]


def make_register(path: Path, pupils: int) -> None:
    rng = random.Random(7)
    # An MIS export's columns: one expiry for all answers, no evidence or on-roll columns.
    fields = [f for f in FIELDS if f not in ("never_publish_reason", "on_roll", *EXPIRY_FIELDS,
                                             *EVIDENCE_FIELDS)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for n in range(pupils):
            row = {f: rng.choice(ANSWERS) for f in fields if f.startswith("consent_")}
            row.update(pupil_id=f"A{n:012d}", given_name=rng.choice(GIVEN),
                       family_name=rng.choice(FAMILY), preferred_name="",
                       year_group=str(1 + n % 6), decided_by="parent",
                       consent_expires="31/08/2027", never_publish="no")
            row["class"] = f"Class {n % 60}"
            writer.writerow(row)


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def baseline(path: Path, database: Path) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    connection = sqlite3.connect(database)
    connection.execute(f"CREATE TABLE raw ({', '.join(f'c{i}' for i in range(len(rows[0])))})")
    connection.executemany(f"INSERT INTO raw VALUES ({', '.join('?' * len(rows[0]))})", rows)
    connection.commit()
    connection.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pupils", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        register = tmp / "register.csv"
        make_register(register, args.pupils)
        floor = timed(lambda: baseline(register, tmp / "baseline.sqlite"))
        services = Services(Database(f"sqlite:///{tmp / 'classlens.sqlite'}"))
        services.settings.init_school("Benchmark Primary", "private-feed", PASSWORD)
        reports = []
        first = timed(lambda: reports.append(services.register_files.import_register("admin", register)))
        again = timed(lambda: reports.append(services.register_files.import_register("admin", register)))
        assert reports[0].created == args.pupils and not reports[0].errors
        assert reports[1].unchanged == args.pupils
    target = 2.0
    print(f"pupils: {args.pupils}")
    print(f"baseline (csv + one executemany, no checks): {floor:.3f} s")
    print(f"first import:             {first:.3f} s  ({first / floor:.1f}x baseline)  "
          f"target < {target} s: {'ok' if first < target else 'MISSED'}")
    print(f"re-import, no changes:    {again:.3f} s  ({again / floor:.1f}x baseline)  "
          f"target < {target} s: {'ok' if again < target else 'MISSED'}")
    return 0 if first < target and again < target else 1


if __name__ == "__main__":
    sys.exit(main())
