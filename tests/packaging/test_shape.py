"""The shape of the code stays one a newcomer can carry on: no module grows past
MAX_LINES (split it by job instead), migrations apart (each is one step of the
schema's history and is never edited)."""

import ast
import re
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


FRONT_ENDS = (PACKAGE / "cli", PACKAGE / "gui")
COMMAND_LINE = re.compile(r"(?<![\w-])--[a-z]|`classlens\b|\bclasslens [a-z]+ [a-z-]+")


def core_messages() -> list[tuple[str, int, str]]:
    """The text of every exception the core raises (hints apart)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.is_relative_to(EXEMPT) or any(path.is_relative_to(f) for f in FRONT_ENDS):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                text = "".join(part.value for arg in node.exc.args for part in ast.walk(arg)
                               if isinstance(part, ast.Constant) and isinstance(part.value, str))
                found.append((str(path.relative_to(PACKAGE)), node.lineno, text))
    return found


def test_core_messages_are_plain_words():
    """The app shows the core's messages as they are: how to do it on the command
    line goes in the error's `hint`, which only the command line prints."""
    messages = core_messages()
    assert any("no school in this database" in text for _, _, text in messages)
    offenders = [f"{name}:{line}: {text}" for name, line, text in messages
                 if COMMAND_LINE.search(text)]
    assert not offenders, "command-line syntax in messages:\n" + "\n".join(offenders)
