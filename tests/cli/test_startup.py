"""Start-up: a command loads only what it needs.

Every command is a new process, so what the command line imports before it
parses its arguments is paid on every call. These tests check what is
loaded (not how long it takes: timings belong in benchmarks/).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import PASSWORD

# Modules a command that touches no photo must not load.
HEAVY = ("numpy", "PIL", "onnxruntime", "dlib", "face_recognition_models", "pillow_heif",
         "alembic", "PySide6", "cv2", "cryptography")
DATABASE = ("sqlalchemy",)


def loaded_after(argv: list[str], env: dict | None = None) -> tuple[int, list[str]]:
    """Run the command line in a fresh interpreter; the heavy modules it loaded."""
    probe = (
        "import contextlib, io, json, sys\n"
        "from classlens.cli import main\n"
        "code = 0\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        code = main({argv!r})\n"
        "    except SystemExit as exit_:\n"
        "        code = exit_.code\n"
        f"names = {HEAVY + DATABASE!r}\n"
        "print(json.dumps([code, sorted(n for n in names if n in sys.modules)]))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    code, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    return code, loaded


@pytest.mark.parametrize("argv", [["--help"], ["photos", "export", "--help"],
                                  ["register", "--help"], ["--version"]])
def test_help_loads_neither_the_database_nor_image_libraries(argv):
    code, loaded = loaded_after(argv)
    assert code == 0
    assert loaded == []


def test_listing_the_register_loads_no_image_library_and_no_migration_tool(db_url, tmp_path):
    env = {"CLASSLENS_DB": db_url, "CLASSLENS_LIBRARY": str(tmp_path / "library"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "CLASSLENS_NEW_PASSWORD": PASSWORD,
           "CLASSLENS_PASSWORD": PASSWORD}
    # The first open creates the schema (that needs Alembic); the next ones do not.
    assert loaded_after(["init", "--school", "Redbourn"], env)[0] == 0
    code, loaded = loaded_after(["register", "list", "--as", "admin"], env)
    assert code == 0
    assert loaded == ["sqlalchemy"]
