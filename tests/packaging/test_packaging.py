"""The install routes stay honest: uv's lock and pip's requirements agree."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]


def locked_versions() -> dict[str, str]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return {p["name"]: p["version"] for p in lock["package"] if "version" in p}


def test_pip_requirements_match_the_lock():
    locked = locked_versions()
    pins = [line.split(";")[0].strip() for line in (ROOT / "requirements.txt").read_text()
            .splitlines() if "==" in line and not line.lstrip().startswith("#")]
    assert pins
    for pin in pins:
        name, version = pin.split("==")
        if name == "numpy":
            continue  # two versions by Python version; the lock holds both
        assert locked.get(name) == version, f"{pin} disagrees with uv.lock; run uv export"


def test_dlib_comes_from_wheels_not_source():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "dlib; sys_platform == 'never'" in project["tool"]["uv"]["override-dependencies"]
    assert any(d.startswith("dlib-bin") for d in project["project"]["dependencies"])
    dlib_line = next(line for line in (ROOT / "requirements.txt").read_text().splitlines()
                     if line.startswith("dlib=="))
    assert dlib_line.endswith("; sys_platform == 'never'")
    assert "dlib-bin" in locked_versions()
