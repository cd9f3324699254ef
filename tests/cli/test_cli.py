"""The command-line contract, driven as a user (or an outside check) types it."""

import csv
import json
import subprocess
import sys

from conftest import DATA, write_csv


def init(cli):
    assert cli("init", "--school", "Redbourn", "--policy", "private-feed").code == 0
    assert cli("users", "add", "ms.khan", "--role", "teacher", "--as", "admin").code == 0
    assert cli("users", "add", "mr.jones", "--role", "slt", "--as", "admin").code == 0


def test_init_is_idempotent_and_creates_admin_and_channels(cli):
    first = cli("init", "--school", "Redbourn", "--json")
    assert first.code == 0 and first.json == {"created": True, "school": "Redbourn",
                                              "policy": "private-feed"}
    again = cli("init", "--school", "Redbourn", "--policy", "no-faces")
    assert again.code == 0 and "already exists" in again.out
    assert cli("users", "list", "--json").json == [{"username": "admin", "role": "ict"}]
    channels = cli("channels", "list", "--json").json
    assert [c["name"] for c in channels] == ["website", "social_public", "social_private",
                                             "newsletter", "press", "display", "video"]
    assert all(c["name"] == c["category"] for c in channels)


def test_usage_errors_exit_2(cli):
    init(cli)
    assert cli("init").code == 2  # --school missing
    assert cli("init", "--school", "X", "--policy", "strict").code == 2
    assert cli("register", "import", str(DATA / "register_ours.csv"), "--map", "surname=Last",
               "--as", "admin").code == 2
    assert cli("consent", "set", "P1", "--category", "website", "--status", "granted",
               "--expires", "31/08/2027", "--as", "admin").code == 2


def test_a_missing_column_says_how_to_map_it_on_the_command_line(cli, tmp_path):
    """The problem is in plain words (the app shows it too); the command line adds
    how to say it there."""
    init(cli)
    path = write_csv(tmp_path / "mis.csv", "UPN,First,Surname,Reg\nP1,Zoë,Khan,Oak\n")
    result = cli("register", "import", str(path), "--as", "admin")
    assert result.code == 1
    assert "tell ClassLens which column holds it" in result.err
    assert "(on the command line: --map given_name=HEADING)" in result.err
    assert "--map" not in result.err.split("(on the command line")[0]


def test_a_refusal_with_a_hint_shows_it_only_on_the_command_line(cli, monkeypatch):
    """Core messages are plain words (the app shows them); a command-line hint is
    printed after the message, and the exit code stays 1."""
    from classlens.cli import users
    from classlens.errors import ClassLensError

    def refuse(args):
        raise ClassLensError("the school's key is missing: put it back", hint="set THE_KEY")

    monkeypatch.setattr(users, "cmd_users_list", refuse)
    result = cli("users", "list")
    assert result.code == 1
    assert result.err.splitlines() == ["classlens: the school's key is missing: put it back",
                                       "classlens: on the command line: set THE_KEY"]
    result = cli("users", "list", "--json")
    assert result.code == 1 and result.json == {
        "error": "the school's key is missing: put it back", "hint": "set THE_KEY"}


def test_roles_are_checked(cli):
    init(cli)
    result = cli("users", "add", "intruder", "--role", "ict", "--as", "ms.khan")
    assert result.code == 1 and "only ict users may do this" in result.err
    result = cli("users", "add", "x", "--role", "teacher", "--as", "nobody")
    assert result.code == 1 and "there is no user 'nobody'" in result.err
    result = cli("users", "add", "x", "--role", "teacher")
    assert result.code == 1 and "--as USERNAME" in result.err


def test_user_from_environment(cli, monkeypatch):
    init(cli)
    monkeypatch.setenv("CLASSLENS_USER", "admin")
    # The parser reads CLASSLENS_USER when it is built, as a default for --as.
    assert cli("users", "add", "mrs.patel", "--role", "slt").code == 0


def test_register_import_json_and_list(cli):
    init(cli)
    result = cli("register", "import", str(DATA / "register_ours.csv"), "--json", "--as", "admin")
    assert result.code == 0
    report = result.json
    assert {k: report[k] for k in ("created", "updated", "unchanged", "left", "errors")} == {
        "created": 12, "updated": 0, "unchanged": 0, "left": 0, "errors": []}
    listing = cli("register", "list", "--class", "Oak", "--json").json
    assert len(listing) == 7
    zoe = next(p for p in listing if p["pupil_id"] == "A100000000001")
    assert {k: zoe[k] for k in ("given_name", "family_name", "preferred_name", "class",
                                "on_roll")} == {
        "given_name": "Zoë", "family_name": "O'Brien", "preferred_name": None, "class": "Oak",
        "on_roll": True}
    assert zoe["consent"] == {
        "website": "granted", "social_public": "refused", "social_private": "granted",
        "newsletter": "granted", "press": "refused", "display": "granted", "video": "granted",
        "biometric": "granted"}
    assert cli("register", "list", "--class", "Nowhere").code == 1


def test_rejected_import_exits_1_with_every_error_in_json(cli, tmp_path):
    init(cli)
    path = write_csv(tmp_path / "bad.csv", "pupil_id,given_name,family_name,class,consent_website\n"
                     "P1,Ann,Lee,Oak,yes\nP2,Bo,,Oak,sometimes\n")
    result = cli("register", "import", str(path), "--json", "--as", "admin")
    assert result.code == 1
    assert result.json["errors"] == [
        {"row": 3, "column": "family_name", "value": "",
         "message": "family name is missing; every pupil needs one"},
        {"row": 3, "column": "consent_website", "value": "sometimes",
         "message": "not a consent answer; use yes or no (also y/n, true/false, 1/0, "
                    "granted/refused), or leave it blank for not recorded"}]
    assert cli("register", "list", "--json").json == []
    text = cli("register", "import", str(path), "--as", "admin")
    assert text.code == 1 and "row 3, column 'family_name'" in text.err


def test_consent_set_and_its_audit_trail(cli):
    init(cli)
    cli("register", "import", str(DATA / "register_ours.csv"), "--as", "admin")
    result = cli("consent", "set", "A100000000001", "--category", "social_public",
                 "--status", "granted", "--by", "parent", "--expires", "2027-08-31",
                 "--as", "mr.jones")
    assert result.code == 0 and "social_public is now granted" in result.out
    listing = {p["pupil_id"]: p for p in cli("register", "list", "--json").json}
    assert listing["A100000000001"]["consent"]["social_public"] == "granted"
    # Her own refusal wins over the parent's grant.
    cli("consent", "set", "A100000000001", "--category", "social_public", "--status", "refused",
        "--by", "pupil", "--as", "admin")
    listing = {p["pupil_id"]: p for p in cli("register", "list", "--json").json}
    assert listing["A100000000001"]["consent"]["social_public"] == "refused"
    assert listing["A100000000001"]["reasons"]["social_public"] == "refused by the pupil"
    audit = cli("audit", "--json").json
    assert [(e["actor"], e["action"], e["subject"], e["field"], e["old"], e["new"])
            for e in audit[:2]] == [
        ("admin", "consent.set", "pupil:A100000000001", "social_public (pupil)", None,
         "refused"),
        ("mr.jones", "consent.set", "pupil:A100000000001", "social_public (parent)", "refused",
         "granted until 2027-08-31"),
    ]
    assert audit[0]["id"] > audit[1]["id"]  # newest first
    assert cli("consent", "set", "A100000000001", "--category", "press", "--status", "granted",
               "--as", "ms.khan").code == 1
    assert cli("consent", "set", "NOPE", "--category", "press", "--status", "granted",
               "--as", "admin").err.startswith("classlens: no pupil with id 'NOPE'")


def test_never_publish_reason_is_for_ict_and_slt_only(cli):
    init(cli)
    cli("register", "import", str(DATA / "register_ours.csv"), "--as", "admin")
    assert cli("register", "never-publish", "A100000000009", "--reason", "court order",
               "--as", "ms.khan").code == 1
    assert cli("register", "never-publish", "A100000000009", "--reason", "court order",
               "--as", "mr.jones").code == 0

    def chloe(*who):
        listing = cli("register", "list", "--json", *who).json
        return next(p for p in listing if p["pupil_id"] == "A100000000009")

    assert chloe()["never_publish"] and "never_publish_reason" not in chloe()
    assert "never_publish_reason" not in chloe("--as", "ms.khan")
    assert chloe("--as", "admin")["never_publish_reason"] == "court order"
    hidden = [e for e in cli("audit", "--json").json if e["field"] == "never_publish_reason"]
    shown = [e for e in cli("audit", "--json", "--as", "mr.jones").json
             if e["field"] == "never_publish_reason"]
    assert hidden[0]["new"] == "(hidden)" and shown[0]["new"] == "court order"


def test_export_is_safe_in_excel_and_round_trips(cli, tmp_path):
    init(cli)
    path = write_csv(tmp_path / "evil.csv",
                     "pupil_id,given_name,family_name,class,consent_website\n"
                     "P1,=HYPERLINK(\"http://x\"),+Smith,@Oak,yes\nP2,-Ann,Lee,Oak,no\n")
    assert cli("register", "import", str(path), "--as", "admin").code == 0
    out = tmp_path / "export.csv"
    assert cli("register", "export", str(out), "--as", "ms.khan").code == 1
    assert cli("register", "export", str(out), "--as", "admin").code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel shows the accents
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value
    assert rows[0]["given_name"] == "'=HYPERLINK(\"http://x\")"
    # Importing our own export changes nothing.
    report = cli("register", "import", str(out), "--json", "--as", "admin").json
    assert (report["unchanged"], report["updated"], report["errors"]) == (2, 0, [])
    first = cli("register", "list", "--json").json
    assert first[0]["given_name"] in ("=HYPERLINK(\"http://x\")", "-Ann")


def test_channels_and_policy(cli):
    init(cli)
    assert cli("channels", "add", "Class X feed", "--category", "social_private",
               "--platform", "x", "--as", "admin").code == 0
    assert cli("channels", "add", "Class X feed", "--category", "social_private",
               "--platform", "x", "--as", "admin").code == 1
    names = [c["name"] for c in cli("channels", "list", "--json").json]
    assert names[-1] == "Class X feed"
    policy = cli("policy", "show", "--json").json
    assert policy["name"] == "private-feed" and policy["caption_starts_with_class"] is True


def test_json_errors_are_one_document(cli, db_url):
    result = cli("register", "list", "--json")  # no register yet
    if db_url.startswith("sqlite"):  # no file: refused, rather than making an empty one
        assert result.code == 1 and "classlens init" in json.loads(result.out)["error"]
    else:  # a shared database exists before its school does: an empty register
        assert result.code == 0 and result.json == []
    result = cli("policy", "show", "--json")
    error = json.loads(result.out)
    if db_url.startswith("sqlite"):
        assert result.code == 1 and "classlens init" in error["error"]
    else:  # the message in words; how to do it on the command line apart
        assert result.code == 1 and "no school in this database" in error["error"]
        assert error["hint"] == "classlens init --school NAME"


def test_installed_entry_point_and_environment(tmp_path):
    """The real `classlens` executable, configured only through the environment."""
    env = {"CLASSLENS_DB": f"sqlite:///{tmp_path / 'env.sqlite'}",
           "CLASSLENS_LIBRARY": str(tmp_path / "lib"), "PATH": "/usr/bin:/bin",
           "HOME": str(tmp_path), "CLASSLENS_NEW_PASSWORD": "env-password-1"}
    exe = [sys.executable, "-m", "classlens.cli"]
    run = subprocess.run([*exe, "init", "--school", "Env School"], env=env, capture_output=True,
                         text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "env.sqlite").exists()
    version = subprocess.run([*exe, "--version"], capture_output=True, text=True, env=env,
                             check=False)
    assert version.stdout.startswith("classlens ")


def test_the_school_keeps_its_shared_library(cli, tmp_path, db_url, monkeypatch):
    from classlens.services import Services
    from classlens.storage import Database

    assert cli("init", "--school", "Oak Primary").code == 0
    shared = tmp_path / "network-drive" / "photos"
    monkeypatch.delenv("CLASSLENS_LIBRARY", raising=False)
    # Another machine opening the same register without --library finds the folder.
    assert main_without_library(db_url, ["school", "library", str(shared), "--as",
                                         "admin"]) == 0
    assert Services(Database(db_url)).library_root == shared
    assert Services(Database(db_url), tmp_path / "explicit").library_root == tmp_path / "explicit"


def main_without_library(db_url, args):
    from classlens.cli import main

    return main(["--db", db_url, *args])
