"""Backup and restore: nothing is lost, on SQLite and PostgreSQL."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import PASSWORD
from sqlalchemy import MetaData

from classlens.errors import ClassLensError, NotAllowed
from classlens.storage.models import Base


def snapshot(services) -> dict[str, list[tuple]]:
    """Every row of every table, in key order."""
    metadata = MetaData()
    metadata.reflect(services.db.engine)
    with services.db.engine.connect() as connection:
        return {table.name: [tuple(r) for r in connection.execute(
                    table.select().order_by(*table.primary_key))]
                for table in Base.metadata.sorted_tables}


def test_restore_brings_back_exactly_what_was_backed_up(school, tmp_path):
    school.users.add_user("admin", "head", "slt", PASSWORD)
    post = school.posts.stage("teacher1", "Oak", "website", "Oak: the Blue Room.", [1],
                              ["Two people"])
    school.posts.submit("teacher1", post.id)
    school.posts.approve("head", post.id)
    school.post_export.export_post("teacher1", post.id, tmp_path / "out")
    archive = tmp_path / "school.classlens-backup"
    manifest = school.backups.backup("admin", archive)
    assert manifest["rows"]["photos"] == 1 and manifest["files"] == 3  # 1 photo, 2 references
    before = snapshot(school)

    # Life goes on, then something goes wrong.
    school.pupils.set_consent("admin", "OBAMA", "website", "refused")
    school.users.add_user("admin", "newcomer", "teacher", PASSWORD)
    for path in (school.library_root / "originals").rglob("*.*"):
        path.unlink()

    school.backups.restore("admin", archive)
    after = snapshot(school)
    restored_audit = after.pop("audit_log")
    assert after == {k: v for k, v in before.items() if k != "audit_log"}
    # The log as it was when the snapshot was read (the "backup.created" entry came
    # just after), then the restore itself.
    assert restored_audit[:-1] == before["audit_log"][:-1]
    assert before["audit_log"][-1][3] == "backup.created"
    assert school.audit_log.audit()[0]["action"] == "backup.restored"
    assert len(list((school.library_root / "originals").rglob("*.*"))) == 1
    # The restored school works: faces, decisions and a new post.
    assert {f.pupil_id for f in school.photos.faces(1)} == {"OBAMA", "BIDEN"}
    assert school.posts.stage("teacher1", "Oak", "website", "Oak: again.", [1],
                              ["x"]).id == post.id + 1


def test_only_ict_backs_up_and_bad_files_are_refused(school, tmp_path):
    with pytest.raises(NotAllowed):
        school.backups.backup("teacher1", tmp_path / "b.zip")
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ClassLensError, match="is not a ClassLens backup"):
        school.backups.restore("admin", junk)
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("manifest.json", '{"format": "something-else"}')
    with pytest.raises(ClassLensError, match="unknown format"):
        school.backups.restore("admin", other)
    assert school.photos.faces(1)  # nothing was touched


def test_backup_and_restore_from_the_command_line(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("CLASSLENS_KEY_FILE", str(tmp_path / "key"))
    assert cli("init", "--school", "Oak Primary").code == 0
    target = tmp_path / "b.zip"
    result = cli("backup", str(target), "--json", "--as", "admin")
    assert result.code == 0 and result.json["rows"]["users"] == 1
    assert cli("users", "add", "ms.khan", "--role", "teacher", "--as", "admin").code == 0
    # No terminal to ask and no --yes: refused, nothing changed.
    refused = cli("restore", str(target), "--as", "admin")
    assert refused.code == 1 and "--yes" in refused.err
    assert len(cli("users", "list", "--json").json) == 2
    # A terminal asks; anything but "yes" changes nothing.
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    assert cli("restore", str(target), "--as", "admin").code == 1
    assert len(cli("users", "list", "--json").json) == 2
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    restored = cli("restore", str(target), "--as", "admin", "--json")
    assert restored.code == 0 and Path(restored.json["safety_copy"]).exists()
    assert [u["username"] for u in cli("users", "list", "--json").json] == ["admin"]
    # The safety copy undoes the restore.
    assert cli("restore", restored.json["safety_copy"], "--yes", "--as", "admin").code == 0
    assert len(cli("users", "list", "--json").json) == 2


def test_a_sqlite_backup_restores_into_postgresql(tmp_path, pg_server):
    if pg_server is None:
        pytest.skip("no PostgreSQL server here")
    from conftest import DATA, create_pg_database, drop_pg_database

    from classlens.services import Services
    from classlens.storage import Database

    source = Services(Database(f"sqlite:///{tmp_path / 's.sqlite'}"), tmp_path / "lib")
    source.settings.init_school("Moving School", "public-feed", PASSWORD)
    source.register_files.import_register("admin", DATA / "register_ours.csv")
    source.pupils.set_never_publish("admin", "A100000000009", True, "court order")
    source.backups.backup("admin", tmp_path / "move.zip")
    url = create_pg_database(pg_server)
    try:
        target = Services(Database(url), tmp_path / "lib")
        target.settings.init_school("Placeholder", "private-feed", PASSWORD)
        target.backups.restore("admin", tmp_path / "move.zip")
        assert target.school().name == "Moving School"
        assert [p.as_dict() for p in target.pupils.list_pupils(viewer="admin")] == [
            p.as_dict() for p in source.pupils.list_pupils(viewer="admin")]
        target.users.add_user("admin", "after.restore", "teacher", PASSWORD)  # sequences moved on
        target.db.close()
    finally:
        drop_pg_database(pg_server, url)
