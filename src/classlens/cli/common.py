"""What every command shares: exit codes, options, signing in, printing."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from classlens.errors import ClassLensError, NotAllowed
from classlens.paths import default_db_url, library_from_environment

if TYPE_CHECKING:
    from classlens.faces.box import Box
    from classlens.services import Services

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # as a shell reports a command stopped by Ctrl-C (128 + SIGINT)


class UsageError(Exception):
    pass


def parse_mapping(items: Iterable[str], fields: tuple[str, ...],
                  what: str = "register") -> dict[str, str]:
    """`--map FIELD=HEADER` arguments to a dict, refusing unknown fields."""
    mapping: dict[str, str] = {}
    for item in items:
        name, sep, header = item.partition("=")
        name = name.strip()
        if not sep or not header.strip():
            raise UsageError(f"--map {item!r}: write it as FIELD=HEADER")
        if name not in fields:
            raise UsageError(
                f"--map {item!r}: {name!r} is not a {what} field; fields are: "
                + ", ".join(fields)
            )
        mapping[name] = header.strip()
    return mapping


def problem_lines(problems) -> list[str]:
    """File problems, one a line, each with its command-line hint if it has one."""
    lines = []
    for problem in problems:
        lines.append(f"  {problem}")
        if getattr(problem, "hint", ""):
            lines.append(f"    (on the command line: {problem.hint})")
    return lines


def file_refused(args, report) -> int:
    """An import that wrote nothing: the report (with --json), its problems on
    stderr, one a line, and the refusal's exit code."""
    emit(args, report.as_dict())
    if not args.json:
        print("\n".join([f"{args.file}: nothing was imported; fix these and import again:",
                         *problem_lines(report.errors)]), file=sys.stderr)
    return EXIT_REJECTED


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


MAX_WORKERS = 32  # (Windows allows at most 61 worker processes)


def count_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give a whole number from 1 to {MAX_WORKERS}")
    return value


def box_arg(text: str) -> Box:
    from classlens.faces.box import Box

    try:
        left, top, right, bottom = (int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: write the box as LEFT,TOP,RIGHT,BOTTOM "
                                         "in pixels of the original photo") from None
    if right <= left or bottom <= top:
        raise argparse.ArgumentTypeError(f"{text!r}: RIGHT must exceed LEFT, BOTTOM exceed TOP")
    return Box(left, top, right, bottom)


def command(parent, name, help_, acting=False, json_=False, aliases=()):
    """One subcommand; `acting` adds --as (who is doing this), `json_` adds --json."""
    sub = parent.add_parser(name, help=help_, description=help_, aliases=list(aliases))
    if acting:
        sub.add_argument("--as", dest="actor", metavar="USERNAME",
                         default=os.environ.get("CLASSLENS_USER"),
                         help="who is doing this (default: CLASSLENS_USER)")
    if json_:
        sub.add_argument("--json", action="store_true", help="print one JSON document")
    return sub


def open_services(args, sign_in: bool = True, create: bool = False) -> Services:
    """The register the command works on. Only `init` (create=True) makes a new
    one: any other command given a register file that does not exist (a
    forgotten or mistyped --db) is refused, not answered from an empty one."""
    from classlens.services import Services
    from classlens.storage import Database

    url = args.db or default_db_url()
    if not create and url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            raise ClassLensError(
                f"there is no register at {path}: give your school's with --db (or "
                "CLASSLENS_DB), or create one with `classlens init`")
    library = Path(args.library) if args.library else library_from_environment()
    services = Services(Database(url), library)
    if sign_in:
        authenticate(services, getattr(args, "actor", None))
    return services


def authenticate(services: Services, actor: str | None) -> None:
    """Whoever says --as must prove it with that user's password, every time."""
    if not actor or not services.users.users():
        return  # nobody claimed, or no school yet: the command refuses by itself
    prove_identity(services, actor, "CLASSLENS_PASSWORD", f"Password for {actor}: ")
    if services.signin.must_change_password(actor):
        print(f"classlens: note: {actor} still has the initial password an ICT leader gave; "
              f"choose your own with `classlens users passwd {actor} --as {actor}`",
              file=sys.stderr)


def prove_identity(services: Services, username: str, variable: str, prompt: str) -> None:
    """Check `username`'s password, from `variable` or typed at a terminal.

    An account without a password (made before passwords were required) proves
    nothing: whoever typed one would set it, so sign_in refuses it.
    """
    if not services.signin.needs_password(username):
        services.signin.sign_in(username,
                                None)  # raises: no such user, or locked without a password
    password = os.environ.get(variable)
    if password is None:
        if not sys.stdin.isatty():
            raise NotAllowed(f"acting as {username} needs {username}'s password: set "
                             f"{variable} (there is no terminal to ask for it)")
        password = getpass.getpass(prompt)
    services.signin.sign_in(username, password)


def new_password(prompt: str) -> str:
    """A new password from CLASSLENS_NEW_PASSWORD or, at a terminal, typed twice."""
    from classlens.services.signin import MIN_LENGTH, check_new_password

    new = os.environ.get("CLASSLENS_NEW_PASSWORD")
    if new is None:
        if not sys.stdin.isatty():
            raise UsageError("give the new password in CLASSLENS_NEW_PASSWORD")
        new = getpass.getpass(f"{prompt} (at least {MIN_LENGTH} characters): ")
        if getpass.getpass("Again: ") != new:
            raise UsageError("the two passwords differ")
    return check_new_password(new)


def emit(args, document, text: str | None = None) -> None:
    if getattr(args, "json", False):
        print(json.dumps(document, ensure_ascii=False, indent=2))
    elif text is not None:
        print(text)


def table(rows: Sequence[Sequence[str]]) -> str:
    """Columns lined up; every cell printable (free text such as a reason may hold
    a line break or a terminal escape, which could forge or hide lines)."""
    if not rows:
        return ""
    rows = [[printable(str(c)) for c in r] for r in rows]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in rows)


def printable(name: str) -> str:
    """A file name safe to print on a terminal: control characters (which could
    move the cursor or rewrite earlier lines) are shown escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)
