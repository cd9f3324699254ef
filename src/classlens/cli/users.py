"""`classlens users`: staff accounts and their passwords."""

from __future__ import annotations

from classlens.cli.common import (
    EXIT_OK,
    authenticate,
    command,
    emit,
    new_password,
    open_services,
    table,
)
from classlens.roles import ROLES


def add_commands(commands) -> None:
    users = commands.add_parser("users", help="staff who use ClassLens").add_subparsers(
        dest="users_command", required=True, metavar="COMMAND")
    add = command(users, "add", "add a user", acting=True)
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.set_defaults(run=cmd_users_add)
    command(users, "list", "list users", json_=True).set_defaults(run=cmd_users_list)
    passwd = command(users, "passwd", "set a password (yours, or anyone's as ICT leader: an "
                     "initial one they change at first sign-in)", True,
                     aliases=("set-password",))
    passwd.add_argument("name")
    passwd.set_defaults(run=cmd_users_passwd)
    uname = command(users, "name", "the name a user goes by, to recognise staff among "
                    "followers", acting=True)
    uname.add_argument("name")
    uname.add_argument("display_name", metavar="FULL_NAME")
    uname.set_defaults(run=cmd_users_name)


def cmd_users_add(args) -> int:
    from classlens.services.access import MANAGE_USERS

    services = open_services(args)
    services.signin.require_role(args.actor, MANAGE_USERS)  # before asking for a password
    services.users.add_user(args.actor, args.name, args.role,
                            new_password(f"Initial password for {args.name}"))
    print(f"Added {args.name} ({args.role}) with an initial password; the app asks them to "
          "choose their own at first sign-in.")
    return EXIT_OK


def cmd_users_passwd(args) -> int:
    services = open_services(args, sign_in=False)
    if (args.actor and args.actor == args.name and services.users.users()
            and not services.signin.needs_password(args.name)):
        # An older register where this ICT account has no password: the core
        # allows it only while no ICT account has one.
        services.signin.set_first_ict_password(args.name, new_password(f"Password for {args.name}"))
        print(f"Password set for {args.name}.")
        return EXIT_OK
    authenticate(services, args.actor)
    services.signin.set_password(args.actor, args.name,
                                 new_password(f"New password for {args.name}"))
    initial = args.actor != args.name
    print(f"Password set for {args.name}" + (
        "; it is an initial password: the app asks them to choose their own at first "
        "sign-in." if initial else "."))
    return EXIT_OK


def cmd_users_list(args) -> int:
    users = open_services(args).users.users()
    emit(args, [{"username": u.username, "role": u.role} for u in users],
         table([("USER", "ROLE")] + [(u.username, u.role) for u in users]))
    return EXIT_OK


def cmd_users_name(args) -> int:
    open_services(args).contacts.set_display_name(args.actor, args.name, args.display_name)
    print(f"{args.name} goes by {' '.join(args.display_name.split())}.")
    return EXIT_OK
