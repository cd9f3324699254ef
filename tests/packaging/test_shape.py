"""The shape of the code stays one a newcomer can carry on: no module grows past
MAX_LINES (split it by job instead), migrations apart (each is one step of the
schema's history and is never edited)."""

from pathlib import Path

ROOT = Path(__file__).parents[2]
PACKAGE = ROOT / "src" / "classlens"
MAX_LINES = 400
EXEMPT = PACKAGE / "storage" / "migrations"


def line_counts() -> dict[str, int]:
    return {str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines())
            for path in sorted(PACKAGE.rglob("*.py")) if not path.is_relative_to(EXEMPT)}


def test_the_package_is_found():
    counts = line_counts()
    assert "backup/__init__.py" in counts and "gui/photos_view.py" in counts
    assert not any(name.startswith("storage/migrations") for name in counts)


def test_no_module_is_longer_than_400_lines():
    offenders = {name: n for name, n in line_counts().items() if n > MAX_LINES}
    assert not offenders, (
        f"modules over {MAX_LINES} lines (split each by job): "
        + ", ".join(f"{name} ({n})" for name, n in sorted(offenders.items())))
