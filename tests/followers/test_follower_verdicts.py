"""Follower verdicts from the school's records, table-driven, on real-looking names:
accents, hyphens, Welsh and Irish names and particles, titles, middle names,
"Surname, Forename" records and short forms."""

from __future__ import annotations

import pytest

from classlens.followers.lists import parse_pasted, random_sample
from classlens.followers.person_names import PersonName
from classlens.followers.verdicts import (
    ContactFacts,
    FollowerRow,
    PupilName,
    SchoolDirectory,
)
from classlens.register.contacts import is_parent

NAMES = [
    # (record, display name, same person?)
    ("Siân Davies", "Sian Davies", True),
    ("Siân Davies", "SIÂN DAVIES", True),
    ("Mrs Siân Elizabeth Davies", "Siân Davies", True),
    ("Davies, Siân", "Sian Davies 🌸", True),
    ("Dafydd ap Gruffydd", "Dai ap Gruffydd", True),
    ("Dafydd ap Gruffydd", "Dafydd Ap-Gruffydd", True),
    ("Seán Ó Súilleabháin", "Sean O Suilleabhain", True),
    ("Seán Ó Súilleabháin", "Shaun O'Suilleabhain", True),
    ("Seán Ó Súilleabháin", "Seán Ó Súilleabháin", True),
    ("Niamh Ní Bhriain", "niamh ni bhriain", True),
    ("Aoife Mac Giolla Bhríde", "Aoife MacGiolla Bhride", True),  # a particle joined or not
    ("Rhys Jones-Evans", "Rhys Jones Evans", True),
    ("Rhys Jones-Evans", "Rhys Jones-Evans", True),
    ("William Henry Price", "Bill Price", True),
    ("William Price", "Liam Price", True),
    ("Elizabeth Price", "Liz Price", True),
    ("Elizabeth Price", "Mum of 3 | Beth Price", True),
    ("Dr Catherine O'Neill", "Kate ONeill", True),
    # Not the same person.
    ("Siân Davies", "Sian Davis", False),
    ("Siân Davies", "Mrs Davies", False),  # a surname alone is not enough
    ("Seán Ó Súilleabháin", "John O'Sullivan", False),  # translations are other names
    ("Siân Davies", "Jane Davies", False),
    ("Rhys Jones-Evans", "Rhys Jones", False),  # half a double-barrelled name
    ("William Price", "Willow Price", False),
    ("Elizabeth Price", "Price Elizabeth", False),  # surname first without a comma
]


@pytest.mark.parametrize("record,shown,same", NAMES)
def test_names_compare_without_accents_titles_middle_names_with_short_forms(record, shown,
                                                                           same):
    assert PersonName.parse(record).found_in(shown) is same


@pytest.mark.parametrize("relation,parent", [
    ("Mother", True), ("Father", True), ("Parent/Carer", True), ("Step-father", True),
    ("Foster carer", True), ("Legal guardian", True), ("Mum", True),
    ("Grandmother", False), ("Grandparent", False), ("Aunt", False), ("Uncle", False),
    ("Family friend", False), ("Other relative", False), ("Childminder", False),
])
def test_only_parents_and_principal_carers_count_as_parents(relation, parent):
    assert is_parent(relation) is parent


PUPILS = [PupilName("Aoife Ní Bhriain", "Oak"), PupilName("Dafydd Jones-Evans", "Oak"),
          PupilName("Dai Jones-Evans", "Oak"), PupilName("Seán Ó Súilleabháin", "Ash"),
          PupilName("Samuel Price", "Ash"), PupilName("Niamh Byrne", "Willow")]
CONTACTS = [
    ContactFacts("Mrs Niamh Ní Bhriain", "Mother", True, "Oak", "niamh.nb@gmail.com"),
    ContactFacts("Jones-Evans, Rhys", "Father", True, "Oak", None),
    ContactFacts("Margaret Jones-Evans", "Grandmother", False, "Oak", None),
    ContactFacts("Liam Ó Súilleabháin", "Father", True, "Ash", "liam.os@outlook.com"),
    ContactFacts("Samuel Price", "Father", True, "Ash", "sam.price@example.org"),
    ContactFacts("Elizabeth Ann Williams", "Mother", True, "Willow", None),
    ContactFacts("William Byrne", "Step-father", True, "Willow", None),
    ContactFacts("Siân Hughes", "Mother", True, "Willow", None),
]
STAFF = ["Gareth Hughes", "Mair Roberts"]

FOLLOWERS = [
    # (handle, display name, bio, verdict, a word the reason gives)
    ("@niamhnb", "Niamh Ni Bhriain", "Mum of two", "parent", "mother"),
    ("@lizw", "Liz Williams 🌸", "runner, tea, books", "parent", "Willow"),
    ("@billbyrne", "Bill Byrne", "", "parent", "step-father"),
    ("@rhys", "Rhys Jones-Evans", "", "parent", "father"),
    ("@liam", "Liam O Suilleabhain", "", "parent", "Ash"),
    ("niamh.nb@gmail.com", "", "", "parent", "e-mail address"),
    ("@sianh", "Mrs Siân Hughes", "", "parent", "mother"),
    ("@gareth", "Mr Gareth Hughes", "Teacher", "staff", "staff"),
    ("@mair", "Mair Roberts", "", "staff", "staff"),
    ("@aoife", "Aoife Ní Bhriain", "", "pupil", "pupil"),
    ("@dai", "Dai Jones-Evans", "Year 6 🙂", "pupil", "pupil"),
    ("@sean", "Sean O'Suilleabhain", "", "pupil", "pupil"),
    # The father and his son share a name: never passed as a parent.
    ("@samprice", "Sam Price", "Dad", "pupil", "also a parent"),
    ("sam.price@example.org", "Samuel Price", "", "pupil", "also a parent"),
    ("@ponies", "Millie 🦄", "Year 6, I love ponies", "pupil", "year 6"),
    ("@kid", "Tom", "I'm 10 and I love football", "pupil", "i'm 10"),
    ("@yr5", "Cai", "yr5 at Ysgol Gymraeg", "pupil", "yr5"),
    ("@mumof", "Ann Lee", "Mum of a Year 6 and a yr2", "unknown", "check who"),
    ("@gov", "Mair Davies", "Governor. Year 1 reading volunteer", "unknown", "check who"),
    ("@jebuild", "Jones-Evans Builders Ltd", "", "business", "builders"),
    ("@sianhair", "Siân Hughes", "Hair salon, book now!", "business", "salon"),
    ("@news", "Herts Gazette", "Local news", "business", "gazette"),
    ("@snaps", "Tom Clarke Photography", "", "business", "photography"),
    ("@nan", "Maggie Jones-Evans", "Proud nan", "unknown", "grandmother"),
    ("@x", "Tom Clarke", "Photography and travel", "unknown", "check who"),
    ("@y", "Mrs Jones-Evans", "", "unknown", "check who"),
    ("@z", "🌸🌸", "", "unknown", "check who"),
]


@pytest.fixture(scope="module")
def directory() -> SchoolDirectory:
    return SchoolDirectory(PUPILS, CONTACTS, STAFF)


@pytest.mark.parametrize("handle,name,bio,verdict,why", FOLLOWERS)
def test_every_verdict_with_its_reason(directory, handle, name, bio, verdict, why):
    result = directory.judge(FollowerRow(handle, name, bio))
    assert (result.verdict, result.handle, result.display_name) == (verdict, handle, name)
    assert why.casefold() in result.reason.casefold()
    for contact in CONTACTS:  # never a parent's address, whatever the verdict
        assert not contact.email or contact.email not in result.reason


def test_pasted_lines_as_platforms_list_them():
    pasted = parse_pasted("@niamhnb, Niamh Ni Bhriain, Mum of two, tea\n\n"
                          "@rhys\tRhys Jones-Evans\n"
                          "Liam O Suilleabhain @liam\n")
    assert [(r.handle, r.display_name, r.bio) for r in pasted.rows] == [
        ("@niamhnb", "Niamh Ni Bhriain", "Mum of two, tea"), ("@rhys", "Rhys Jones-Evans", ""),
        ("@liam", "Liam O Suilleabhain", "")]
    assert parse_pasted("  \n").problems


def test_a_random_sample_is_a_subset_without_repeats_and_varies():
    rows = [FollowerRow(f"@f{n}", f"Follower {n}") for n in range(200)]
    samples = [random_sample(rows + rows[:5], 10) for _ in range(5)]
    for sample in samples:
        assert len(sample) == 10 and len({r.handle for r in sample}) == 10
        assert set(sample) <= set(rows)
    assert len({tuple(r.handle for r in s) for s in samples}) > 1
    assert len(random_sample(rows[:3], 10)) == 3


def test_a_follower_list_missing_a_column_says_what_can_be_done():
    """Follower lists have no column mapping (no --map, no mapping page): the
    message says to rename the column, and offers no option that does not exist."""
    from classlens.followers.lists import parse_follower_csv

    problems = parse_follower_csv(b"handle,name\n@jo,Jo Bloggs\n").problems
    assert len(problems) == 1 and not problems[0].hint
    assert "rename that column display_name" in problems[0].message
    assert "tell ClassLens" not in problems[0].message
