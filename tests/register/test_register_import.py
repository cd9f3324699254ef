"""Register import: every error kind, MIS mapping, encodings, re-import, all-or-nothing."""

from datetime import date

import pytest
from conftest import DATA, PASSWORD, write_csv

from classlens.register.csv_import import parse_register

HEADER = ("pupil_id,given_name,family_name,preferred_name,class,year_group,consent_website,"
          "consent_social_private,consent_biometric,decided_by,consent_expires,never_publish\n")
GOOD = "P1,Zoë,O'Brien,,Oak,3,yes,yes,yes,parent,31/08/2027,no\n"


def pupils(services):
    return {p.pupil_id: p for p in services.pupils.list_pupils()}


def test_our_own_columns(services, tmp_path):
    report = services.register_files.import_register("admin", DATA / "register_ours.csv")
    assert (report.created, report.updated, report.unchanged, report.errors) == (12, 0, 0, [])
    zoe = pupils(services)["A100000000001"]
    assert (zoe.given_name, zoe.family_name, zoe.class_name, zoe.year_group) == (
        "Zoë", "O'Brien", "Oak", "3")
    labels = zoe.as_dict()["consent"]
    assert labels["website"] == "granted" and labels["social_public"] == "refused"
    assert labels["biometric"] == "granted"
    assert pupils(services)["A100000000004"].as_dict()["consent"]["website"] == "not recorded"


def test_mis_export_windows_1252_semicolons_with_mapping(services):
    mapping = {
        "pupil_id": "UPN", "given_name": "Legal Forename", "family_name": "Legal Surname",
        "preferred_name": "Preferred Forename", "class": "Reg Group", "year_group": "NC Year",
        "consent_website": "Photos - Website",
        "consent_social_public": "Photos - Social Media (public)",
        "consent_social_private": "Photos - Social Media (private)",
        "consent_newsletter": "Photos - Newsletter", "consent_press": "Photos - Press",
        "consent_display": "Photos - Displays", "consent_video": "Photos - Video",
        "consent_biometric": "Biometric Consent", "decided_by": "Consent Given By",
        "consent_expires": "consent review date",  # headings match case-insensitively
    }
    report = services.register_files.import_register("admin", DATA / "mis_export_cp1252.csv",
                                                     mapping)
    assert report.errors == []
    assert report.created == 5
    register = pupils(services)
    assert register["H801200001002"].given_name == "Renée"
    assert register["H801200001003"].family_name == "Ó Súilleabháin"
    assert register["H801200001004"].preferred_name == "Franz"
    assert register["H801200001004"].class_name == "3K"
    consent = register["H801200001001"].as_dict()["consent"]
    assert consent["social_public"] == "refused" and consent["press"] == "refused"
    assert consent["website"] == "granted"
    assert register["H801200001002"].as_dict()["consent"]["biometric"] == "refused"
    # "Carer" is a parent's decision; the expiry came from DD/MM/YYYY.
    with services.db.transaction() as session:
        from sqlalchemy import select

        from classlens.storage.models import Consent, Pupil
        row = session.execute(
            select(Consent.decided_by, Consent.expires).join(Pupil)
            .where(Pupil.pupil_id == "H801200001003", Consent.category == "website")).one()
    assert tuple(row) == ("parent", date(2027, 8, 31))


def test_utf8_bom_and_values_in_any_case(services, tmp_path):
    path = write_csv(tmp_path / "bom.csv", "\ufeff" + HEADER.replace("consent_biometric,", "")
                     .replace("never_publish", "never_publish").replace("decided_by,", "")
                     .replace("consent_expires,", "")
                     + "P1,Zoë,O'Brien,,Oak,3,TRUE,Granted,N\nP2,Al,Li,,Oak,3,0,REFUSED,y\n")
    report = services.register_files.import_register("admin", path)
    assert report.errors == [] and report.created == 2
    register = pupils(services)
    assert register["P1"].given_name == "Zoë"  # the BOM did not stick to the first heading
    assert register["P1"].as_dict()["consent"]["social_private"] == "granted"
    assert register["P2"].as_dict()["consent"]["website"] == "refused"
    assert register["P2"].never_publish


ERROR_CASES = [
    # (id, csv text, mapping, expected (row, column, value), words in the message)
    ("empty file", "", None, (1, "", ""), "empty"),
    ("required column missing", HEADER.replace("given_name,", "first,")
     + GOOD, None, (1, "given_name", ""), "tell ClassLens which column holds it"),
    ("mapped heading missing", HEADER + GOOD, {"class": "Reg Group"},
     (1, "Reg Group", ""), "not in the file"),
    ("pupil id missing", HEADER + GOOD.replace("P1", ""), None,
     (2, "pupil_id", ""), "pupil id is missing"),
    ("given name missing", HEADER + GOOD.replace("Zoë", ""), None,
     (2, "given_name", ""), "given name is missing"),
    ("family name missing", HEADER + GOOD.replace("O'Brien", ""), None,
     (2, "family_name", ""), "family name is missing"),
    ("class missing", HEADER + GOOD.replace("Oak", ""), None, (2, "class", ""), "class is missing"),
    ("value too long", HEADER + GOOD.replace("Zoë", "Z" * 101), None,
     (2, "given_name", "Z" * 40), "longer than 100"),
    ("not a consent answer", HEADER + GOOD.replace("yes,yes,yes", "yes,maybe,yes"), None,
     (2, "consent_social_private", "maybe"), "use yes or no"),
    ("who decided", HEADER + GOOD.replace("parent", "teacher"), None,
     (2, "decided_by", "teacher"), "parent or pupil"),
    ("not a date", HEADER + GOOD.replace("31/08/2027", "next summer"), None,
     (2, "consent_expires", "next summer"), "YYYY-MM-DD"),
    ("impossible date", HEADER + GOOD.replace("31/08/2027", "31/02/2027"), None,
     (2, "consent_expires", "31/02/2027"), "not a date"),
    ("never publish not yes/no", HEADER + GOOD.replace(",no\n", ",perhaps\n"), None,
     (2, "never_publish", "perhaps"), "yes or no"),
    ("duplicate pupil id", HEADER + GOOD + GOOD.replace("Zoë", "Zara"), None,
     (3, "pupil_id", "P1"), "already used on row 3"),  # rows shift by the good row
    ("too many cells", HEADER + GOOD.replace(",no\n", ",no,extra\n"), None,
     (2, "", ""), "13 cells but there are 12 headings"),
]


@pytest.mark.parametrize(("text", "mapping", "where", "words"), [c[1:] for c in ERROR_CASES],
                         ids=[c[0] for c in ERROR_CASES])
def test_every_error_is_reported_and_nothing_is_written(services, tmp_path, text, mapping,
                                                        where, words):
    path = write_csv(tmp_path / "bad.csv", HEADER + "P0,Ok,Row,,Oak,3,yes,yes,yes,parent,,no\n"
                     + text.removeprefix(HEADER) if text.startswith(HEADER) else text)
    before = services.audit_log.audit()
    report = services.register_files.import_register("admin", path, mapping)
    expected_row = where[0] + (1 if where[0] > 1 else 0)  # the good row P0 comes first
    assert [(e.row, e.column, e.value) for e in report.errors] == [
        (expected_row, where[1], where[2])]
    assert words in report.errors[0].message
    assert not report.written
    assert services.pupils.list_pupils() == []  # not even the good row
    assert services.audit_log.audit() == before


def test_all_problems_are_reported_at_once(services, tmp_path):
    path = write_csv(tmp_path / "bad.csv", HEADER
                     + "P1,,O'Brien,,Oak,3,yes,maybe,yes,parent,,no\n"
                     + GOOD.replace("P1", "P2")
                     + "P3,Al,Li,,Oak,3,yes,yes,yes,gran,,no\n")
    report = services.register_files.import_register("admin", path)
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "given_name"), (2, "consent_social_private"), (4, "decided_by")]


def test_errors_name_the_schools_own_heading(services, tmp_path):
    path = write_csv(tmp_path / "mis.csv", "UPN,First,Last,Form\nX1,Ann,,4B\n")
    report = services.register_files.import_register(
        "admin", path, {"pupil_id": "UPN", "given_name": "First", "family_name": "Last",
                        "class": "Form"})
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "Last", "family name is missing; every pupil needs one")]


def test_unreadable_file(services, tmp_path):
    report = services.register_files.import_register("admin", tmp_path / "missing.csv")
    assert "cannot read" in report.errors[0].message


def test_quoted_cells_and_blank_lines_keep_spreadsheet_row_numbers(services, tmp_path):
    path = write_csv(tmp_path / "q.csv", HEADER + '"P1","Zoë ""Zo""","O\'Brien",,"Oak, upstairs",'
                     '3,yes,yes,yes,parent,,no\n\n'
                     + GOOD.replace("P1", "P2").replace("yes", "?", 1))
    report = services.register_files.import_register("admin", path)
    assert [(e.row, e.value) for e in report.errors] == [(4, "?")]
    path.write_text(path.read_text().replace("?", "yes"))
    services.register_files.import_register("admin", path)
    assert pupils(services)["P1"].class_name == "Oak, upstairs"


def test_reimport_reports_changes_and_unchanged(services, tmp_path):
    path = write_csv(tmp_path / "r.csv", HEADER + GOOD + GOOD.replace("P1", "P2"))
    assert services.register_files.import_register("admin", path).created == 2
    again = services.register_files.import_register("admin", path)
    assert (again.created, again.updated, again.unchanged, again.changes) == (0, 0, 2, [])
    write_csv(path, HEADER + GOOD.replace("Oak", "Ash").replace("yes,yes,yes", "yes,no,yes")
              + GOOD.replace("P1", "P2"))
    changed = services.register_files.import_register("admin", path)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert sorted((c.pupil_id, c.field, c.old, c.new) for c in changed.changes) == [
        ("P1", "class_name", "Oak", "Ash"),
        ("P1", "consent_social_private (parent)", "granted until 2027-08-31", "refused"),
    ]
    assert pupils(services)["P1"].as_dict()["consent"]["social_private"] == "refused"
    # A blank answer means "not recorded": the old grant goes.
    write_csv(path, HEADER + GOOD.replace("Oak", "Ash").replace("yes,yes,yes", ",no,yes"))
    services.register_files.import_register("admin", path)
    assert pupils(services)["P1"].as_dict()["consent"]["website"] == "not recorded"


def test_missing_pupils_are_marked_left_only_when_asked(services, tmp_path):
    path = write_csv(tmp_path / "r.csv", HEADER + GOOD + GOOD.replace("P1", "P2"))
    services.register_files.import_register("admin", path)
    write_csv(path, HEADER + GOOD)
    assert services.register_files.import_register("admin", path).left == 0
    assert pupils(services)["P2"].on_roll
    report = services.register_files.import_register("admin", path, mark_missing_left=True)
    assert report.left == 1 and not pupils(services)["P2"].on_roll
    # Coming back in a later export puts the pupil back on roll.
    write_csv(path, HEADER + GOOD + GOOD.replace("P1", "P2"))
    assert services.register_files.import_register("admin", path).updated == 1
    assert pupils(services)["P2"].on_roll


def test_dry_run_writes_nothing(services, tmp_path):
    path = write_csv(tmp_path / "r.csv", HEADER + GOOD)
    report = services.register_files.import_register("admin", path, dry_run=True)
    assert report.created == 1 and not report.written
    assert services.pupils.list_pupils() == []


def test_an_import_never_clears_a_never_publish_flag(services, tmp_path):
    path = write_csv(tmp_path / "r.csv", HEADER + GOOD)
    services.register_files.import_register("admin", path)
    services.pupils.set_never_publish("admin", "P1", True, "court order")
    report = services.register_files.import_register("admin",
                                                     path)  # the file says never_publish = no
    assert report.unchanged == 1
    assert services.pupils.pupil("P1", viewer="admin").never_publish_reason == "court order"


def test_public_feed_grants_expire_at_the_end_of_the_school_year(tmp_path):
    from classlens.services import Services
    from classlens.storage import Database

    services = Services(Database(f"sqlite:///{tmp_path / 'p.sqlite'}"),
                        today=lambda: date(2026, 11, 22))
    services.settings.init_school("Whitehouse", "public-feed", PASSWORD)
    path = write_csv(tmp_path / "r.csv", HEADER + GOOD.replace("31/08/2027", ""))
    services.register_files.import_register("admin", path)
    assert services.pupils.pupil("P1").consent["website"].allowed
    assert not services.pupils.pupil("P1", on=date(2027, 9, 1)).consent["website"].allowed
    assert services.pupils.pupil("P1", on=date(2027, 9, 1)).consent["website"].message == (
        "consent expired on 2027-08-31")


def test_only_ict_imports(services, tmp_path):
    from classlens.errors import NotAllowed

    path = write_csv(tmp_path / "r.csv", HEADER + GOOD)
    with pytest.raises(NotAllowed, match="teacher1 is a teacher user; only ict users"):
        services.register_files.import_register("teacher1", path)


def test_parser_drops_the_apostrophe_our_export_adds():
    parsed = parse_register((HEADER + GOOD.replace("O'Brien", "'-Brien")).encode())
    assert parsed.rows[0].family_name == "-Brien"
