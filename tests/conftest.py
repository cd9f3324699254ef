"""Shared fixtures: a real database per test and an in-process CLI runner."""

from __future__ import annotations

import json
import os

# Qt tests run headless; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from classlens.cli import main
from classlens.services import Services
from classlens.storage import Database

DATA = Path(__file__).with_name("data")


@pytest.fixture
def db_url(tmp_path) -> str:
    """A fresh SQLite file per test."""
    return f"sqlite:///{tmp_path / 'classlens.sqlite'}"


@pytest.fixture
def services(db_url, tmp_path) -> Services:
    """A school on the private-feed policy, with a teacher and two SLT users."""
    services = Services(Database(db_url), tmp_path / "library")
    services.init_school("Test Primary", "private-feed")
    services.add_user("admin", "teacher1", "teacher")
    services.add_user("admin", "head", "slt")
    services.add_user("admin", "deputy", "slt")
    yield services
    services.db.close()


REGISTER = (
    "pupil_id,given_name,family_name,class,consent_website,consent_social_public,"
    "consent_social_private,consent_biometric\n"
    "OBAMA,Barack,Testpupil,Oak,yes,yes,yes,yes\n"
    "BIDEN,Joe,Testpupil,Oak,yes,no,no,yes\n"
    "COLLINS,Eileen,Testpupil,Oak,yes,yes,yes,no\n"
)
FACE_FILES = DATA / "faces"
TWO = str(FACE_FILES / "obama_biden_blue_room.jpg")


def open_school(root: Path) -> Services:
    return Services(Database(f"sqlite:///{root / 'db.sqlite'}"), root / "library",
                    key_file=root / "template.key")


@pytest.fixture(scope="session")
def prepared(tmp_path_factory) -> Path:
    """A school with Obama and Biden enrolled and the two-person photo imported."""
    root = tmp_path_factory.mktemp("school")
    services = open_school(root)
    services.init_school("Test Primary", "private-feed")
    services.add_user("admin", "teacher1", "teacher")
    services.import_register("admin", write_csv(root / "register.csv", REGISTER))
    assert services.enrol("admin", "OBAMA", [str(FACE_FILES / "obama_portrait.jpg")]).enrolled == 1
    assert services.enrol("admin", "BIDEN", [str(FACE_FILES / "biden_portrait.jpg")]).enrolled == 1
    (photo,) = services.import_photos("teacher1", [TWO], "Oak", workers=1)
    assert photo.error is None and photo.id == 1
    services.db.close()
    return root


@pytest.fixture
def school(prepared, tmp_path) -> Services:
    root = tmp_path / "school"
    shutil.copytree(prepared, root)
    services = open_school(root)
    yield services
    services.db.close()


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
    """Run `classlens --db URL ...` in-process, as a user would type it."""
    monkeypatch.delenv("CLASSLENS_USER", raising=False)
    monkeypatch.delenv("CLASSLENS_DB", raising=False)

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


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    # Never touch the developer's real ClassLens data directory from tests.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setitem(os.environ, "HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
