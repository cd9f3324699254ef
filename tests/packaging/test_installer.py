"""The installer build: the one-folder program starts and passes its self-test."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


@pytest.mark.slow
def test_the_built_program_passes_its_self_test(tmp_path):
    if shutil.which("pyinstaller") is None:
        pytest.skip("PyInstaller is not installed (uv sync installs it with the dev group)")
    build = subprocess.run(
        ["pyinstaller", "--noconfirm", "--log-level", "WARN", "--distpath",
         str(tmp_path / "dist"), "--workpath", str(tmp_path / "work"),
         str(ROOT / "installer" / "classlens.spec")],
        capture_output=True, text=True, timeout=1200, check=False)
    assert build.returncode == 0, build.stderr[-3000:]
    program = tmp_path / "dist" / "classlens" / "classlens"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen",
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    version = subprocess.run([str(program), "--version"], capture_output=True, text=True,
                             env=env, timeout=120, check=False)
    assert version.stdout.strip() == "classlens 0.1.0"
    selftest = subprocess.run([str(program), "selftest", "--json"], capture_output=True,
                              text=True, env=env, timeout=600, check=False)
    assert selftest.returncode == 0, selftest.stdout + selftest.stderr
    assert '"passed": true' in selftest.stdout
    gui = subprocess.run([str(program), "gui", "--demo", "--user", "ms.khan", "--exit-after",
                          "1"], capture_output=True, text=True, env=env, timeout=600, check=False)
    assert gui.returncode == 0, gui.stderr[-3000:]
    size = sum(f.stat().st_size for f in program.parent.rglob("*") if f.is_file())
    print(f"bundle size: {size / 2**20:.0f} MiB")
    assert os.access(program, os.X_OK)
