"""The photos command-line contract, and an import killed half-way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image
from sqlalchemy import create_engine, text

from conftest import write_csv
from imaging import FACES

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
    exported = cli("photos", "export", "1", "--channel", "social_private", "--out", str(out),
                   "--json", "--as", "ms.khan")
    assert exported.code == 0
    document = exported.json
    assert Path(document["path"]).parent == out and Path(document["path"]).exists()
    assert [(f["shown"], f["reason"]) for f in document["faces"]] == [
        (True, "recognised as OBAMA: consent granted"),
        (False, "recognised as BIDEN: refused by parent/carer")]

    assert cli("register", "never-publish", "OBAMA", "--reason", "court order",
               "--as", "admin").code == 0
    refused = cli("photos", "export", "1", "--channel", "website", "--out", str(out),
                  "--json", "--as", "ms.khan")
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
    process.wait()
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
                str(out), "--json", "--as", "ms.khan")
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
                 "--json", "--as", "ms.khan")
    assert single.code == 0 and set(single.json) == {"path", "faces"}

    text = cli("photos", "export", "1", "2", "99", "--channel", "social_private", "--out",
               str(out), "--as", "ms.khan")
    assert text.code == 1
    assert "Exported 2 of 3 photo(s)" in text.out and "photo 99: NOT EXPORTED" in text.out
    mixed = cli("photos", "export", "1", "99", "--channel", "social_private", "--out",
                str(out), "--json", "--as", "ms.khan")
    assert mixed.code == 1
    assert mixed.json[1] == {"photo_id": 99, "error": "no photo 99 in the library"}
    assert cli("photos", "export", "1", "2", "--channel", "social_private", "--out",
               str(out), "--as", "nobody").code == 1
