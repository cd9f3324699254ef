"""The photos command-line contract, and an import killed half-way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PASSWORD, write_csv
from imaging import FACES
from PIL import Image
from sqlalchemy import create_engine, text

REGISTER = ("pupil_id,given_name,family_name,class,consent_website,consent_social_private,"
            "consent_biometric\nOBAMA,Barack,Testpupil,Oak,yes,yes,yes\n"
            "BIDEN,Joe,Testpupil,Oak,yes,no,yes\nCOLLINS,Eileen,Testpupil,Oak,yes,yes,no\n")


def school(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("CLASSLENS_KEY_FILE", str(tmp_path / "key"))
    assert cli("init", "--school", "Oak Primary").code == 0
    assert cli("users", "add", "ms.khan", "--role", "teacher", "--as", "admin").code == 0
    assert cli("register", "import", str(write_csv(tmp_path / "r.csv", REGISTER)),
               "--as", "admin").code == 0


def test_enrol_import_faces_export(cli, tmp_path, monkeypatch):
    school(cli, tmp_path, monkeypatch)
    refused = cli("register", "enrol", "COLLINS", str(FACES / "astronaut.png"), "--json",
                  "--as", "admin")
    assert refused.code == 1 and "biometric consent refused" in refused.err
    assert cli("register", "enrol", "OBAMA", str(FACES / "obama_portrait.jpg"), "--json",
               "--as", "ms.khan").code == 1  # teachers do not enrol
    enrolled = cli("register", "enrol", "OBAMA", str(FACES / "obama_portrait.jpg"), "--json",
                   "--as", "admin")
    assert enrolled.code == 0 and enrolled.json == {"enrolled": 1, "errors": []}
    cli("register", "enrol", "BIDEN", str(FACES / "biden_portrait.jpg"), "--as", "admin")

    given = str(FACES / "obama_biden_blue_room.jpg")
    imported = cli("photos", "import", given, str(tmp_path / "r.csv"), "--class", "Oak",
                   "--json", "--workers", "1", "--as", "ms.khan")
    assert imported.code == 0
    first, second = imported.json
    assert (first["file"], first["id"], first["error"]) == (given, 1, None)
    assert [f["pupil_id"] for f in first["faces"]] == ["OBAMA", "BIDEN"]
    assert all(len(f["box"]) == 4 and 0 < f["distance"] < 0.5 for f in first["faces"])
    assert second["id"] is None and "not a photo" in second["error"]

    faces = cli("photos", "faces", "1", "--json").json
    assert faces[1]["decisions"]["social_private"] == {
        "shown": False, "reason": "recognised as BIDEN: refused by parent/carer"}

    out = tmp_path / "out"
    teacher = cli("photos", "export", "1", "--channel", "social_private", "--out", str(out),
                  "--json", "--as", "ms.khan")
    assert teacher.code == 1 and "only ICT and SLT users export one" in teacher.json["error"]
    assert not out.exists()
    exported = cli("photos", "export", "1", "--channel", "social_private", "--out", str(out),
                   "--json", "--as", "admin")
    assert exported.code == 0
    document = exported.json
    assert Path(document["path"]).parent == out and Path(document["path"]).exists()
    assert [(f["shown"], f["reason"]) for f in document["faces"]] == [
        (True, "recognised as OBAMA: consent granted"),
        (False, "recognised as BIDEN: refused by parent/carer")]

    assert cli("register", "never-publish", "OBAMA", "--reason", "court order",
               "--as", "admin").code == 0
    refused = cli("photos", "export", "1", "--channel", "website", "--out", str(out),
                  "--json", "--as", "admin")
    assert refused.code == 1 and "must never be published" in refused.json["error"]

    assert cli("photos", "add-blur", "1", "--box", "10,10,5,5", "--reason", "x",
               "--as", "ms.khan").code == 2
    added = cli("photos", "add-blur", "1", "--box", "10,10,60,60", "--reason", "missed",
                "--json", "--as", "ms.khan")
    assert added.code == 0 and added.json["face_id"] == 3
    assert cli("photos", "review", "1", "--face", "2", "--blur", "--reason", "asked",
               "--as", "ms.khan").code == 0


def test_an_import_killed_half_way_leaves_no_half_photo_and_resumes(cli, tmp_path,
                                                                   monkeypatch, db_url):
    school(cli, tmp_path, monkeypatch)
    folder = tmp_path / "trip"
    folder.mkdir()
    base = Image.open(FACES / "obama_biden_blue_room.jpg").convert("RGB")
    for n in range(8):  # eight different files (one pixel differs)
        variant = base.copy()
        variant.putpixel((n, 0), (n * 30, 0, 0))
        variant.save(folder / f"IMG_{n:04d}.jpg", quality=90)
    command = [sys.executable, "-m", "classlens.cli", "--db", db_url, "--library",
               str(tmp_path / "library"), "photos", "import", str(folder), "--class", "Oak",
               "--workers", "1", "--json", "--as", "ms.khan"]
    env = {**os.environ, "CLASSLENS_KEY_FILE": str(tmp_path / "key")}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    engine = create_engine(db_url)

    def photos_in_db() -> int:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM photos")).scalar()

    deadline = time.time() + 120
    while photos_in_db() < 2 and time.time() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.communicate()  # waits, and closes its pipes
    before = photos_in_db()
    assert 2 <= before < 8, "the import should have been killed half-way"
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, library_path FROM photos")).all()
        for photo_id, relative in rows:
            assert (tmp_path / "library" / relative).exists()
            faces = connection.execute(text("SELECT count(*) FROM faces WHERE photo_id = :p"),
                                       {"p": photo_id}).scalar()
            assert faces == 2  # every committed photo has all its faces
    again = cli("photos", "import", str(folder), "--class", "Oak", "--json", "--workers", "1",
                "--as", "ms.khan")
    assert again.code == 0
    results = again.json
    assert sum(r["duplicate"] for r in results) == before
    assert photos_in_db() == 8
    assert all(r["error"] is None and len(r["faces"]) == 2 for r in results)
    engine.dispose()


def test_review_corrections_single_exports_and_no_faces_from_the_command_line(
        cli, tmp_path, monkeypatch):
    school(cli, tmp_path, monkeypatch)
    for user in ("mr.jones", "mrs.patel"):
        assert cli("users", "add", user, "--role", "slt", "--as", "admin").code == 0
    for pupil, photo in (("OBAMA", "obama_portrait.jpg"), ("BIDEN", "biden_portrait.jpg")):
        assert cli("register", "enrol", pupil, str(FACES / photo), "--as", "admin").code == 0
    assert cli("photos", "import", str(FACES / "obama_biden_blue_room.jpg"), "--class", "Oak",
               "--workers", "1", "--as", "ms.khan").code == 0

    # A teacher cannot clear or relabel a recognised face alone.
    alone = cli("photos", "review", "1", "--face", "2", "--not-a-face", "--reason", "poster",
                "--as", "ms.khan")
    assert alone.code == 1 and "an SLT member other than you must confirm" in alone.err
    monkeypatch.setenv("CLASSLENS_NEW_PASSWORD", "jones-secret-1")
    assert cli("users", "passwd", "mr.jones", "--as", "mr.jones").code == 0
    monkeypatch.delenv("CLASSLENS_NEW_PASSWORD")
    correct = ("photos", "review", "1", "--face", "2", "--pupil", "COLLINS", "--reason",
               "it is Eileen", "--confirmed-by", "mr.jones", "--as", "ms.khan")
    unproven = cli(*correct)
    assert unproven.code == 1 and "set CLASSLENS_CONFIRM_PASSWORD" in unproven.err
    monkeypatch.setenv("CLASSLENS_CONFIRM_PASSWORD", "wrong-password")
    assert "wrong password for mr.jones" in cli(*correct).err
    monkeypatch.setenv("CLASSLENS_CONFIRM_PASSWORD", "jones-secret-1")
    done = cli(*correct)
    assert done.code == 0 and "confirmed by mr.jones" in done.out
    face = cli("photos", "faces", "1", "--json").json[1]
    assert (face["pupil_id"], face["recognised_pupil_id"], face["correction_confirmed_by"]) == (
        "COLLINS", "BIDEN", "mr.jones")
    assert face["decisions"]["social_private"]["shown"]
    assert cli("photos", "review", "1", "--face", "2", "--reset", "--reason", "undo",
               "--as", "ms.khan").code == 0
    face = cli("photos", "faces", "1", "--json").json[1]
    assert (face["pupil_id"], face["correction_confirmed_by"]) == ("BIDEN", None)
    assert not face["decisions"]["social_private"]["shown"]
    wrong = cli("photos", "review", "1", "--face", "1", "--correct", "--reason", "not him",
                "--confirmed-by", "mr.jones", "--as", "ms.khan")
    assert wrong.code == 0
    assert cli("photos", "faces", "1", "--json").json[0]["pupil_id"] is None
    monkeypatch.delenv("CLASSLENS_CONFIRM_PASSWORD")

    # A single photo is logged and comes up for takedown.
    out = tmp_path / "single"
    exported = cli("photos", "export", "1", "--channel", "website", "--out", str(out),
                   "--json", "--as", "mr.jones", )
    assert exported.code == 1 and "wrong password for mr.jones" in exported.err
    monkeypatch.setenv("CLASSLENS_PASSWORD", "jones-secret-1")
    exported = cli("photos", "export", "1", "--channel", "website", "--out", str(out),
                   "--json", "--as", "mr.jones")
    monkeypatch.setenv("CLASSLENS_PASSWORD", PASSWORD)
    assert exported.code == 0
    name = Path(exported.json["path"]).name
    assert cli("consent", "set", "BIDEN", "--category", "website", "--status", "refused",
               "--as", "admin").code == 0
    (opened,) = cli("register", "takedowns", "--json").json
    assert (opened["post_id"], opened["photo_id"], opened["file"], opened["pupil_id"]) == (
        None, 1, name, "BIDEN")
    assert "photo 1" in cli("register", "takedowns").out
    assert cli("takedown", "BIDEN", "--json").json[0]["file"] == name
    assert cli("photos", "withdrawn", name, "--as", "admin").code == 0
    assert cli("register", "takedowns", "--json").json == []

    # Switching face recognition off asks first, then deletes every template.
    asked = cli("policy", "set", "faces=none", "--as", "admin")
    assert asked.code == 1 and "--yes" in asked.err and "2 face template(s)" in asked.err
    assert cli("policy", "set", "faces=none", "--yes", "--as", "admin").code == 0
    refused = cli("register", "enrol", "OBAMA", str(FACES / "obama_portrait.jpg"),
                  "--as", "admin")
    assert refused.code == 1 and "has no face recognition" in refused.err
    assert list((tmp_path / "library" / "references").rglob("*.*")) == []


def test_many_photos_are_exported_in_one_command(cli, tmp_path, monkeypatch):
    """`photos export ID...`: one process for a batch. One id keeps the single
    document; several give a list in the order given, and a refused photo is
    reported with its reason while the others are written (exit 1)."""
    school(cli, tmp_path, monkeypatch)
    assert cli("register", "enrol", "OBAMA", str(FACES / "obama_portrait.jpg"),
               "--as", "admin").code == 0
    base = Image.open(FACES / "obama_biden_blue_room.jpg").convert("RGB")
    folder = tmp_path / "trip"
    folder.mkdir()
    for n in range(3):
        variant = base.copy()
        variant.putpixel((n, 0), (n * 40, 0, 0))
        variant.save(folder / f"IMG_{n}.jpg", quality=90)
    assert cli("photos", "import", str(folder), "--class", "Oak", "--workers", "1",
               "--as", "ms.khan").code == 0
    out = tmp_path / "out"
    batch = cli("photos", "export", "3", "1", "2", "--channel", "social_private", "--out",
                str(out), "--json", "--as", "admin")
    assert batch.code == 0
    assert [d["photo_id"] for d in batch.json] == [3, 1, 2]
    for document in batch.json:
        assert Path(document["path"]).parent == out and Path(document["path"]).exists()
        assert [(f["shown"], f["reason"].split(":")[0]) for f in document["faces"]] == [
            (True, "recognised as OBAMA"),
            (False, "not identified (no enrolled pupil close enough)")]
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 3 and all(name.startswith("social-private-photo") for name in written)
    single = cli("photos", "export", "2", "--channel", "social_private", "--out", str(out),
                 "--json", "--as", "admin")
    assert single.code == 0 and set(single.json) == {"path", "faces"}

    text = cli("photos", "export", "1", "2", "99", "--channel", "social_private", "--out",
               str(out), "--as", "admin")
    assert text.code == 1
    assert "Exported 2 of 3 photo(s)" in text.out and "photo 99: NOT EXPORTED" in text.out
    mixed = cli("photos", "export", "1", "99", "--channel", "social_private", "--out",
                str(out), "--json", "--as", "admin")
    assert mixed.code == 1
    assert mixed.json[1] == {"photo_id": 99, "error": "no photo 99 in the library"}
    assert cli("photos", "export", "1", "2", "--channel", "social_private", "--out",
               str(out), "--as", "nobody").code == 1


def test_photos_list_and_plain_words_for_a_missing_file_or_register(
        cli, tmp_path, monkeypatch, capsys):
    from classlens.cli import main

    school(cli, tmp_path, monkeypatch)
    assert "No photos yet" in cli("photos", "list").out
    assert cli("photos", "import", str(FACES / "obama_biden_blue_room.jpg"), "--class", "Oak",
               "--workers", "1", "--as", "ms.khan").code == 0
    (listed,) = cli("photos", "list", "--json").json
    assert (listed["id"], listed["file"], listed["class"], listed["faces"]) == (
        1, "obama_biden_blue_room.jpg", "Oak", 2)
    assert "obama_biden_blue_room.jpg" in cli("photos", "list", "--class", "Oak").out
    assert cli("photos", "list", "--class", "Willow", "--json").json == []

    missing = cli("register", "import", str(tmp_path / "no-such.csv"), "--as", "admin")
    assert missing.code == 1 and "row 0" not in missing.err
    assert "cannot read" in missing.err and "no-such.csv" in missing.err

    typo = tmp_path / "typo.sqlite"
    capsys.readouterr()
    assert main(["--db", f"sqlite:///{typo}", "register", "list"]) == 1
    assert f"there is no register at {typo}" in capsys.readouterr().err
    assert not typo.exists()  # nothing made by mistake


@pytest.mark.parametrize("workers", ["0", "-1", "two", "1.5", "33", "500"])
def test_a_number_of_workers_out_of_range_is_refused_before_anything_runs(
        cli, tmp_path, workers):
    result = cli("photos", "import", str(tmp_path), "--class", "Oak", "--workers", workers)
    assert result.code == 2
    assert f"--workers: '{workers}': give a whole number from 1 to 32" in result.err
