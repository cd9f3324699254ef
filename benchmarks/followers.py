"""Follower check speed: a large school's register and contacts against a long list
of follow requests.

Prints the time to give every request a verdict, and as a baseline measured in
the same run, the same verdicts by comparing each request with every pupil,
contact and staff name in turn (what a first version would do). Both must
agree on every verdict.

    uv run python benchmarks/followers.py [--pupils 2000] [--requests 5000]
"""

from __future__ import annotations

import argparse
import random
import time

from classlens.followers.person_names import PersonName
from classlens.followers.verdicts import (
    _BUSINESS,
    _BUSINESS_NAME,
    BUSINESS,
    PARENT,
    PUPIL,
    STAFF,
    UNKNOWN,
    ContactFacts,
    FollowerRow,
    PupilName,
    SchoolDirectory,
    _business_word,
)
from classlens.register.contacts import is_parent

GIVEN = ["Siân", "Dafydd", "Aoife", "Niamh", "Seán", "Rhys", "Elizabeth", "William", "Zoë",
         "Tomás", "Aarav", "Grace", "Oliver", "Amelia", "Catherine", "Gareth", "Rhiannon"]
FAMILY = ["Ó Súilleabháin", "Ní Bhriain", "Jones-Evans", "ap Gruffydd", "O'Brien", "Nguyễn",
          "García-López", "Smith", "Patel", "Kowalski", "Evans", "Brown", "Hughes", "Byrne"]
RELATIONS = ["Mother", "Father", "Carer", "Grandmother", "Step-father", "Aunt"]


def naive(pupils, contacts, staff, row: FollowerRow) -> str:
    """The baseline: every record compared with every request."""
    name = row.display_name
    if any(PersonName.parse(p.name).found_in(name) for p in pupils):
        return PUPIL
    if _business_word(name, _BUSINESS_NAME) or _business_word(row.bio, _BUSINESS):
        return BUSINESS
    if any(PersonName.parse(s).found_in(name) for s in staff):
        return STAFF
    matches = [c for c in contacts if PersonName.parse(c.name).found_in(name)]
    if not matches:
        return UNKNOWN
    return PARENT if any(c.is_parent for c in matches) else UNKNOWN


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pupils", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--baseline-requests", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(14)

    def person() -> str:
        return f"{rng.choice(GIVEN)} {rng.choice(GIVEN)}-{rng.randrange(999)} {rng.choice(FAMILY)}"

    pupils = [PupilName(person(), f"Class {n % 60}") for n in range(args.pupils)]
    contacts = []
    for _ in range(args.pupils * 2):
        relation = rng.choice(RELATIONS)
        contacts.append(ContactFacts(person(), relation, is_parent(relation), "Oak", None))
    staff = [person() for _ in range(120)]
    requests = [FollowerRow(f"@f{n}", rng.choice([c.name for c in contacts[:50]] + [person()]),
                            rng.choice(["", "Mum of two", "Plumbing services Ltd"]))
                for n in range(args.requests)]

    start = time.perf_counter()
    directory = SchoolDirectory(pupils, contacts, staff)
    verdicts = [directory.judge(r).verdict for r in requests]
    ours = time.perf_counter() - start

    sample = requests[:args.baseline_requests]
    start = time.perf_counter()
    expected = [naive(pupils, contacts, staff, r) for r in sample]
    baseline = (time.perf_counter() - start) * len(requests) / len(sample)
    assert expected == verdicts[:len(sample)], "the two methods disagree"
    print(f"{args.requests} requests against {args.pupils} pupils, {len(contacts)} contacts, "
          f"{len(staff)} staff: {ours:.2f} s ({args.requests / ours:.0f} requests/s); "
          f"one-by-one baseline (extrapolated from {len(sample)}): {baseline:.1f} s; "
          f"ratio {baseline / ours:.0f}x")


if __name__ == "__main__":
    main()
