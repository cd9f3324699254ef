"""Restore is all or nothing: killed anywhere, or fed any damaged backup, the
register afterwards is exactly the old one or exactly the new one."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import PASSWORD
from sqlalchemy import text
from test_backup import snapshot

from classlens.backup.key import backup_key_file, sign
from classlens.errors import ClassLensError

# Runs one restore and dies (os._exit: no clean-up, as kill -9) at the Nth line
# of ClassLens code it executes; with N = 0 it finishes and prints how many
# lines there were.
KILLER = r"""
import os, sys
from pathlib import Path
from classlens.services import Services
from classlens.storage import Database

url, library, key, source, stop = sys.argv[1:6]
stop, count = int(stop), 0

def tracer(frame, event, arg):
    if "classlens" not in frame.f_code.co_filename:
        return None
    def line(frame, event, arg):
        global count
        if event == "line":
            count += 1
            if count == stop:
                os._exit(137)
        return line
    return line

services = Services(Database(url), Path(library), key_file=Path(key))
sys.settrace(tracer)
services.backups.restore("admin", Path(source))
sys.settrace(None)
print(count)
"""


def states(school, tmp_path):
    """A backup of the school as it is now (the new register), then changes (the
    old register): returns the backup and both snapshots."""
    school.users.add_user("admin", "head", "slt", PASSWORD)
    new = snapshot(school)
    archive = tmp_path / "new.zip"
    school.backups.backup("admin", archive)
    school.pupils.set_consent("admin", "OBAMA", "website", "refused")
    school.users.add_user("admin", "newcomer", "teacher", PASSWORD)
    school.pupils.set_never_publish("admin", "COLLINS", True, "court order")
    return archive, new, snapshot(school)


def wait_for_orphans(school) -> None:
    """On PostgreSQL a killed client's server process finishes its last statement
    (perhaps the COMMIT it was sent) before it notices; wait for it, or a
    snapshot read table by table could straddle that commit."""
    if school.db.engine.dialect.name != "postgresql":
        return
    deadline = time.monotonic() + 60
    with school.db.engine.connect() as connection:
        while time.monotonic() < deadline and connection.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state <> 'idle'")):
            time.sleep(0.05)


def without_hashes(users: list[tuple]) -> list[tuple]:
    return [row[:4] + row[5:] for row in users]


def which(school, old, new) -> str:
    """'old' or 'new' when the register is exactly one of them; fails otherwise."""
    wait_for_orphans(school)
    now = snapshot(school)
    # Signing in as admin may store admin's password hash again with the
    # current cost settings (tests make hashes cheaply): not a register change.
    now["users"], old, new = (without_hashes(now["users"]), {**old, "users": without_hashes(
        old["users"])}, {**new, "users": without_hashes(new["users"])})
    assert school.audit_log.verify_audit().intact
    if now == old:
        return "old"
    audit = now.pop("audit_log")
    if audit and audit[-1][3] == "backup.restored":
        audit = audit[:-1]
    assert {**now, "audit_log": audit} == new, "the register is neither the old nor the new"
    return "new"


def run_killer(school, source: Path, stop: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    return subprocess.run(
        [sys.executable, "-c", KILLER, school.db.url, str(school.library_root),
         str(school.key_file), str(source), str(stop)],
        capture_output=True, text=True, env=env, timeout=300, check=False)


def test_a_restore_killed_anywhere_leaves_the_old_or_the_new_register(school, tmp_path):
    archive, new, old = states(school, tmp_path)
    old_archive = tmp_path / "old.zip"
    school.backups.backup("admin", old_archive)
    old = snapshot(school)
    school.db.close()
    # How many lines of ClassLens a whole restore runs.
    probe = run_killer(school, archive, 0)
    assert probe.returncode == 0, probe.stderr
    total = int(probe.stdout.split()[-1])
    assert which(school, old, new) == "new"

    seen = []
    for stop in sorted({1, *range(total // 10, total, max(1, total // 10)), total - 1}):
        if not seen or seen[-1] == "new":  # start each kill from the old register
            school.backups.restore("admin", old_archive)
            old = snapshot(school)
            school.db.close()
        result = run_killer(school, archive, stop)
        assert result.returncode == 137, result.stderr
        seen.append(which(school, old, new))
        school.db.close()
    assert "old" in seen and "new" in seen, seen  # killed before and after the swap
    # A later restore clears what a killed one left (the new register's file).
    school.backups.restore("admin", archive)
    assert which(school, old, new) == "new"
    assert not [p for p in school.key_file.parent.rglob("*.restoring*")]


def test_a_restore_killed_by_a_signal_leaves_the_old_or_the_new(school, tmp_path):
    archive, new, old = states(school, tmp_path)
    school.db.close()
    env = {**os.environ, "CLASSLENS_KEY_FILE": str(school.key_file),
           "CLASSLENS_PASSWORD": PASSWORD}
    for delay in (0.5, 1.5, 2.5, 3.5):
        process = subprocess.Popen(
            [sys.executable, "-m", "classlens.cli", "--db", school.db.url, "--library",
             str(school.library_root), "restore", str(archive), "--yes", "--as", "admin"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if which(school, old, new) == "new":
            return  # the last kill came after the swap; earlier ones left the old
    # Every kill came before the swap: the old register each time (checked above).


# -- damaged and crafted backups -----------------------------------------------------


def rewrite(source: Path, target: Path, key: Path | None, change) -> Path:
    """Copy a backup, changing its members with `change(members)` (name -> bytes).
    With `key` (an insider holding the backup key) the manifest's hashes are made
    to match and it is signed again; without, the manifest and MAC stay as they are
    unless `change` edits them."""
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    change(members)
    if key is not None:
        manifest = json.loads(members["manifest.json"])
        for name in manifest["members"]:
            if name in members:
                manifest["members"][name] = {
                    "size": len(members[name]),
                    "sha256": hashlib.sha256(members[name]).hexdigest()}
        body = json.dumps(manifest).encode()
        members["manifest.json"] = body
        members["manifest.mac"] = sign(backup_key_file(key).read_bytes().strip(),
                                       body).encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def edit_manifest(edit):
    def change(members):
        manifest = json.loads(members["manifest.json"])
        edit(manifest)
        members["manifest.json"] = json.dumps(manifest).encode()
    return change


def edit_table(table, edit):
    def change(members):
        name = f"tables/{table}.jsonl"
        lines = members[name].decode().splitlines()
        lines = edit(lines)
        members[name] = ("\n".join(lines) + "\n").encode()
    return change


def _edit_audit(lines):
    entry = json.loads(lines[3])
    entry["actor"] = "someone.else"
    lines[3] = json.dumps(entry)
    return lines


def _remove_table(members):
    del members["tables/classes.jsonl"]
    manifest = json.loads(members["manifest.json"])
    del manifest["members"]["tables/classes.jsonl"], manifest["rows"]["classes"]
    members["manifest.json"] = json.dumps(manifest).encode()


def _duplicate_row(members):
    edit_table("users", lambda lines: [*lines, lines[0]])(members)
    edit_manifest(lambda m: m["rows"].update(users=m["rows"]["users"] + 1))(members)


# name -> (change, re-signed with the key?, message expected)
DAMAGE = {
    "newer revision": (edit_manifest(lambda m: m.update(revision="9999")), True,
                       "made by a newer ClassLens"),
    "truncated member": (lambda m: m.update({"tables/pupils.jsonl":
                                             m["tables/pupils.jsonl"][:-40]}), False,
                         "damaged or was changed"),
    "duplicate row": (_duplicate_row, True, "cannot be put back together"),
    "missing table": (_remove_table, True, "no classes table"),
    "absolute path": (lambda m: m.update({"library//tmp/evil.desktop": b"[Desktop Entry]"}),
                      True, "not a name ClassLens writes"),
    "parent path": (lambda m: m.update({"library/../../evil.desktop": b"x"}), True,
                    "not a name ClassLens writes"),
    "unsafe row path": (edit_table("photos", lambda lines: [
        line.replace('"originals/', '"../../originals/') for line in lines]), True,
                        "unsafe library path"),
    "edited audit entry": (edit_table("audit_log", _edit_audit), True, "tampered with"),
    "removed audit entry": (edit_table("audit_log", lambda lines: lines[:2] + lines[3:]),
                            True, "tampered with"),
    "bad MAC": (edit_manifest(lambda m: m.update(created_at="2020-01-01")), False,
                "does not carry this school's signature"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_backup_is_refused_and_touches_nothing(school, tmp_path, damage):
    archive, _new, old = states(school, tmp_path)
    change, signed, message = DAMAGE[damage]
    if damage == "removed audit entry":
        # Row counts are checked too: a forger with the key would fix the count.
        inner = change

        def change(members):
            inner(members)
            edit_manifest(lambda m: m["rows"].update(
                audit_log=m["rows"]["audit_log"] - 1))(members)
    bad = rewrite(archive, tmp_path / "bad.zip", school.key_file if signed else None, change)
    files_before = sorted(p for p in school.library_root.rglob("*"))
    with pytest.raises(ClassLensError, match=message):
        school.backups.restore("admin", bad)
    assert snapshot(school) == old
    assert sorted(p for p in school.library_root.rglob("*")) == files_before
    assert not (tmp_path / "evil.desktop").exists() and not Path("/tmp/evil.desktop").exists()
    assert not list(school.key_file.parent.glob("*.restoring*"))


def test_crc_damage_is_refused(school, tmp_path):
    archive, _new, old = states(school, tmp_path)
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zip_:
        info = zip_.getinfo("tables/pupils.jsonl")
    # Flip a byte in the middle of the member's compressed data, past its local
    # header (30 bytes, then the name and extra field, whose lengths it gives).
    start = info.header_offset + 30 + int.from_bytes(
        data[info.header_offset + 26:info.header_offset + 28], "little") + int.from_bytes(
        data[info.header_offset + 28:info.header_offset + 30], "little")
    data[start + info.compress_size // 2] ^= 0xFF
    bad = tmp_path / "crc.zip"
    bad.write_bytes(bytes(data))
    with pytest.raises(ClassLensError, match="damaged"):
        school.backups.restore("admin", bad)
    assert snapshot(school) == old


def test_a_zip_bomb_is_refused_before_it_is_expanded(school, tmp_path):
    archive, _new, old = states(school, tmp_path)
    bomb = rewrite(archive, tmp_path / "bomb.zip", school.key_file, lambda m: m.update(
        {"tables/users.jsonl": b" " * 300_000_000}))
    assert bomb.stat().st_size < 2_000_000
    with pytest.raises(ClassLensError, match="zip bomb"):
        school.backups.restore("admin", bomb)
    assert snapshot(school) == old


def test_a_backup_signed_with_another_key_is_refused(school, tmp_path):
    archive, _new, old = states(school, tmp_path)
    backup_key_file(school.key_file).write_bytes(b"another school's key")
    with pytest.raises(ClassLensError, match="signature"):
        school.backups.restore("admin", archive)
    backup_key_file(school.key_file).unlink()
    with pytest.raises(ClassLensError, match=r"backup key .* is missing"):
        school.backups.restore("admin", archive)
    assert snapshot(school) == old


def test_backups_are_owner_only_and_leave_no_part_file(school, tmp_path):
    target = tmp_path / "b.zip"
    school.backups.backup("admin", target)
    assert target.stat().st_mode & 0o777 == 0o600
    assert backup_key_file(school.key_file).stat().st_mode & 0o777 == 0o600
    # A backup that fails half-way (a library file gone) leaves nothing behind.
    for path in (school.library_root / "references").rglob("*.*"):
        path.unlink()
    with pytest.raises(ClassLensError, match="missing"):
        school.backups.backup("admin", tmp_path / "c.zip")
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["b.zip"]


def test_a_sqlite_restore_is_one_transaction_on_the_live_file(school, tmp_path):
    """Another connection open on the register during the restore sees the old or
    the new register, and keeps working afterwards."""
    if school.db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    archive, new, old = states(school, tmp_path)
    with school.db.engine.connect() as other:
        before = other.execute(text("SELECT count(*) FROM users")).scalar()
        school.backups.restore("admin", archive)
        after = other.execute(text("SELECT count(*) FROM users")).scalar()
    assert (before, after) == (len(old["users"]), len(new["users"]))


def test_a_terminated_backup_leaves_no_part_file(school, tmp_path):
    """SIGTERM half-way through a backup of a large library: no `.part` is left."""
    from datetime import UTC, datetime

    from classlens.storage.models import Photo

    with school.db.transaction() as session:
        for n in range(30):  # 240 MB of originals: the backup takes a few seconds
            data = os.urandom(8 * 2**20)
            digest = hashlib.sha256(data).hexdigest()
            relative = school.library.store("originals", data, digest, "JPEG")
            session.add(Photo(sha256=digest, library_path=relative, original_name=f"{n}.jpg",
                              format="JPEG", width=4000, height=3000,
                              imported_at=datetime.now(UTC), imported_by="admin"))
    school.db.close()
    target = tmp_path / "out" / "big.zip"
    target.parent.mkdir()
    env = {**os.environ, "CLASSLENS_KEY_FILE": str(school.key_file),
           "CLASSLENS_PASSWORD": PASSWORD}
    process = subprocess.Popen(
        [sys.executable, "-m", "classlens.cli", "--db", school.db.url, "--library",
         str(school.library_root), "backup", str(target), "--as", "admin"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    part = target.with_name("big.zip.part")
    deadline = time.monotonic() + 60
    while not part.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert part.exists()
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    code = process.returncode
    # Python may run the handler where an exception is ignored (a finaliser); then
    # the backup completes instead. Either way no partial file is left.
    assert code in (143, 0), err.decode()
    assert [p.name for p in target.parent.iterdir()] == ([] if code else ["big.zip"])
