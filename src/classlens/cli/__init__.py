"""The `classlens` command line: the same core services the desktop app uses.

Contract: global options before the command; exit 0 on success, 1 when the
input was rejected (nothing written), 2 on usage errors; `--json` prints
exactly one JSON document on stdout.

One module per command group (school, users, register, photos, posts,
takedowns, followers, maintenance, app); `common` holds what they share.

Start-up is kept short (a new process per command): the parser needs only
light modules, and each command imports the services, database and image
libraries it uses when it runs. A test checks that `--help` imports none.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from classlens import __version__
from classlens.cli import (
    app,
    followers,
    maintenance,
    photos,
    posts,
    register,
    school,
    takedowns,
    users,
)
from classlens.cli.common import EXIT_INTERRUPTED, EXIT_REJECTED, EXIT_USAGE, UsageError
from classlens.errors import ClassLensError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="classlens",
        description="Share school photos without publishing a child whose family said no.")
    parser.add_argument("--version", action="version", version=f"classlens {__version__}")
    parser.add_argument("--db", metavar="URL", default=None,
                        help="SQLAlchemy database URL (default: CLASSLENS_DB, else a SQLite "
                             "file in your data directory)")
    parser.add_argument("--library", metavar="DIR", default=None,
                        help="photo library directory (default: CLASSLENS_LIBRARY)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # In this order, which is the order `classlens --help` lists them in.
    school.add_init_command(commands)
    users.add_commands(commands)
    register.add_commands(commands)
    channels = school.add_channel_commands(commands)
    photos.add_commands(commands)
    posts.add_commands(commands)
    takedowns.add_commands(commands)
    followers.add_commands(commands, channels)
    posts.add_report_commands(commands)
    school.add_policy_commands(commands)
    maintenance.add_commands(commands)
    app.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        # Every command keeps what it finished and nothing half-done (one
        # transaction a photo, logs before files, restores all or nothing).
        print("classlens: stopped. What was finished is kept and nothing half-done is: "
              "run the same command again to finish.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except UsageError as error:
        parser.print_usage(sys.stderr)
        print(f"classlens: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ClassLensError as error:
        hint = getattr(error, "hint", None)
        if getattr(args, "json", False):
            print(json.dumps({"error": str(error), **({"hint": hint} if hint else {})}))
        print(f"classlens: {error}", file=sys.stderr)
        if hint:
            print(f"classlens: on the command line: {hint}", file=sys.stderr)
        return EXIT_REJECTED
