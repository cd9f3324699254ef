"""Shared fixtures: a real database per test and an in-process CLI runner."""

from __future__ import annotations

import itertools
import json
import os
import sys

# Qt tests run headless; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
import atexit
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from pg_server import server_url
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from classlens.cli import main
from classlens.services import Services
from classlens.storage import Database
from classlens.storage.models import AuditEntry, Consent, Pupil

# The face encoder converts dlib's network into the user's cache directory once
# per machine; the tests use a cache of their own, made once per run, so that
# they neither depend on nor leave anything in the real one.
_CACHE = tempfile.mkdtemp(prefix="classlens-test-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)

DATA = Path(__file__).with_name("data")
# Every account has a password; tests give all of them this one (the CLI runner
# below passes it as CLASSLENS_NEW_PASSWORD and CLASSLENS_PASSWORD, as an outside
# check would).
PASSWORD = "test-password-1"


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server for the run (see pg_server.py), or None."""
    url, cluster = server_url()
    yield url
    if cluster is not None:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, pg_server) -> str:
    """Every test that stores anything runs on SQLite and on PostgreSQL."""
    if request.param == "postgresql" and pg_server is None:
        pytest.skip("no PostgreSQL server here (.ci/run installs Debian's postgresql)")
    return request.param


_created = itertools.count()


def create_pg_database(server: str, template: str | None = None) -> str:
    """A new, empty (or copied from `template`) database on the test server."""
    name = f"classlens_{os.getpid()}_{next(_created)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'
                                + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(server: str, url: str) -> None:
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" '
                                "WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def db_url(backend, tmp_path, pg_server) -> str:
    """A fresh database per test: a SQLite file, or a new PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'classlens.sqlite'}"
        return
    url = create_pg_database(pg_server)
    yield url
    drop_pg_database(pg_server, url)


def _close(services: Services) -> None:
    """Close the test's database once the app's background work (thumbnails,
    previews, exports still running when a GUI test ends) is over: the work
    itself, and what the windows do with its results (a finished preview
    reads the photo's faces again), which waits in the event queue."""
    qt = sys.modules.get("PySide6.QtCore")
    app = qt.QCoreApplication.instance() if qt is not None else None
    if qt is not None:
        pool = qt.QThreadPool.globalInstance()
        quiet = 0
        for _ in range(20):  # results may start more work: until twice quiet in a row
            pool.waitForDone(60_000)
            if app is not None:
                app.processEvents()
            quiet = quiet + 1 if pool.activeThreadCount() == 0 else 0
            if quiet == 2:
                break
    services.db.close()


@pytest.fixture
def services(db_url, tmp_path) -> Services:
    """A school on the private-feed policy, with a teacher and two SLT users."""
    services = Services(Database(db_url), tmp_path / "library")
    services.settings.init_school("Test Primary", "private-feed", PASSWORD)
    services.users.add_user("admin", "teacher1", "teacher", PASSWORD)
    services.users.add_user("admin", "head", "slt", PASSWORD)
    services.users.add_user("admin", "deputy", "slt", PASSWORD)
    yield services
    _close(services)


REGISTER = (
    "pupil_id,given_name,family_name,class,consent_website,consent_social_public,"
    "consent_social_private,consent_biometric\n"
    "OBAMA,Barack,Testpupil,Oak,yes,yes,yes,yes\n"
    "BIDEN,Joe,Testpupil,Oak,yes,no,no,yes\n"
    "COLLINS,Eileen,Testpupil,Oak,yes,yes,yes,no\n"
)
FACE_FILES = DATA / "faces"
TWO = str(FACE_FILES / "obama_biden_blue_room.jpg")


def open_school(url: str, root: Path) -> Services:
    return Services(Database(url), root / "library", key_file=root / "template.key")


_prepared: dict[str, tuple[Path, str]] = {}


def _prepare(backend: str, pg_server: str | None, root: Path) -> tuple[Path, str]:
    """A school with Obama and Biden enrolled and the two-person photo imported,
    built once per backend: a SQLite file, or a PostgreSQL template database."""
    url = (f"sqlite:///{root / 'db.sqlite'}" if backend == "sqlite"
           else create_pg_database(pg_server))
    services = open_school(url, root)
    services.settings.init_school("Test Primary", "private-feed", PASSWORD)
    services.users.add_user("admin", "teacher1", "teacher", PASSWORD)
    services.register_files.import_register("admin", write_csv(root / "register.csv", REGISTER))
    for pupil, photo in (("OBAMA", "obama_portrait.jpg"), ("BIDEN", "biden_portrait.jpg")):
        assert services.enrolment.enrol("admin", pupil, [str(FACE_FILES / photo)]).enrolled == 1
    (photo,) = services.photo_import.import_photos("teacher1", [TWO], "Oak", workers=1)
    assert photo.error is None and photo.id == 1
    services.db.close()
    return root, url


@pytest.fixture
def school(backend, pg_server, tmp_path, tmp_path_factory) -> Services:
    """A copy of the prepared school for one test to change as it likes."""
    if backend not in _prepared:
        _prepared[backend] = _prepare(backend, pg_server,
                                      tmp_path_factory.mktemp(f"school-{backend}"))
    source, template = _prepared[backend]
    root = tmp_path / "school"
    shutil.copytree(source, root)
    if backend == "sqlite":
        url = f"sqlite:///{root / 'db.sqlite'}"
    else:
        url = create_pg_database(pg_server, template=make_url(template).database)
    services = open_school(url, root)
    yield services
    _close(services)
    if backend == "postgresql":
        drop_pg_database(pg_server, url)


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


@pytest.fixture
def cli(db_url, tmp_path, capsys, monkeypatch):
    """Run `classlens --db URL ...` in-process, as a user would type it, with
    PASSWORD as every new and every given password (monkeypatch to change)."""
    for name in ("CLASSLENS_USER", "CLASSLENS_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLASSLENS_NEW_PASSWORD", PASSWORD)
    monkeypatch.setenv("CLASSLENS_PASSWORD", PASSWORD)

    def run(*args: str) -> Result:
        capsys.readouterr()
        try:
            code = main(["--db", db_url, "--library", str(tmp_path / "library"), *args])
        except SystemExit as exit_:  # argparse usage errors
            code = exit_.code
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes():
    """argon2id at its lowest cost: every account has a password and every `--as`
    checks it, which at the real cost (~0.3 s a hash here) would add minutes to
    the suite. The algorithm and every check stay the same."""
    from argon2 import PasswordHasher

    from classlens.services import signin

    real, signin._hasher = signin._hasher, PasswordHasher(time_cost=1, memory_cost=64,
                                                           parallelism=1)
    yield
    signin._hasher = real


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    # Never touch the developer's real ClassLens data directory from tests.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setitem(os.environ, "HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))


def register_rows(services) -> dict:
    """Everything the register holds about pupils and consents, for exact comparison."""
    with services.db.transaction() as session:
        pupils = [tuple(r) for r in session.execute(
            select(Pupil.pupil_id, Pupil.given_name, Pupil.family_name, Pupil.preferred_name,
                   Pupil.class_id, Pupil.year_group, Pupil.on_roll, Pupil.left_on,
                   Pupil.never_publish, Pupil.never_publish_reason).order_by(Pupil.pupil_id))]
        consents = [tuple(r) for r in session.execute(
            select(Pupil.pupil_id, Consent.category, Consent.decided_by, Consent.status,
                   Consent.expires, Consent.evidence, Consent.recorded_by, Consent.recorded_at,
                   Consent.version).join(Pupil)
            .order_by(Pupil.pupil_id, Consent.category, Consent.decided_by))]
        audit = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    return {"pupils": pupils, "consents": consents, "last_audit": audit}


# -- the desktop app's tests ---------------------------------------------------

REASON = "checked with the class teacher"


@pytest.fixture
def answers(monkeypatch):
    """Every prompt answered as a careful user would ("Yes", a reason); returns the
    errors shown in the one error dialog."""
    from classlens.gui import errors
    from classlens.gui.qt import QtWidgets

    def reason_dialog(dialog):
        dialog.setTextValue(REASON)
        return QtWidgets.QDialog.DialogCode.Accepted

    monkeypatch.setattr(QtWidgets.QInputDialog, "getText",
                        staticmethod(lambda *a, **k: (REASON, True)))
    monkeypatch.setattr(QtWidgets.QInputDialog, "getMultiLineText",
                        staticmethod(lambda *a, **k: (REASON, True)))
    monkeypatch.setattr(QtWidgets.QInputDialog, "exec", reason_dialog)
    monkeypatch.setattr(QtWidgets.QMessageBox, "question",
                        staticmethod(lambda *a, **k: QtWidgets.QMessageBox.StandardButton.Yes))
    errors.shown.clear()
    return errors.shown


def window(qtbot, services, username):
    """The main window as `username` sees it, kept open for the whole test."""
    from classlens.gui.main_window import MainWindow

    user = next(u for u in services.users.users() if u.username == username)
    win = MainWindow(services, user)
    qtbot.addWidget(win)
    # Keep the window alive for the whole test even when only a screen is used.
    qtbot.__dict__.setdefault("classlens_windows", []).append(win)
    return win
