"""`classlens gui` and `demo`: the desktop app and the demo school."""

from __future__ import annotations

from pathlib import Path

from classlens.cli.common import (
    EXIT_OK,
    command,
)
from classlens.cli.register import cmd_register_list
from classlens.paths import default_db_url, library_from_environment


def add_commands(commands) -> None:
    gui = command(commands, "gui", "start the desktop app")
    gui.add_argument("--demo", action="store_true", help="open the demo school")
    gui.add_argument("--user", metavar="USERNAME", help="sign in as this user")
    gui.add_argument("--exit-after", type=float, metavar="SECONDS",
                     help="close the window after this long (smoke tests)")
    gui.set_defaults(run=cmd_gui)

    demo = command(commands, "demo", "open (or rebuild) the demo school and show its register")
    demo.add_argument("--reset", action="store_true", help="rebuild the demo from scratch")
    demo.set_defaults(run=cmd_demo)


def cmd_gui(args) -> int:
    from classlens.gui.app import main as gui_main

    return gui_main(args.db or default_db_url(),
                    Path(args.library) if args.library else library_from_environment(),
                    args.demo, args.user, args.exit_after)


def cmd_demo(args) -> int:
    from classlens.demo import open_demo

    services = open_demo(reset=args.reset)
    print(f"ClassLens demo school: {services.school().name} "
          f"(policy {services.school().policy}); database {services.db.url}\n")
    args.class_name, args.actor, args.json = None, "admin", False
    args.db = services.db.url
    cmd_register_list(args)
    print(f"\nTry: classlens --db {services.db.url} audit --limit 10")
    return EXIT_OK
