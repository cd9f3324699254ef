"""The `classlens` command line: the same core services the desktop app uses.

Contract: global options before the command; exit 0 on success, 1 when the
input was rejected (nothing written), 2 on usage errors; `--json` prints
exactly one JSON document on stdout.

Start-up is kept short (a new process per command): the parser needs only
light modules, and each command imports the services, database and image
libraries it uses when it runs. A test checks that `--help` imports none.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import signal
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from classlens import __version__
from classlens.errors import ClassLensError, NeedsConfirmation, NotAllowed
from classlens.paths import default_db_url, library_from_environment
from classlens.policy.platforms import PLATFORMS
from classlens.policy.presets import DEFAULT_PRESET, PRESETS
from classlens.register.consent import ALL_CATEGORIES, CATEGORIES, state_label
from classlens.register.csv_import import FIELDS, MappingError, parse_mapping
from classlens.roles import ROLES

if TYPE_CHECKING:
    from classlens.faces.box import Box
    from classlens.services import Services

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


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

    def command(parent, name, help_, acting=False, json_=False, aliases=()):
        sub = parent.add_parser(name, help=help_, description=help_, aliases=list(aliases))
        if acting:
            sub.add_argument("--as", dest="actor", metavar="USERNAME",
                             default=os.environ.get("CLASSLENS_USER"),
                             help="who is doing this (default: CLASSLENS_USER)")
        if json_:
            sub.add_argument("--json", action="store_true", help="print one JSON document")
        return sub

    init = command(commands, "init", "create the school database (safe to run twice)", json_=True)
    init.add_argument("--school", required=True, metavar="NAME")
    init.add_argument("--policy", choices=list(PRESETS), default=DEFAULT_PRESET)
    init.set_defaults(run=cmd_init)

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

    register = commands.add_parser("register", help="the consent register").add_subparsers(
        dest="register_command", required=True, metavar="COMMAND")
    imp = command(register, "import", "import pupils and consents from CSV", True, True)
    imp.add_argument("file", type=Path)
    imp.add_argument("--map", action="append", default=[], metavar="FIELD=HEADER",
                     help=f"use the school's heading for one of our fields: {', '.join(FIELDS)}")
    imp.add_argument("--mark-missing-left", action="store_true",
                     help="mark pupils who are not in the file as off roll")
    imp.add_argument("--dry-run", action="store_true", help="report, but write nothing")
    imp.add_argument("--accept-grants", action="store_true",
                     help="also apply the grants this file would give where ClassLens holds a "
                          "refusal or a consent recorded since the last import (listed as "
                          "held otherwise)")
    imp.set_defaults(run=cmd_register_import)
    lst = command(register, "list", "list pupils with their consent today", True, True)
    lst.add_argument("--class", dest="class_name", metavar="NAME")
    lst.set_defaults(run=cmd_register_list)
    exp = command(register, "export", "export the register as CSV", acting=True)
    exp.add_argument("file", type=Path)
    exp.set_defaults(run=cmd_register_export)
    never = command(register, "never-publish", "flag a pupil who must never be published", True)
    never.add_argument("pupil_id")
    group = never.add_mutually_exclusive_group(required=True)
    group.add_argument("--reason", help="why (visible to ICT and SLT only)")
    group.add_argument("--clear", action="store_true", help="remove the flag")
    never.set_defaults(run=cmd_register_never_publish)
    command(register, "takedowns", "open takedowns: published posts whose consent has gone",
            json_=True).set_defaults(run=cmd_register_takedowns)
    enrol = command(register, "enrol", "enrol reference photos of a pupil with biometric "
                    "consent", True, True)
    enrol.add_argument("pupil_id")
    enrol.add_argument("photos", nargs="+", metavar="PHOTO")
    enrol.set_defaults(run=cmd_register_enrol)

    consent = commands.add_parser("consent", help="record consent").add_subparsers(
        dest="consent_command", required=True, metavar="COMMAND")
    cset = command(consent, "set", "record one consent decision", acting=True)
    cset.add_argument("pupil_id")
    cset.add_argument("--category", required=True, choices=ALL_CATEGORIES)
    cset.add_argument("--status", required=True, choices=("granted", "refused"))
    cset.add_argument("--by", choices=("parent", "pupil"), default="parent")
    cset.add_argument("--expires", type=iso_date, metavar="YYYY-MM-DD")
    cset.add_argument("--evidence", metavar="TEXT", help="form scan, e-mail reference...")
    cset.set_defaults(run=cmd_consent_set)

    channels = commands.add_parser("channels", help="where posts go").add_subparsers(
        dest="channels_command", required=True, metavar="COMMAND")
    command(channels, "list", "list channels", json_=True).set_defaults(run=cmd_channels_list)
    cadd = command(channels, "add", "add a channel", acting=True)
    cadd.add_argument("name")
    cadd.add_argument("--category", required=True, choices=CATEGORIES)
    cadd.add_argument("--platform", required=True, choices=PLATFORMS)
    cadd.set_defaults(run=cmd_channels_add)

    photos = commands.add_parser("photos", help="photos and their faces").add_subparsers(
        dest="photos_command", required=True, metavar="COMMAND")
    pimp = command(photos, "import", "import photos (files or folders), find and match faces",
                   True, True)
    pimp.add_argument("paths", nargs="+", metavar="PATH")
    pimp.add_argument("--class", dest="class_name", required=True, metavar="NAME")
    pimp.add_argument("--workers", type=int, default=None, help="processes (default: cores)")
    pimp.set_defaults(run=cmd_photos_import)
    pexp = command(photos, "export", "export photos for a channel (one process for a batch)",
                   True, True)
    pexp.add_argument("photo_id", type=int, nargs="+", metavar="PHOTO_ID")
    pexp.add_argument("--channel", required=True)
    pexp.add_argument("--out", required=True, type=Path, metavar="DIR")
    pexp.set_defaults(run=cmd_photos_export)
    pfaces = command(photos, "faces", "the faces of a photo, with decisions per channel",
                     json_=True)
    pfaces.add_argument("photo_id", type=int)
    pfaces.set_defaults(run=cmd_photos_faces)
    review = command(photos, "review", "decide about one face by hand (audited)", True)
    review.add_argument("photo_id", type=int)
    review.add_argument("--face", type=int, required=True, metavar="FACE_ID")
    action = review.add_mutually_exclusive_group(required=True)
    action.add_argument("--pupil", metavar="PUPIL_ID", help="name the pupil (no biometrics)")
    action.add_argument("--blur", action="store_true", help="always blur this face")
    action.add_argument("--not-a-face", action="store_true", help="a false detection")
    action.add_argument("--reset", action="store_true",
                        help="undo earlier reviews: back to what recognition found")
    action.add_argument("--correct", action="store_true",
                        help="recognition named the wrong pupil (needs --confirmed-by)")
    review.add_argument("--reason", required=True)
    review.add_argument("--confirmed-by", metavar="USERNAME",
                        help="the SLT member (not you) who confirms correcting a recognition; "
                             "their password from CLASSLENS_CONFIRM_PASSWORD or a prompt")
    review.set_defaults(run=cmd_photos_review)
    pwithdraw = command(photos, "withdrawn", "record that a single exported photo was taken "
                        "down", True, True)
    pwithdraw.add_argument("file", metavar="FILE_NAME", help="the exported file's name")
    pwithdraw.set_defaults(run=cmd_photos_withdrawn)
    addblur = command(photos, "add-blur", "blur a region the detector missed", True, True)
    addblur.add_argument("photo_id", type=int)
    addblur.add_argument("--box", required=True, type=box_arg, metavar="LEFT,TOP,RIGHT,BOTTOM")
    addblur.add_argument("--reason", required=True)
    addblur.set_defaults(run=cmd_photos_add_blur)

    posts = commands.add_parser("posts", help="captioned posts and their approval").add_subparsers(
        dest="posts_command", required=True, metavar="COMMAND")
    stage = command(posts, "stage", "stage a draft post and check it against the policy",
                    True, True)
    stage.add_argument("--class", dest="class_name", required=True, metavar="NAME")
    stage.add_argument("--channel", required=True)
    stage.add_argument("--caption", required=True, metavar="TEXT")
    stage.add_argument("--photo", dest="photos", type=int, action="append", default=[],
                       metavar="PHOTO_ID")
    stage.add_argument("--alt", dest="alts", action="append", default=[], metavar="TEXT",
                       help="alt text, one per --photo in the same order")
    stage.add_argument("--ack", dest="acks", action="append", default=[], metavar="RULE_ID",
                       help="acknowledge a warning")
    stage.add_argument("--kind", choices=("general", "event"), default="general",
                       help="an event post (sports day, a trip) does not count towards the "
                            "weekly quota")
    stage.set_defaults(run=cmd_posts_stage)
    edit = command(posts, "edit", "change a post (it goes back to draft)", True, True)
    edit.add_argument("post_id", type=int)
    edit.add_argument("--caption", metavar="TEXT")
    edit.add_argument("--photo", dest="photos", type=int, action="append", metavar="PHOTO_ID")
    edit.add_argument("--alt", dest="alts", action="append", metavar="TEXT")
    edit.add_argument("--ack", dest="acks", action="append", metavar="RULE_ID")
    edit.add_argument("--kind", choices=("general", "event"))
    edit.set_defaults(run=cmd_posts_edit)
    for name, help_ in (("submit", "submit a draft for approval"),
                        ("approve", "approve a submitted post (slt, not the author)")):
        sub = command(posts, name, help_, True, True)
        sub.add_argument("post_id", type=int)
        sub.set_defaults(run=cmd_posts_transition, transition=name)
    reject = command(posts, "reject", "reject a submitted post with a reason", True, True)
    reject.add_argument("post_id", type=int)
    reject.add_argument("--reason", required=True)
    reject.set_defaults(run=cmd_posts_transition, transition="reject")
    pexport = command(posts, "export", "write an approved post's folder", True, True)
    pexport.add_argument("post_id", type=int)
    pexport.add_argument("--out", required=True, type=Path, metavar="DIR")
    pexport.set_defaults(run=cmd_posts_export)
    published = command(posts, "published", "record the link of the published post", True, True)
    published.add_argument("post_id", type=int)
    published.add_argument("--url", required=True)
    published.set_defaults(run=cmd_posts_transition, transition="published")
    withdraw = command(posts, "withdraw", "record that a post was taken down", True, True)
    withdraw.add_argument("post_id", type=int)
    withdraw.add_argument("--reason", default="")
    withdraw.set_defaults(run=cmd_posts_transition, transition="withdraw")
    plist = command(posts, "list", "list posts, newest first", json_=True)
    plist.add_argument("--status", choices=("draft", "submitted", "approved", "rejected",
                                            "exported", "published", "withdrawn"))
    plist.set_defaults(run=cmd_posts_list)
    pshow = command(posts, "show", "one post with its rule results", json_=True)
    pshow.add_argument("post_id", type=int)
    pshow.set_defaults(run=cmd_posts_show)

    takedown = command(commands, "takedown", "every live post showing a pupil; or record a "
                       "parent's removal request", True, True)
    takedown.usage = ("classlens takedown PUPIL_ID [--json]\n"
                      "       classlens takedown request (--post ID | --pupil PUPIL_ID) "
                      "--from TEXT --as USERNAME\n"
                      "       classlens takedown requests [--all] [--json]\n"
                      "       classlens takedown done REQUEST_ID --note TEXT --as USERNAME")
    takedown.add_argument("pupil_id", metavar="PUPIL_ID|request|requests|done")
    takedown.add_argument("request_id", nargs="?", type=int, help=argparse.SUPPRESS)
    _add_removal_arguments(takedown)
    takedown.set_defaults(run=cmd_takedown)
    _add_followers_commands(commands, command, channels)
    report = commands.add_parser("report", help="reports").add_subparsers(
        dest="report_command", required=True, metavar="COMMAND")
    weekly = command(report, "weekly", "posts per class this week against the policy quota",
                     json_=True)
    weekly.add_argument("--week", metavar="YYYY-Www")
    weekly.set_defaults(run=cmd_report_weekly)

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

    audit = command(commands, "audit", "the audit log, newest first", True, True)
    audit.add_argument("--limit", type=int, default=None)
    audit.set_defaults(run=cmd_audit)
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="COMMAND")
    command(audit_commands, "verify", "check the audit log's hash chain: exit 0 when intact, "
            "1 naming the first entry that does not match", json_=True
            ).set_defaults(run=cmd_audit_verify)

    backup = command(commands, "backup", "back up the register and the photo library", True,
                     True)
    backup.add_argument("file", type=Path)
    backup.set_defaults(run=cmd_backup)
    restore = command(commands, "restore", "replace everything with a backup", True, True)
    restore.add_argument("file", type=Path)
    restore.add_argument("--yes", action="store_true",
                         help="do not ask for confirmation (scripts); without it and without "
                              "a terminal to ask, restore refuses")
    restore.set_defaults(run=cmd_restore)

    command(commands, "selftest", "check this installation: demo school, face detection, blur",
            json_=True).set_defaults(run=cmd_selftest)

    gui = command(commands, "gui", "start the desktop app")
    gui.add_argument("--demo", action="store_true", help="open the demo school")
    gui.add_argument("--user", metavar="USERNAME", help="sign in as this user")
    gui.add_argument("--exit-after", type=float, metavar="SECONDS",
                     help="close the window after this long (smoke tests)")
    gui.set_defaults(run=cmd_gui)

    demo = command(commands, "demo", "open (or rebuild) the demo school and show its register")
    demo.add_argument("--reset", action="store_true", help="rebuild the demo from scratch")
    demo.set_defaults(run=cmd_demo)
    return parser


def open_services(args, sign_in: bool = True) -> Services:
    from classlens.services import Services
    from classlens.storage import Database

    library = Path(args.library) if args.library else library_from_environment()
    services = Services(Database(args.db or default_db_url()), library)
    if sign_in:
        authenticate(services, getattr(args, "actor", None))
    return services


def authenticate(services: Services, actor: str | None) -> None:
    """Whoever says --as must prove it with that user's password, every time."""
    if not actor or not services.users():
        return  # nobody claimed, or no school yet: the command refuses by itself
    prove_identity(services, actor, "CLASSLENS_PASSWORD", f"Password for {actor}: ")
    if services.must_change_password(actor):
        print(f"classlens: note: {actor} still has the initial password an ICT leader gave; "
              f"choose your own with `classlens users passwd {actor} --as {actor}`",
              file=sys.stderr)


def prove_identity(services: Services, username: str, variable: str, prompt: str) -> None:
    """Check `username`'s password, from `variable` or typed at a terminal.

    An account without a password (made before passwords were required) proves
    nothing: whoever typed one would set it, so sign_in refuses it.
    """
    if not services.needs_password(username):
        services.sign_in(username, None)  # raises: no such user, or locked without a password
    password = os.environ.get(variable)
    if password is None:
        if not sys.stdin.isatty():
            raise NotAllowed(f"acting as {username} needs {username}'s password: set "
                             f"{variable} (there is no terminal to ask for it)")
        password = getpass.getpass(prompt)
    services.sign_in(username, password)


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
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


# -- commands -------------------------------------------------------------------


def cmd_init(args) -> int:
    services = open_services(args)
    created = False
    if not services.users():
        created = services.init_school(args.school, args.policy,
                                       new_password("Password for the user 'admin'"))
    school = services.school()
    message = (f"Created {school.name} with policy {school.policy}; user 'admin' (ict), with "
               "the password you gave, can now add staff." if created else
               f"{school.name} already exists (policy {school.policy}); nothing changed.")
    emit(args, {"created": created, "school": school.name, "policy": school.policy}, message)
    return EXIT_OK


def cmd_users_add(args) -> int:
    from classlens.services.base import MANAGE_USERS

    services = open_services(args)
    services.require_role(args.actor, MANAGE_USERS)  # before asking for a password
    services.add_user(args.actor, args.name, args.role,
                      new_password(f"Initial password for {args.name}"))
    print(f"Added {args.name} ({args.role}) with an initial password; the app asks them to "
          "choose their own at first sign-in.")
    return EXIT_OK


def cmd_users_passwd(args) -> int:
    services = open_services(args, sign_in=False)
    if (args.actor and args.actor == args.name and services.users()
            and not services.needs_password(args.name)):
        # An older register where this ICT account has no password: the core
        # allows it only while no ICT account has one.
        services.set_first_ict_password(args.name, new_password(f"Password for {args.name}"))
        print(f"Password set for {args.name}.")
        return EXIT_OK
    authenticate(services, args.actor)
    services.set_password(args.actor, args.name, new_password(f"New password for {args.name}"))
    initial = args.actor != args.name
    print(f"Password set for {args.name}" + (
        "; it is an initial password: the app asks them to choose their own at first "
        "sign-in." if initial else "."))
    return EXIT_OK


def cmd_users_list(args) -> int:
    users = open_services(args).users()
    emit(args, [{"username": u.username, "role": u.role} for u in users],
         table([("USER", "ROLE")] + [(u.username, u.role) for u in users]))
    return EXIT_OK


def cmd_register_import(args) -> int:
    try:
        mapping = parse_mapping(args.map)
    except MappingError as error:
        raise UsageError(str(error)) from None
    report = open_services(args).import_register(
        args.actor, args.file, mapping, args.mark_missing_left, args.dry_run,
        accept_grants=args.accept_grants)
    if report.errors:
        lines = [f"{args.file}: nothing was imported; fix these and import again:"]
        lines += [f"  {problem}" for problem in report.errors]
        emit(args, report.as_dict())
        if not args.json:
            print("\n".join(lines), file=sys.stderr)
        return EXIT_REJECTED
    verb = "Would import" if args.dry_run else "Imported"
    lines = [f"{verb} {args.file}: {report.created} created, {report.updated} updated, "
             f"{report.unchanged} unchanged, {report.left} marked as left."]
    lines += [f"  {c.pupil_id}: {c.field}: {c.old or '-'} -> {c.new or '-'}"
              for c in report.changes]
    if report.held:
        lines.append(f"Held back {len(report.held)} change(s) that would give consent where "
                     "ClassLens holds a refusal or a decision recorded since the last import "
                     "(check them, then import again with --accept-grants to apply them):")
        lines += [f"  {h.pupil_id}: {h.category}: {h.old} -> {h.new} ({h.why})"
                  for h in report.held]
    emit(args, report.as_dict(), "\n".join(lines))
    return EXIT_OK


def cmd_register_list(args) -> int:
    pupils = open_services(args).list_pupils(args.class_name, viewer=args.actor)
    rows = [("PUPIL", "NAME", "CLASS", *(c.upper() for c in ALL_CATEGORIES))]
    for p in pupils:
        name = f"{p.preferred_name or p.given_name} {p.family_name}"
        flags = ("" if p.on_roll else " [left]") + (" [NEVER PUBLISH]" if p.never_publish else "")
        rows.append((p.pupil_id, name + flags, p.class_name or "",
                     *(state_label(p.consent[c]) for c in ALL_CATEGORIES)))
    emit(args, [p.as_dict() for p in pupils], table(rows))
    return EXIT_OK


def cmd_register_export(args) -> int:
    count = open_services(args).export_register(args.actor, args.file)
    print(f"Exported {count} pupils to {args.file}.")
    return EXIT_OK


def cmd_register_never_publish(args) -> int:
    open_services(args).set_never_publish(args.actor, args.pupil_id, not args.clear, args.reason)
    print(f"{args.pupil_id}: never publish {'removed' if args.clear else 'set'}.")
    return EXIT_OK


def cmd_consent_set(args) -> int:
    services = open_services(args)
    services.set_consent(args.actor, args.pupil_id, args.category, args.status, args.by,
                         args.expires, args.evidence)
    view = services.pupil(args.pupil_id)
    print(f"{args.pupil_id}: {args.category} is now {view.as_dict()['consent'][args.category]} "
          f"({view.consent[args.category].message}).")
    return EXIT_OK


def cmd_register_enrol(args) -> int:
    report = open_services(args).enrol(args.actor, args.pupil_id, args.photos)
    lines = [f"Enrolled {report.enrolled} reference photo(s) for {args.pupil_id}."]
    lines += [f"  {printable(e['file'])}: {e['message']}" for e in report.errors]
    lines += [f"  {printable(n['file'])}: {n['message']}" for n in report.notes]
    emit(args, report.as_dict(), "\n".join(lines))
    return EXIT_OK if report.enrolled or not report.errors else EXIT_REJECTED


def printable(name: str) -> str:
    """A file name safe to print on a terminal: control characters (which could
    move the cursor or rewrite earlier lines) are shown escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)


def cmd_photos_import(args) -> int:
    from classlens.tasks import TaskState

    services = open_services(args)
    state = TaskState(None if args.json else _print_progress)
    results = services.import_photos(args.actor, args.paths, args.class_name, state,
                                     args.workers)
    lines = []
    for r in results:
        if r.error:
            lines.append(f"  {printable(r.file)}: NOT IMPORTED: {printable(r.error)}")
        else:
            known = sum(1 for f in r.faces if f["pupil_id"])
            again = " (already imported)" if r.duplicate else ""
            lines.append(f"  {printable(r.file)}: photo {r.id}{again}"
                         f", {len(r.faces)} face(s), {known} recognised")
    ok = sum(1 for r in results if not r.error)
    emit(args, [r.as_dict() for r in results],
         f"Imported {ok} of {len(results)} file(s) into {args.class_name}:\n" + "\n".join(lines))
    return EXIT_OK if ok or not results else EXIT_REJECTED


def _print_progress(done: int, total: int, current: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{done}/{total} {printable(Path(current).name)[:40]:40}", end="",
              file=sys.stderr, flush=True)
        if done == total:
            print(file=sys.stderr)


def cmd_photos_export(args) -> int:
    """One photo, or many in one process (JSON: a list, in the order given, with
    each photo's id, and an error instead of a path for a photo that was refused)."""
    services = open_services(args)
    if len(args.photo_id) == 1:
        result = services.export_photo(args.actor, args.photo_id[0], args.channel, args.out)
        shown = sum(f["shown"] for f in result.faces)
        emit(args, result.as_dict(), f"Wrote {result.path}: {shown} face(s) shown, "
             f"{len(result.faces) - shown} blurred.")
        return EXIT_OK
    # Each photo is its own transaction, as for one; the pixels are made on
    # every core beforehand (services.export_photos).
    documents, lines, refused = [], [], 0
    photo_ids = list(dict.fromkeys(args.photo_id))  # each once, in the order given
    exported = services.export_photos(args.actor, photo_ids, args.channel, args.out)
    for photo_id in photo_ids:
        result = exported[photo_id]
        if isinstance(result, ClassLensError):
            error = result
            refused += 1
            documents.append({"photo_id": photo_id, "error": str(error)})
            lines.append(f"  photo {photo_id}: NOT EXPORTED: {error}")
            continue
        shown = sum(f["shown"] for f in result.faces)
        documents.append({"photo_id": photo_id, **result.as_dict()})
        lines.append(f"  photo {photo_id}: {result.path}: {shown} face(s) shown, "
                     f"{len(result.faces) - shown} blurred")
    emit(args, documents, f"Exported {len(documents) - refused} of {len(documents)} photo(s) "
         f"for {args.channel}:\n" + "\n".join(lines))
    return EXIT_REJECTED if refused else EXIT_OK


def cmd_photos_faces(args) -> int:
    faces = open_services(args).faces(args.photo_id)
    rows = [("FACE", "BOX", "PUPIL", "CHANNEL", "SHOWN", "WHY")]
    for f in faces:
        for channel, decision in f.decisions.items():
            rows.append((str(f.id), ",".join(map(str, f.box.as_list())), f.pupil_id or "-",
                         channel, "yes" if decision.shown else "blurred", decision.reason))
    emit(args, [f.as_dict() for f in faces], table(rows))
    return EXIT_OK


def cmd_photos_review(args) -> int:
    action = ("pupil" if args.pupil else "blur" if args.blur
              else "not-a-face" if args.not_a_face else "correct" if args.correct
              else "reset")
    services = open_services(args)
    if args.confirmed_by:
        prove_identity(services, args.confirmed_by, "CLASSLENS_CONFIRM_PASSWORD",
                       f"Password for {args.confirmed_by} (confirming): ")
    services.review_face(args.actor, args.photo_id, args.face, action, args.reason,
                         args.pupil, args.confirmed_by)
    confirmed = f" (confirmed by {args.confirmed_by})" if args.confirmed_by else ""
    print(f"Photo {args.photo_id}, face {args.face}: {action} recorded{confirmed}.")
    return EXIT_OK


def cmd_photos_withdrawn(args) -> int:
    count = open_services(args).withdraw_photo_export(args.actor, args.file)
    emit(args, {"file": args.file, "withdrawn": count},
         f"{args.file}: recorded as taken down; its takedowns are closed.")
    return EXIT_OK


def cmd_photos_add_blur(args) -> int:
    face_id = open_services(args).add_blur(args.actor, args.photo_id, args.box, args.reason)
    emit(args, {"face_id": face_id}, f"Photo {args.photo_id}: blur region {face_id} added.")
    return EXIT_OK


def _post_text(view) -> str:
    lines = [f"Post {view.id} ({view.status}) for {view.channel}, class {view.class_name}, "
             f"by {view.author}" + (f", approved by {view.approver}" if view.approver else "")]
    if view.rejection_reason:
        lines.append(f"  rejected: {view.rejection_reason}")
    for p in view.problems:
        acked = " (acknowledged)" if p.rule in view.acknowledged else ""
        lines.append(f"  {p.severity.upper()} [{p.rule}]{acked}: {p.message}")
    return "\n".join(lines)


def cmd_posts_stage(args) -> int:
    view = open_services(args).stage(args.actor, args.class_name, args.channel, args.caption,
                                     args.photos, args.alts, args.acks, args.kind)
    emit(args, {"id": view.id, "status": view.status,
                "problems": [p.as_dict() for p in view.problems]}, _post_text(view))
    return EXIT_OK


def cmd_posts_edit(args) -> int:
    view = open_services(args).edit(args.actor, args.post_id, args.caption, args.photos,
                                    args.alts, args.acks, args.kind)
    emit(args, view.as_dict(), _post_text(view))
    return EXIT_OK


def cmd_posts_transition(args) -> int:
    services = open_services(args)
    if args.transition == "submit":
        view = services.submit(args.actor, args.post_id)
    elif args.transition == "approve":
        view = services.approve(args.actor, args.post_id)
    elif args.transition == "reject":
        view = services.reject(args.actor, args.post_id, args.reason)
    elif args.transition == "published":
        view = services.mark_published(args.actor, args.post_id, args.url)
    else:
        view = services.withdraw_post(args.actor, args.post_id, args.reason)
    emit(args, view.as_dict(), _post_text(view))
    return EXIT_OK


def cmd_posts_export(args) -> int:
    result = open_services(args).export_post(args.actor, args.post_id, args.out)
    emit(args, result, f"Wrote {result['folder']}: {', '.join(result['files'])}")
    return EXIT_OK


def cmd_posts_list(args) -> int:
    views = open_services(args).posts(args.status)
    rows = [("POST", "STATUS", "CLASS", "CHANNEL", "AUTHOR", "APPROVER", "CAPTION")]
    rows += [(str(v.id), v.status, v.class_name, v.channel, v.author, v.approver or "",
              v.caption[:40]) for v in views]
    emit(args, [v.as_dict() for v in views], table(rows))
    return EXIT_OK


def cmd_posts_show(args) -> int:
    view = open_services(args).post(args.post_id)
    emit(args, view.as_dict(), _post_text(view) + f"\n  caption: {view.caption}")
    return EXIT_OK


def cmd_takedown(args) -> int:
    if args.pupil_id in ("request", "requests", "done"):
        return cmd_takedown_requests(args)
    if args.post is not None or args.pupil is not None or args.requested_by is not None:
        raise UsageError("--post, --pupil and --from go with `takedown request`")
    entries = open_services(args).takedown(args.pupil_id, args.actor or "system")
    rows = [("POST", "CHANNEL", "EXPORTED", "LINK", "TAKE DOWN")]
    rows += [(_what(e), e["channel"], e["exported_at"][:16], e["url"] or e["file"] or "-",
              e["reason"] or "") for e in entries]
    emit(args, entries, table(rows) if entries else f"No live post shows {args.pupil_id}.")
    return EXIT_OK


def _what(entry: dict) -> str:
    """A post by its number; a single exported photo as "photo N"."""
    return str(entry["post_id"]) if entry["post_id"] is not None else f"photo {entry['photo_id']}"


def cmd_register_takedowns(args) -> int:
    entries = open_services(args).open_takedowns()
    rows = [("POST", "PUPIL", "CHANNEL", "LINK", "WHY")]
    rows += [(_what(e), e["pupil_id"], e["channel"], e["url"] or e["file"] or "-",
              e["reason"]) for e in entries]
    emit(args, entries, table(rows) if entries else "No open takedowns.")
    return EXIT_OK


def cmd_report_weekly(args) -> int:
    report = open_services(args).weekly_report(args.week)
    rows = [("CLASS", "POSTS", "STATUS", "EVENTS")] + [
        (c["class"], str(c["posts"]), c["status"], str(c.get("events", 0)))
        for c in report["classes"]]
    emit(args, report, f"Week {report['week']} ({report['from']} to {report['to']}), quota "
         f"{report['min']} to {report['max']} posts per class:\n" + table(rows))
    return EXIT_OK


def cmd_channels_list(args) -> int:
    channels = open_services(args).channels()
    emit(args, [{"name": c.name, "category": c.category, "platform": c.platform}
                for c in channels],
         table([("CHANNEL", "CATEGORY", "PLATFORM")]
               + [(c.name, c.category, c.platform) for c in channels]))
    return EXIT_OK


def cmd_channels_add(args) -> int:
    open_services(args).add_channel(args.actor, args.name, args.category, args.platform)
    print(f"Added channel {args.name} ({args.category} on {args.platform}).")
    return EXIT_OK


def cmd_policy_show(args) -> int:
    policy = open_services(args).policy()
    settings = policy.settings()
    emit(args, settings, table([(k, json.dumps(v, default=str)) for k, v in settings.items()]))
    return EXIT_OK


def cmd_school_library(args) -> int:
    services = open_services(args)
    services.set_library(args.actor, args.folder)
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
        services.set_policy(args.actor, name.strip(), value, delete_templates=args.yes)
    except NeedsConfirmation as question:
        if not sys.stdin.isatty():
            raise
        if input(f"{question}\nDelete them? [y/N] ").strip().lower() not in ("y", "yes"):
            print("Nothing changed.")
            return EXIT_REJECTED
        services.set_policy(args.actor, name.strip(), value, delete_templates=True)
    print(f"{name.strip()} = {json.dumps(value)}")
    return EXIT_OK


def cmd_audit(args) -> int:
    entries = open_services(args).audit(viewer=args.actor, limit=args.limit)
    rows = [("WHEN", "WHO", "WHAT", "SUBJECT", "FIELD", "OLD", "NEW")]
    rows += [(e["at"][:19], e["actor"], e["action"], e["subject"], e["field"] or "",
              e["old"] or "", e["new"] or "") for e in entries]
    emit(args, entries, table(rows))
    return EXIT_OK


def cmd_audit_verify(args) -> int:
    report = open_services(args).verify_audit()
    if report.intact:
        text = f"The audit log is intact: {report.entries} entries, each chained to the last."
    else:
        text = (f"THE AUDIT LOG HAS BEEN TAMPERED WITH: entry {report.first_bad_id} does not "
                f"match: {report.problem}. Entries from there on cannot be trusted; keep this "
                "database as it is and restore the register from a backup you trust.")
    emit(args, report.as_dict(), text)
    return EXIT_OK if report.intact else EXIT_REJECTED


def _clean_up_when_terminated() -> None:
    """SIGTERM (a shutdown, a stopped service) unwinds like an error, so a backup
    or restore removes its temporary files; only kill -9 cannot be caught."""
    def terminate(_signal, _frame):
        raise SystemExit(128 + signal.SIGTERM)

    signal.signal(signal.SIGTERM, terminate)


def cmd_backup(args) -> int:
    _clean_up_when_terminated()
    manifest = open_services(args).backup(args.actor, args.file)
    manifest.pop("members")  # every member's hash: in the backup, too long to print
    emit(args, manifest, f"Backed up {sum(manifest['rows'].values())} rows and "
         f"{manifest['files']} library files to {args.file}.")
    return EXIT_OK


def cmd_restore(args) -> int:
    _clean_up_when_terminated()
    services = open_services(args)
    if not args.yes:
        if not sys.stdin.isatty():
            raise ClassLensError("restore replaces the whole register and there is no terminal "
                                 "to ask for confirmation: nothing was changed. Run it again "
                                 "with --yes to confirm.")
        manifest = services.check_backup(args.file)
        answer = input(
            f"This replaces the whole register ({services.school().name}) with the backup "
            f"made {manifest['created_at']} ({sum(manifest['rows'].values())} rows, "
            f"{manifest['files']} library files). A safety copy of the register as it is "
            "now is kept first. Type yes to restore: ")
        if answer.strip().lower() != "yes":
            print("Nothing was changed.", file=sys.stderr)
            return EXIT_REJECTED
    manifest = services.restore(args.actor, args.file)
    manifest.pop("members")
    emit(args, manifest, f"Restored the backup of {manifest['created_at']}.\nThe register "
         f"as it was before is kept in {manifest['safety_copy']} (restore that file to undo).")
    return EXIT_OK


def cmd_selftest(args) -> int:
    from classlens.selftest import run_selftest

    try:
        passed = run_selftest()
    except AssertionError as error:
        emit(args, {"passed": False, "error": str(error)}, f"self-test FAILED: {error}")
        return EXIT_REJECTED
    emit(args, {"passed": True, "checks": passed},
         "\n".join(f"ok  {check}" for check in passed) + "\nself-test passed")
    return EXIT_OK


def _add_removal_arguments(parser) -> None:
    parser.add_argument("--post", type=int, metavar="ID", help="request: the post to remove")
    parser.add_argument("--pupil", metavar="PUPIL_ID",
                        help="request: remove every post showing this pupil")
    parser.add_argument("--from", dest="requested_by", metavar="TEXT",
                        help="request: who asked, and how (\"Mrs Davies, by phone\")")
    parser.add_argument("--note", metavar="TEXT", help="done: what was done")
    parser.add_argument("--all", action="store_true", help="requests: closed ones too")


def _add_followers_commands(commands, command, channels) -> None:
    """Parents' contacts, follower checks and the account checklist (seeds 002-004)."""
    contacts = commands.add_parser("contacts", help="parents' and carers' contacts (ICT, SLT)"
                                   ).add_subparsers(dest="contacts_command", required=True,
                                                    metavar="COMMAND")
    cimp = command(contacts, "import", "import parents' contacts from the MIS (CSV)", True, True)
    cimp.add_argument("file", type=Path)
    cimp.add_argument("--map", action="append", default=[], metavar="FIELD=HEADER",
                      help="use the school's heading for one of our fields: pupil_id, "
                           "contact_name, relationship, email")
    cimp.add_argument("--dry-run", action="store_true", help="report, but write nothing")
    cimp.set_defaults(run=cmd_contacts_import)
    clist = command(contacts, "list", "contacts (never their e-mail addresses)", True, True)
    clist.add_argument("--pupil", metavar="PUPIL_ID")
    clist.set_defaults(run=cmd_contacts_list)

    followers = commands.add_parser("followers", help="who follows the school's accounts"
                                    ).add_subparsers(dest="followers_command", required=True,
                                                     metavar="COMMAND")
    fcheck = command(followers, "check", "a verdict for each follower request", True, True)
    fcheck.add_argument("file", type=Path, metavar="FILE",
                        help="CSV with handle, display_name and optionally bio")
    fcheck.add_argument("--channel", required=True)
    fcheck.set_defaults(run=cmd_followers_check)
    fdecide = command(followers, "decide", "record accepting, declining or blocking a "
                      "follower", True, True)
    fdecide.add_argument("channel")
    fdecide.add_argument("handle")
    choice = fdecide.add_mutually_exclusive_group(required=True)
    for name in ("accept", "decline", "block"):
        choice.add_argument(f"--{name}", dest="decision", action="store_const", const=name)
    fdecide.add_argument("--name", dest="display_name", metavar="TEXT",
                         help="the follower's display name, to keep ClassLens's advice with "
                              "the decision")
    fdecide.set_defaults(run=cmd_followers_decide)
    flist = command(followers, "list", "each follower's standing decision", True, True)
    flist.add_argument("--channel", required=True)
    flist.set_defaults(run=cmd_followers_list)
    fsample = command(followers, "sample", "this week's random sample of a public channel's "
                      "followers, for SLT to look at", True, True)
    fsample.add_argument("file", type=Path, nargs="?", metavar="FILE",
                         help="the follower list as the platform shows it (CSV: handle, "
                              "display_name, bio); default: followers accepted in ClassLens")
    fsample.add_argument("--channel", required=True)
    fsample.add_argument("--size", type=int, default=10)
    fsample.set_defaults(run=cmd_followers_sample)
    fdone = command(followers, "checked", "SLT has looked at this week's sample", True, True)
    fdone.add_argument("--channel", required=True)
    fdone.add_argument("--note", default="", metavar="TEXT")
    fdone.set_defaults(run=cmd_followers_checked)

    checklist = command(channels, "checklist", "the account settings the policy promises, "
                        "confirmed by SLT each term", True, True)
    checklist.add_argument("channel", nargs="?")
    checklist.add_argument("--confirm", action="append", default=[], metavar="ITEM",
                           help="confirm you checked this item on the account (slt)")
    checklist.set_defaults(run=cmd_channels_checklist)


def cmd_users_name(args) -> int:
    open_services(args).set_display_name(args.actor, args.name, args.display_name)
    print(f"{args.name} goes by {' '.join(args.display_name.split())}.")
    return EXIT_OK


def cmd_contacts_import(args) -> int:
    from classlens.register.contacts import FIELDS as CONTACT_FIELDS

    try:
        mapping = parse_mapping(args.map, CONTACT_FIELDS, "contacts")
    except MappingError as error:
        raise UsageError(str(error)) from None
    report = open_services(args).import_contacts(args.actor, args.file, mapping, args.dry_run)
    if report.errors:
        emit(args, report.as_dict())
        if not args.json:
            print("\n".join([f"{args.file}: nothing was imported; fix these and import "
                             "again:"] + [f"  {problem}" for problem in report.errors]),
                  file=sys.stderr)
        return EXIT_REJECTED
    verb = "Would import" if args.dry_run else "Imported"
    lines = [f"{verb} {args.file}: {report.created} added, {report.updated} updated, "
             f"{report.unchanged} unchanged, {report.removed} removed."]
    lines += [f"  {c['pupil_id']}: {c['contact']} ({c['relationship']}): {c['change']}"
              for c in report.changes]
    emit(args, report.as_dict(), "\n".join(lines))
    return EXIT_OK


def cmd_contacts_list(args) -> int:
    rows = open_services(args).contacts(args.actor, args.pupil)
    lines = [("PUPIL", "CLASS", "CONTACT", "RELATIONSHIP", "PARENT/CARER", "E-MAIL HELD")]
    lines += [(r["pupil_id"], r["class"] or "", r["contact_name"], r["relationship"],
               "yes" if r["parent_or_carer"] else "no", "yes" if r["has_email"] else "no")
              for r in rows]
    emit(args, rows, table(lines) if rows else "No contacts.")
    return EXIT_OK


def cmd_followers_check(args) -> int:
    verdicts = open_services(args).check_followers(args.actor, args.channel, args.file)
    lines = [("HANDLE", "NAME", "VERDICT", "WHY")]
    lines += [(v.handle, v.display_name, v.verdict, v.reason) for v in verdicts]
    emit(args, [v.as_dict() for v in verdicts], table(lines))
    return EXIT_OK


def cmd_followers_decide(args) -> int:
    result = open_services(args).decide_follower(args.actor, args.channel, args.handle,
                                                 args.decision, args.display_name)
    past = {"accept": "Accepted", "decline": "Declined", "block": "Blocked"}[args.decision]
    emit(args, result, f"{past} {result['handle']} on {result['channel']}"
         + (f" (was: {result['previous']})." if result["previous"] else "."))
    return EXIT_OK


def cmd_followers_list(args) -> int:
    rows = open_services(args).follower_decisions(args.actor, args.channel)
    lines = [("HANDLE", "NAME", "DECISION", "BY", "WHEN")]
    lines += [(r["handle"], r["display_name"] or "", r["decision"], r["decided_by"],
               r["decided_at"][:16]) for r in rows]
    emit(args, rows, table(lines) if rows else f"No decisions recorded for {args.channel}.")
    return EXIT_OK


def _sample_text(check: dict) -> str:
    head = (f"Follower check of {check['channel']}, week of {check['week']}: sample drawn by "
            f"{check['drawn_by']}; "
            + (f"done by {check['done_by']}." if check["done_by"] else
               "look at each account (bio, images, language), block if there is a concern, "
               f"then: classlens followers checked --channel {check['channel']}"))
    lines = [("HANDLE", "NAME", "VERDICT", "WHY")]
    lines += [(f["handle"], f["display_name"], f["verdict"], f["reason"])
              for f in check["sample"]]
    return head + "\n" + table(lines)


def cmd_followers_sample(args) -> int:
    check = open_services(args).draw_follower_sample(args.actor, args.channel, args.file,
                                                     args.size)
    emit(args, check, _sample_text(check))
    return EXIT_OK


def cmd_followers_checked(args) -> int:
    check = open_services(args).finish_follower_check(args.actor, args.channel, args.note)
    emit(args, check, f"This week's follower check of {check['channel']} is done.")
    return EXIT_OK


def cmd_channels_checklist(args) -> int:
    services = open_services(args)
    if args.confirm:
        if not args.channel:
            raise UsageError("say which channel you checked: channels checklist CHANNEL "
                             "--confirm ITEM")
        rows = services.confirm_account_items(args.actor, args.channel, args.confirm)
    else:
        rows = services.account_checklist(args.channel)
    lines = [("CHANNEL", "ITEM", "STATUS", "CONFIRMED BY", "PROMISE")]
    lines += [(r["channel"], r["item"], r["status"] if r["status"] != "due"
               else f"due by {r['due']}", r["confirmed_by"] or "", r["text"]) for r in rows]
    emit(args, rows, table(lines) if rows else "No account settings to confirm.")
    return EXIT_OK


def cmd_takedown_requests(args) -> int:
    services = open_services(args)
    if args.pupil_id == "request":
        result = services.request_removal(args.actor, args.requested_by or "", args.post,
                                          args.pupil)
        what = f"post {result['post_id']}" if result["post_id"] else f"pupil {result['pupil_id']}"
        live = ", ".join(str(n) for n in result["waiting_for"]) or "none"
        emit(args, result, f"Removal request {result['id']} recorded: {what}, from "
             f"{result['requested_by']}. Posts to take down: {live}. It stays on the "
             "dashboard until they are withdrawn (classlens posts withdraw ID) or it is "
             f"closed (classlens takedown done {result['id']} --note ...).")
    elif args.pupil_id == "done":
        if args.request_id is None:
            raise UsageError("say which request: takedown done REQUEST_ID --note TEXT")
        result = services.close_removal_request(args.actor, args.request_id, args.note or "")
        emit(args, result, f"Removal request {result['id']} closed.")
    else:
        requests = services.removal_requests(open_only=not args.all)
        lines = [("REQUEST", "FROM", "POST/PUPIL", "RECEIVED", "WAITING FOR")]
        lines += [(str(r["id"]), r["requested_by"],
                   f"post {r['post_id']}" if r["post_id"] else f"pupil {r['pupil_id']}",
                   r["received_at"][:16], ", ".join(f"post {n}" for n in r["waiting_for"])
                   or ("done" if r["done"] else "someone to close it")) for r in requests]
        emit(args, requests, table(lines) if requests else "No open removal requests.")
    return EXIT_OK


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except UsageError as error:
        parser.print_usage(sys.stderr)
        print(f"classlens: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ClassLensError as error:
        if getattr(args, "json", False):
            print(json.dumps({"error": str(error)}))
        print(f"classlens: {error}", file=sys.stderr)
        return EXIT_REJECTED


if __name__ == "__main__":
    sys.exit(main())
