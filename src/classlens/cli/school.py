"""`classlens init`, `channels`, `policy` and `school`: the school and where it posts."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from classlens.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    UsageError,
    command,
    emit,
    new_password,
    open_services,
    table,
)
from classlens.errors import NeedsConfirmation
from classlens.policy.platforms import PLATFORMS
from classlens.policy.presets import DEFAULT_PRESET, PRESETS
from classlens.register.consent import CATEGORIES


def add_init_command(commands) -> None:
    init = command(commands, "init", "create the school database (safe to run twice)", json_=True)
    init.add_argument("--school", required=True, metavar="NAME")
    init.add_argument("--policy", choices=list(PRESETS), default=DEFAULT_PRESET)
    init.set_defaults(run=cmd_init)


def add_channel_commands(commands) -> argparse._SubParsersAction:
    """The `channels` group, returned: the followers' checklist joins it."""
    channels = commands.add_parser("channels", help="where posts go").add_subparsers(
        dest="channels_command", required=True, metavar="COMMAND")
    command(channels, "list", "list channels", json_=True).set_defaults(run=cmd_channels_list)
    cadd = command(channels, "add", "add a channel", acting=True)
    cadd.add_argument("name")
    cadd.add_argument("--category", required=True, choices=CATEGORIES)
    cadd.add_argument("--platform", required=True, choices=PLATFORMS)
    cadd.set_defaults(run=cmd_channels_add)
    return channels


def add_policy_commands(commands) -> None:
    policy = commands.add_parser("policy", help="the school's policy").add_subparsers(
        dest="policy_command", required=True, metavar="COMMAND")
    command(policy, "show", "show the policy settings", json_=True).set_defaults(
        run=cmd_policy_show)
    school_cmd = commands.add_parser("school", help="the school's settings").add_subparsers(
        dest="school_command", required=True, metavar="COMMAND")
    slib = command(school_cmd, "library", "keep the photo library in this (shared) folder",
                   acting=True)
    slib.add_argument("folder", type=Path)
    slib.set_defaults(run=cmd_school_library)
    pset = command(policy, "set", "change one policy setting for this school", acting=True)
    pset.add_argument("setting", metavar="NAME=VALUE",
                      help="VALUE is JSON: true, 0.45, \"pixelate\"")
    pset.add_argument("--yes", action="store_true",
                      help="confirm a change that deletes face templates (turning face "
                           "recognition off) without being asked")
    pset.set_defaults(run=cmd_policy_set)


def cmd_init(args) -> int:
    services = open_services(args, create=True)
    created = False
    if not services.users.users():
        created = services.settings.init_school(args.school, args.policy,
                                                new_password("Password for the user 'admin'"))
    school = services.school()
    message = (f"Created {school.name} with policy {school.policy}; user 'admin' (ict), with "
               "the password you gave, can now add staff." if created else
               f"{school.name} already exists (policy {school.policy}); nothing changed.")
    emit(args, {"created": created, "school": school.name, "policy": school.policy}, message)
    return EXIT_OK


def cmd_channels_list(args) -> int:
    channels = open_services(args).settings.channels()
    emit(args, [{"name": c.name, "category": c.category, "platform": c.platform}
                for c in channels],
         table([("CHANNEL", "CATEGORY", "PLATFORM")]
               + [(c.name, c.category, c.platform) for c in channels]))
    return EXIT_OK


def cmd_channels_add(args) -> int:
    open_services(args).settings.add_channel(args.actor, args.name, args.category, args.platform)
    print(f"Added channel {args.name} ({args.category} on {args.platform}).")
    return EXIT_OK


def cmd_policy_show(args) -> int:
    policy = open_services(args).policy()
    settings = policy.settings()
    emit(args, settings, table([(k, json.dumps(v, default=str)) for k, v in settings.items()]))
    return EXIT_OK


def cmd_school_library(args) -> int:
    services = open_services(args)
    services.settings.set_library(args.actor, args.folder)
    print(f"Photos are kept in {services.library_root} on every machine using this register.")
    return EXIT_OK


def cmd_policy_set(args) -> int:
    name, sep, raw = args.setting.partition("=")
    if not sep:
        raise UsageError("write the setting as NAME=VALUE")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw  # a bare word is a string
    services = open_services(args)
    try:
        services.settings.set_policy(args.actor, name.strip(), value, delete_templates=args.yes)
    except NeedsConfirmation as question:
        if not sys.stdin.isatty():
            raise
        if input(f"{question}\nDelete them? [y/N] ").strip().lower() not in ("y", "yes"):
            print("Nothing changed.")
            return EXIT_REJECTED
        services.settings.set_policy(args.actor, name.strip(), value, delete_templates=True)
    print(f"{name.strip()} = {json.dumps(value)}")
    return EXIT_OK
