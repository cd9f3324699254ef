"""Register imports tighten freely but never loosen silently; our own export
round-trips exactly; files that would garble names or break the database are
refused by row and column. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta

import pytest
from conftest import register_rows, write_csv

from classlens.register.consent import ALL_CATEGORIES

HEADER = "pupil_id,given_name,family_name,class,decided_by,consent_expires,consent_website\n"
FAR = "2099-08-31"


def website(services, pupil_id="P1") -> str:
    return services.pupils.pupil(pupil_id).as_dict()["consent"]["website"]


def mis_file(tmp_path, answer: str, expires: str = FAR, name="mis.csv"):
    return write_csv(tmp_path / name, HEADER + f"P1,Ann,Lee,Oak,parent,{expires},{answer}\n")


def _hand(status, by="parent", days=None):
    def record(services):
        expires = date.today() + timedelta(days=days) if days is not None else None
        services.pupils.set_consent("head", "P1", "website", status, by, expires, "mum phoned")
    return record


# How ClassLens came to hold what it holds for P1's website consent:
# (name, answer of the first import, what was recorded by hand afterwards, label now)
BEFORE = [
    ("granted by an import", "yes", None, "granted"),
    ("refused by an import", "no", None, "refused"),
    ("not recorded", "", None, "not recorded"),
    ("expired, from an import", "yes|2020-08-31", None, "expired"),
    ("refused by parent in ClassLens", "yes", _hand("refused"), "refused"),
    ("refused by the pupil in ClassLens", "yes", _hand("refused", "pupil"), "refused"),
    ("granted in ClassLens for 10 days", "", _hand("granted", days=10), "granted"),
    ("expired in ClassLens", "", _hand("granted", days=-10), "expired"),
]
# What the next file says, and what it would make of an untouched register.
FILE = [("yes", "granted"), ("no", "refused"), ("", "not recorded")]


def expected(before: str, label_now: str, answer: str, file_label: str):
    """(held?, label after the import without --accept-grants)."""
    if before == "refused by the pupil in ClassLens":
        return False, "refused"  # the parent's answer cannot lift the pupil's refusal
    lifts_refusal = label_now == "refused" and file_label != "refused"
    recent = "in ClassLens" in before
    grants_more = answer == "yes" and recent  # a recent decision, longer or turned to yes
    if lifts_refusal or grants_more:
        return True, label_now
    return False, file_label


CASES = [(b, a) for b in BEFORE for a in FILE]


@pytest.mark.parametrize(("before", "answer"), CASES,
                         ids=[f"{b[0]} + file says {a[0] or 'blank'}" for b, a in CASES])
def test_an_import_never_loosens_consent_silently(services, tmp_path, before, answer):
    name, first, by_hand, label_now = before
    first_answer, _, first_expiry = first.partition("|")
    services.register_files.import_register("admin", mis_file(tmp_path, first_answer,
                                                              first_expiry or FAR,
                                                              "first.csv"))
    if by_hand:
        by_hand(services)
    assert website(services) == label_now
    held, label_after = expected(name, label_now, *answer)
    path = mis_file(tmp_path, answer[0])

    report = services.register_files.import_register("admin", path)
    assert report.errors == [] and report.written
    assert [h.as_dict() for h in report.held] == ([
        {"pupil_id": "P1", "category": "website", "from": label_now, "to": answer[1]}]
        if held else [])
    assert website(services) == label_after
    if held:
        logged = [e for e in services.audit_log.audit(limit=5) if e["action"] == "consent.held"]
        assert logged[0]["subject"] == "pupil:P1" and logged[0]["field"] == "website"
        assert len(services.register_files.import_register("admin",
                                                           path).held) == 1  # held every time
        accepted = services.register_files.import_register("admin", path, accept_grants=True)
        assert accepted.held == [] and website(services) == answer[1]


def test_biometric_consent_is_held_the_same_way_and_no_template_follows(school, tmp_path):
    """Reproduction: a refusal of biometric consent recorded in ClassLens was turned
    back into a grant by re-importing an older MIS export."""
    from conftest import FACE_FILES, REGISTER

    from classlens.errors import ClassLensError

    school.pupils.set_consent("admin", "OBAMA", "biometric", "refused", evidence="letter from mum")
    older = write_csv(tmp_path / "older.csv", REGISTER)
    report = school.register_files.import_register("admin", older)
    assert [h.as_dict() for h in report.held] == [
        {"pupil_id": "OBAMA", "category": "biometric", "from": "refused", "to": "granted"}]
    assert school.pupils.pupil("OBAMA").as_dict()["consent"]["biometric"] == "refused"
    with pytest.raises(ClassLensError):
        school.enrolment.enrol("admin", "OBAMA", [str(FACE_FILES / "obama_portrait.jpg")])
    # The pupil's own objection cannot be erased by a blank either.
    school.pupils.set_consent("admin", "BIDEN", "biometric", "refused", "pupil")
    pupil_row = write_csv(tmp_path / "pupil.csv", "pupil_id,given_name,family_name,class,"
                          "decided_by,consent_biometric\nBIDEN,Joe,Testpupil,Oak,pupil,\n")
    report = school.register_files.import_register("admin", pupil_row)
    assert [(h.pupil_id, h.old, h.new) for h in report.held] == [("BIDEN", "refused",
                                                                  "granted")]
    assert school.pupils.pupil("BIDEN").as_dict()["consent"]["biometric"] == "refused"


def test_held_grants_in_the_cli_json_and_accept_grants(cli, tmp_path):
    assert cli("init", "--school", "Oak Primary").code == 0
    assert cli("users", "add", "mr.jones", "--role", "slt", "--as", "admin").code == 0
    path = mis_file(tmp_path, "yes")
    assert cli("register", "import", str(path), "--as", "admin").code == 0
    assert cli("consent", "set", "P1", "--category", "website", "--status", "refused",
               "--evidence", "mum phoned", "--as", "mr.jones").code == 0
    result = cli("register", "import", str(path), "--json", "--as", "admin")
    assert result.code == 0
    assert result.json["held"] == [{"pupil_id": "P1", "category": "website",
                                     "from": "refused", "to": "granted"}]
    assert result.json["written"] and result.json["changes"] == []
    text = cli("register", "import", str(path), "--as", "admin").out
    assert "Held back 1 change(s)" in text and "--accept-grants" in text
    assert cli("register", "list", "--json").json[0]["consent"]["website"] == "refused"
    accepted = cli("register", "import", str(path), "--accept-grants", "--json", "--as", "admin")
    assert accepted.code == 0 and accepted.json["held"] == []
    assert cli("register", "list", "--json").json[0]["consent"]["website"] == "granted"


def rich_register(services, tmp_path):
    """Every kind of fact the register holds, including ones an MIS file cannot say."""
    mis = write_csv(tmp_path / "mis.csv", (
        "pupil_id,given_name,family_name,preferred_name,class,year_group,consent_website,"
        "consent_social_public,consent_press,consent_biometric,decided_by,consent_expires,"
        "never_publish,never_publish_reason\n"
        "P1,Zoë,O'Brien,Zo,Oak,3,yes,no,yes,yes,parent,31/08/2027,no,\n"
        "P2,=Ann,-Lee,,Oak,3,yes,yes,,no,carer,,no,\n"
        "P3,Siân,Evans,,Ash,4,yes,yes,yes,yes,parent,2027-07-31,yes,court order\n"
        "P4,Noah,Brown,,Ash,4,yes,,,,parent,,no,\n"))
    services.register_files.import_register("admin", mis)
    today = date.today()
    services.pupils.set_consent("admin", "P1", "website", "granted", "parent",
                                today + timedelta(30),
                                "form 2026, scanned")
    services.pupils.set_consent("admin", "P1", "press", "refused", "pupil",
                                evidence="told her teacher")
    services.pupils.set_consent("admin", "P2", "video", "granted", "pupil", today + timedelta(400))
    services.pupils.set_consent("head", "P3", "newsletter", "refused", "parent",
                                evidence='e-mail "no, thanks"\nsecond line')
    services.register_files.import_register("admin", write_csv(tmp_path / "now.csv", (
                       "pupil_id,given_name,family_name,class\nP1,Zoë,O'Brien,Oak\nP2,=Ann,-Lee,Oak\n"
                       "P3,Siân,Evans,Ash\n")), mark_missing_left=True)  # Noah has left
    assert not services.pupils.pupil("P4").on_roll


def test_our_own_export_round_trips_exactly(services, tmp_path):
    """Reproduction: exporting and importing the same file changed the register (one
    expiry and one decided_by for all categories; leavers back on roll)."""
    rich_register(services, tmp_path)
    before = register_rows(services)
    exported = tmp_path / "export.csv"
    assert services.register_files.export_register("admin", exported) == 4  # pupils
    # ...in 6 rows: P1 and P2 decided something themselves, which has a row of its own.
    with exported.open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.reader(handle))) == 1 + 6
    report = services.register_files.import_register("admin", exported)
    assert (report.errors, report.created, report.updated, report.changes, report.held,
            report.left) == ([], 0, 0, [], [], 0)
    assert report.unchanged == 4
    after = register_rows(services)
    assert after["pupils"] == before["pupils"] and after["consents"] == before["consents"]
    assert not services.pupils.pupil("P4").on_roll  # the leaver stays off roll
    again = tmp_path / "again.csv"
    services.register_files.export_register("admin", again)
    assert again.read_bytes() == exported.read_bytes()
    # Every category keeps its own expiry, decider and evidence in the file.
    text = exported.read_text(encoding="utf-8-sig")
    assert "form 2026, scanned" in text and "told her teacher" in text
    assert f"{(date.today() + timedelta(30)).isoformat()}" in text


def test_a_leaver_in_our_export_stays_off_roll_but_an_mis_file_brings_them_back(services,
                                                                                tmp_path):
    rich_register(services, tmp_path)
    exported = tmp_path / "export.csv"
    services.register_files.export_register("admin", exported)
    services.register_files.import_register("admin", exported)
    assert not services.pupils.pupil("P4").on_roll
    services.register_files.import_register("admin", write_csv(tmp_path / "back.csv",
                                                               "pupil_id,given_name,family_name,class\n"
                                                               "P4,Noah,Brown,Ash\n"))
    assert services.pupils.pupil("P4").on_roll  # rejoined: the MIS lists him again


def test_rows_of_the_same_pupil_must_agree(services, tmp_path):
    path = write_csv(tmp_path / "two.csv", "pupil_id,given_name,family_name,class,decided_by,"
                     "consent_press\nP1,Ann,Lee,Oak,parent,yes\nP1,Ann,Lee,Ash,pupil,no\n"
                     "P2,Bo,Li,Oak,parent,yes\nP2,Bo,Li,Oak,carer,no\n")
    report = services.register_files.import_register("admin", path)
    assert [(e.row, e.column, e.value) for e in report.errors] == [
        (3, "pupil_id", "P1"), (5, "pupil_id", "P2")]
    assert "on row 2 with a different class name" in report.errors[0].message
    assert "already used on row 4" in report.errors[1].message
    assert services.pupils.list_pupils() == []


def test_a_file_mixing_utf8_and_windows_1252_is_refused_naming_the_rows(services, tmp_path):
    """Reproduction: rows saved in two encodings imported "ZoÃ«", which the caption's
    pupil-name rule then missed."""
    lines = [HEADER.encode(), "P1,Zoë,Lee,Oak,parent,,yes\n".encode(),
             "P2,Renée,Li,Oak,parent,,yes\n".encode("cp1252"),
             "P3,Seán,Ó Súilleabháin,Oak,parent,,yes\n".encode(),
             "P4,Chloé,Brown,Oak,parent,,yes\n".encode("cp1252"),
             "P5,Aarav,Pätel,Oak,parent,,yes\n".encode("cp1252")]
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"".join(lines))
    before = register_rows(services)
    report = services.register_files.import_register("admin", path)
    assert [(e.row, e.value) for e in report.errors] == [
        (2, "P1,Zoë,Lee,Oak,parent,,yes"), (4, "P3,Seán,Ó Súilleabháin,Oak,parent,,yes"[:40])]
    assert "saved as UTF-8 but row(s) 3, 5, 6 are Windows-1252" in report.errors[0].message
    assert "CSV UTF-8" in report.errors[0].message
    assert register_rows(services) == before
    # Each encoding alone imports every name correctly.
    for encoding in ("utf-8", "cp1252"):
        path.write_bytes(b"".join(line.decode("utf-8" if i in (0, 1, 3) else "cp1252")
                                  .encode(encoding) for i, line in enumerate(lines)))
        assert services.register_files.import_register("admin", path).errors == []
        assert {p.given_name for p in services.pupils.list_pupils()} == {
            "Zoë", "Renée", "Seán", "Chloé", "Aarav"}


EDGE_HEADER = "pupil_id,given_name,family_name,class,never_publish_reason,notes\n"
EDGE_CASES = [
    # (id, the rows after the heading, expected (row, column, words))
    ("NUL byte in a name", "P1,Ann\x00,Lee,Oak,,\n", (2, "given_name", "control character")),
    ("NUL byte alone", "P1,Ann,\x00,Oak,,\n", (2, "family_name", "control character")),
    ("escape sequence in a class", "P1,Ann,Lee,Oak\x1b[2J,,\n", (2, "class", "control")),
    ("a 1 MB name", "P1," + "A" * 1_000_000 + ",Lee,Oak,,\n", (2, "given_name", "longer than")),
    ("a 1 MB reason", "P1,Ann,Lee,Oak," + "x" * 1_000_000 + ",\n",
     (2, "never_publish_reason", "longer than 1000")),
    ("a 1 MB quoted cell", 'P1,"' + "A,\n" * 350_000 + '",Lee,Oak,,\n',
     (2, "given_name", "control character")),
]


@pytest.mark.parametrize(("rows", "where"), [c[1:] for c in EDGE_CASES],
                         ids=[c[0] for c in EDGE_CASES])
def test_csv_edge_cases_are_row_and_column_errors(services, tmp_path, rows, where):
    path = write_csv(tmp_path / "edge.csv", EDGE_HEADER + "P0,Ok,Row,Oak,,\n" + rows)
    before = register_rows(services)
    report = services.register_files.import_register("admin", path)
    assert [(e.row, e.column) for e in report.errors] == [(where[0] + 1, where[1])]
    assert where[2] in report.errors[0].message
    assert len(report.errors[0].value) <= 40 and "\x00" not in report.errors[0].value
    assert register_rows(services) == before
    json.dumps(report.as_dict())  # the CLI's --json prints it


def test_a_huge_cell_in_a_column_we_do_not_read_is_no_problem(services, tmp_path):
    path = write_csv(tmp_path / "notes.csv", EDGE_HEADER + "P1,Ann,Lee,Oak,," + "n" * 2_000_000
                     + "\n")
    assert services.register_files.import_register("admin", path).errors == []
    assert services.pupils.pupil("P1").given_name == "Ann"


def test_duplicate_headings_are_refused_naming_them(services, tmp_path):
    path = write_csv(tmp_path / "dup.csv", "pupil_id,given_name,family_name,Given_Name,class,"
                     "consent_website,notes,notes\nP1,Ann,Lee,Anna,Oak,yes,a,b\n")
    report = services.register_files.import_register("admin", path)
    assert [(e.row, e.column) for e in report.errors] == [(1, "given_name")]
    assert "appears in columns B, D" in report.errors[0].message
    mapped = services.register_files.import_register("admin", path, {"consent_website": "notes"})
    assert {(e.column, e.message.split(":")[0]) for e in mapped.errors} == {
        ("given_name", "the heading 'given_name' appears in columns B, D"),
        ("notes", "the heading 'notes' appears in columns G, H")}
    assert services.pupils.list_pupils() == []


def test_every_category_has_its_columns_in_our_export(services, tmp_path):
    rich_register(services, tmp_path)
    exported = tmp_path / "export.csv"
    services.register_files.export_register("admin", exported)
    heading = exported.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    for category in ALL_CATEGORIES:
        for column in (f"consent_{category}", f"consent_{category}_expires",
                       f"consent_{category}_evidence"):
            assert column in heading
    assert heading[:6] == ["pupil_id", "given_name", "family_name", "preferred_name", "class",
                           "year_group"]
