"""End to end through the command line: from the register to a takedown list."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from conftest import write_csv
from imaging import FACES, metadata_left

REGISTER = ("pupil_id,given_name,family_name,preferred_name,class,consent_website,"
            "consent_social_private,consent_biometric\n"
            "OBAMA,Barack,Obama-Test,,Oak,yes,yes,yes\n"
            "BIDEN,Joseph,Biden-Test,Joe,Oak,yes,yes,yes\n"
            "COLLINS,Eileen,Collins,,Willow,yes,yes,no\n")


def test_from_register_to_takedown(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("CLASSLENS_KEY_FILE", str(tmp_path / "key"))
    assert cli("init", "--school", "Redbourn", "--policy", "private-feed").code == 0
    for user, role in (("ms.khan", "teacher"), ("mr.jones", "slt"), ("mrs.patel", "slt")):
        assert cli("users", "add", user, "--role", role, "--as", "admin").code == 0
    assert cli("register", "import", str(write_csv(tmp_path / "r.csv", REGISTER)),
               "--as", "admin").code == 0
    for pupil, photo in (("OBAMA", "obama_portrait.jpg"), ("BIDEN", "biden_portrait.jpg")):
        assert cli("register", "enrol", pupil, str(FACES / photo), "--as", "admin").code == 0
    imported = cli("photos", "import", str(FACES / "obama_biden_blue_room.jpg"), "--class",
                   "Oak", "--json", "--workers", "1", "--as", "ms.khan").json
    photo_id = str(imported[0]["id"])

    # A caption that breaks the policy: errors are listed, nothing blocks staging.
    bad = cli("posts", "stage", "--class", "Oak", "--channel", "social_private",
              "--caption", "Joe's great work #proud", "--photo", photo_id, "--json",
              "--as", "ms.khan")
    assert bad.code == 0
    assert {p["rule"] for p in bad.json["problems"]} == {
        "class-name-first", "pupil-name", "hashtag", "alt-text"}
    assert bad.json["status"] == "draft"
    refused = cli("posts", "submit", str(bad.json["id"]), "--as", "ms.khan")
    assert refused.code == 1 and "[pupil-name]" in refused.err

    staged = cli("posts", "stage", "--class", "Oak", "--channel", "social_private",
                 "--caption", "Oak: a visit to the Blue Room today.", "--photo", photo_id,
                 "--alt", "Two visitors in a grand room with yellow curtains.", "--json",
                 "--as", "ms.khan").json
    assert staged["problems"] == [] and staged["status"] == "draft"
    post = str(staged["id"])
    assert cli("posts", "export", post, "--out", str(tmp_path / "x"), "--as",
               "ms.khan").code == 1  # not approved yet
    assert cli("posts", "submit", post, "--as", "ms.khan").code == 0
    own = cli("posts", "approve", post, "--as", "ms.khan")
    assert own.code == 1 and "only slt users" in own.err
    assert cli("posts", "reject", post, "--reason", "x", "--as", "ms.khan").code == 1
    approved = cli("posts", "approve", post, "--json", "--as", "mr.jones").json
    assert (approved["status"], approved["author"], approved["approver"]) == (
        "approved", "ms.khan", "mr.jones")

    out = tmp_path / "export"
    exported = cli("posts", "export", post, "--out", str(out), "--json", "--as", "ms.khan")
    assert exported.code == 0, exported.err
    folder = Path(exported.json["folder"])
    assert sorted(exported.json["files"]) == sorted(p.name for p in folder.iterdir())
    images = [p for p in folder.iterdir() if p.suffix == ".jpg"]
    assert len(images) == 1 and metadata_left(images[0].read_bytes()) == []
    assert (folder / "caption.txt").read_text() == "Oak: a visit to the Blue Room today.\n"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert (manifest["post_id"], manifest["author"], manifest["approver"]) == (
        int(post), "ms.khan", "mr.jones")
    assert manifest["images"][0]["faces_shown"] == 2
    everything = " ".join([*(p.name for p in folder.iterdir()),
                           (folder / "manifest.json").read_text()])
    for name in ("Barack", "Obama-Test", "Joseph", "Joe", "Biden-Test", "OBAMA", "BIDEN"):
        assert name not in everything

    assert cli("posts", "published", post, "--url", "https://x.com/school/status/1",
               "--as", "ms.khan").code == 0
    shown = cli("posts", "show", post, "--json").json
    assert (shown["status"], shown["author"], shown["approver"], shown["problems"]) == (
        "published", "ms.khan", "mr.jones", [])
    text = cli("posts", "show", post).out  # every face, as the approver decides on it
    assert "face 1: SHOWN: recognised as OBAMA" in text
    assert "face 2: SHOWN: recognised as BIDEN" in text

    # Before any withdrawal the post is listed but not marked.
    listed = cli("takedown", "BIDEN", "--json").json
    assert [(e["post_id"], e["channel"], e["url"]) for e in listed] == [
        (int(post), "social_private", "https://x.com/school/status/1")]
    assert listed[0]["take_down"] is False

    # Joe's parents withdraw consent for the private feed.
    assert cli("consent", "set", "BIDEN", "--category", "social_private", "--status",
               "refused", "--as", "mrs.patel").code == 0
    listed = cli("takedown", "BIDEN", "--json").json
    assert listed[0]["take_down"] is True and "refused by parent" in listed[0]["reason"]
    assert set(listed[0]) >= {"post_id", "channel", "url", "exported_at"}
    open_list = cli("register", "takedowns", "--json").json
    assert [(t["post_id"], t["pupil_id"]) for t in open_list] == [(int(post), "BIDEN")]
    assert cli("takedown", "COLLINS", "--json").json == []

    again = cli("posts", "export", post, "--out", str(tmp_path / "again"), "--json",
                "--as", "ms.khan")
    assert again.code == 1
    message = again.json["error"]
    assert "changed since it was approved" in message and "BIDEN" in message
    assert "refused by parent/carer" in message

    assert cli("posts", "withdraw", post, "--reason", "consent withdrawn",
               "--as", "mr.jones").code == 0
    assert cli("register", "takedowns", "--json").json == []
    assert cli("takedown", "BIDEN", "--json").json == []

    actions = [e["action"] for e in cli("audit", "--json").json]
    for action in ("post.staged", "post.submitted", "post.approved", "post.exported",
                   "post.published", "takedown.opened", "post.withdrawn"):
        assert action in actions

    week = datetime.now().isocalendar()
    report = cli("report", "weekly", "--json").json
    assert report["week"] == f"{week.year}-W{week.week:02d}"
    assert {c["class"]: c["status"] for c in report["classes"]} == {
        "Oak": "behind", "Willow": "behind"}  # the only post was withdrawn
    assert cli("report", "weekly", "--week", "2026-47").code == 1
