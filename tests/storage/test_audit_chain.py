"""The audit log is a hash chain: any change to it is found and named."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import PASSWORD
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from classlens.audit import record
from classlens.services import Services
from classlens.storage import Database
from classlens.storage.database import create_db_engine, migrate


def sqlite_file(services) -> str:
    return services.db.url.removeprefix("sqlite:///")


def test_every_entry_is_chained_and_verify_finds_each_kind_of_tampering(services):
    services.users.add_user("admin", "ms.khan", "teacher", PASSWORD)
    services.settings.set_policy("admin", "match_tolerance", 0.45)
    report = services.audit_log.verify_audit()
    assert report.intact and report.entries == len(services.audit_log.audit())
    if services.db.engine.dialect.name != "sqlite":
        return  # PostgreSQL's own refusals are tested below
    path = sqlite_file(services)
    services.db.close()
    ids = [row[0] for row in sqlite3.connect(path).execute("SELECT id FROM audit_log")]
    tamperings = {
        "edit": f"UPDATE audit_log SET actor = 'someone' WHERE id = {ids[2]}",
        "delete": f"DELETE FROM audit_log WHERE id = {ids[2]}",
        "reorder": f"UPDATE audit_log SET at = '2000-01-01 00:00:00' WHERE id = {ids[2]}",
    }
    for kind, statement in tamperings.items():
        copy = f"{path}.{kind}"
        with sqlite3.connect(path) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        with sqlite3.connect(copy) as connection:
            connection.execute("DROP TRIGGER audit_log_no_update")
            connection.execute("DROP TRIGGER audit_log_no_delete")
            connection.execute(statement)
        tampered = Services(Database(f"sqlite:///{copy}"))
        report = tampered.audit_log.verify_audit()
        tampered.db.close()
        expected = ids[3] if kind == "delete" else ids[2]
        assert (report.intact, report.first_bad_id) == (False, expected), kind


def test_the_audit_log_refuses_update_delete_and_truncate(services):
    with services.db.engine.connect() as connection:
        statements = ["UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"]
        if connection.dialect.name == "postgresql":
            statements.append("TRUNCATE audit_log")
        for statement in statements:
            with pytest.raises(DBAPIError, match="append-only"), connection.begin():
                connection.execute(text(statement))
    assert services.audit_log.verify_audit().intact


def test_audit_verify_on_the_command_line(cli, db_url):
    assert cli("init", "--school", "Oak Primary").code == 0
    assert cli("users", "add", "ms.khan", "--role", "teacher", "--as", "admin").code == 0
    result = cli("audit", "verify", "--json")
    assert result.code == 0 and result.json == {
        "intact": True, "entries": 3, "first_bad_entry": None, "problem": None}
    assert "intact" in cli("audit", "verify").out
    assert cli("audit", "--limit", "1", "--json").json[0]["action"] == "user.added"
    if not db_url.startswith("sqlite"):
        return
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as connection:
        connection.execute("DROP TRIGGER audit_log_no_update")
        connection.execute("UPDATE audit_log SET new_value = 'slt' WHERE id = 3")
    result = cli("audit", "verify", "--json")
    assert result.code == 1 and result.json["first_bad_entry"] == 3
    text_result = cli("audit", "verify")
    assert text_result.code == 1 and "entry 3 does not match" in text_result.out


def test_the_migration_chains_entries_written_before_it(db_url):
    engine = create_db_engine(db_url)
    migrate(engine, "0008")
    with engine.begin() as connection:
        for n in range(3):
            connection.execute(text(
                "INSERT INTO audit_log (at, actor, action, subject, sensitive) VALUES "
                f"('2025-01-0{n + 1} 10:00:00', 'admin', 'old.entry', 'x:{n}', FALSE)"))
    engine.dispose()
    services = Services(Database(db_url))
    report = services.audit_log.verify_audit()
    assert report.intact and report.entries == 3
    services.db.close()


def test_concurrent_writers_never_fork_the_chain(db_url):
    import threading

    first = Services(Database(db_url))
    first.settings.init_school("Busy School", "private-feed", PASSWORD)
    second = Services(Database(db_url))
    errors = []

    def add(services, prefix):
        try:
            for n in range(15):
                services.users.add_user("admin", f"{prefix}{n}", "teacher", PASSWORD)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=add, args=(s, p))
               for s, p in ((first, "a"), (second, "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert first.audit_log.verify_audit().intact and first.audit_log.verify_audit().entries == 32
    first.db.close()
    second.db.close()


def test_the_app_warns_when_the_log_was_tampered_with(qtbot, services):
    from classlens.gui.main_window import MainWindow

    user = services.signin.sign_in("admin", PASSWORD)
    window = MainWindow(services, user)
    qtbot.addWidget(window)
    assert window.audit_warning is None
    if services.db.engine.dialect.name != "sqlite":
        return
    path = sqlite_file(services)
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TRIGGER audit_log_no_delete")
        connection.execute("DELETE FROM audit_log WHERE id = 2")
    window = MainWindow(services, user)
    qtbot.addWidget(window)
    window.show()
    assert window.audit_warning is not None and window.audit_warning.isVisible()
    assert "tampered with" in window.audit_warning.text()


def test_the_app_backs_up_and_restores_after_asking(qtbot, school, tmp_path, monkeypatch):
    from classlens.gui.main_window import MainWindow
    from classlens.gui.qt import QtWidgets

    user = school.signin.sign_in("admin", PASSWORD)
    window = MainWindow(school, user)
    qtbot.addWidget(window)
    assert window.backup_to(tmp_path / "b.zip") is not None
    school.users.add_user("admin", "newcomer", "teacher", PASSWORD)
    buttons = QtWidgets.QMessageBox.StandardButton
    monkeypatch.setattr(QtWidgets.QMessageBox, "question", lambda *a, **k: buttons.Cancel)
    assert window.restore_from(tmp_path / "b.zip") is None
    assert "newcomer" in [u.username for u in school.users.users()]
    monkeypatch.setattr(QtWidgets.QMessageBox, "question", lambda *a, **k: buttons.Yes)
    restored = window.restore_from(tmp_path / "b.zip")
    assert restored is not None and "newcomer" not in [u.username for u in school.users.users()]
    # What was done stays in the message bar above the screens.
    assert any(restored["safety_copy"] in m for m in window.messages.texts())


def test_an_entry_added_directly_is_chained_too(services):
    """Code that adds a bare AuditEntry (not through audit.record) still
    extends the chain in order."""
    from classlens.storage.models import AuditEntry, utcnow

    with services.db.transaction() as session:
        record(session, "admin", "first", "x:1")
        session.add(AuditEntry(at=utcnow(), actor="admin", action="bare", subject="x:2",
                               sensitive=False))
        record(session, "admin", "third", "x:3")
    assert [e["action"] for e in services.audit_log.audit(limit=3)] == ["third", "bare", "first"]
    assert services.audit_log.verify_audit().intact
