"""`classlens contacts`, `followers` and `channels checklist` (seeds 002-004)."""

from __future__ import annotations

from pathlib import Path

from classlens.cli.common import (
    EXIT_OK,
    UsageError,
    command,
    emit,
    file_refused,
    open_services,
    parse_mapping,
    table,
)


def add_commands(commands, channels) -> None:
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


def cmd_contacts_import(args) -> int:
    from classlens.register.contacts import FIELDS as CONTACT_FIELDS

    mapping = parse_mapping(args.map, CONTACT_FIELDS, "contacts")
    report = open_services(args).contacts.import_contacts(args.actor, args.file, mapping,
                                                          args.dry_run)
    if report.errors:
        return file_refused(args, report)
    verb = "Would import" if args.dry_run else "Imported"
    lines = [f"{verb} {args.file}: {report.created} added, {report.updated} updated, "
             f"{report.unchanged} unchanged, {report.removed} removed."]
    lines += [f"  {c['pupil_id']}: {c['contact']} ({c['relationship']}): {c['change']}"
              for c in report.changes]
    emit(args, report.as_dict(), "\n".join(lines))
    return EXIT_OK


def cmd_contacts_list(args) -> int:
    rows = open_services(args).contacts.contacts(args.actor, args.pupil)
    lines = [("PUPIL", "CLASS", "CONTACT", "RELATIONSHIP", "PARENT/CARER", "E-MAIL HELD")]
    lines += [(r["pupil_id"], r["class"] or "", r["contact_name"], r["relationship"],
               "yes" if r["parent_or_carer"] else "no", "yes" if r["has_email"] else "no")
              for r in rows]
    emit(args, rows, table(lines) if rows else "No contacts.")
    return EXIT_OK


def cmd_followers_check(args) -> int:
    verdicts = open_services(args).followers.check_followers(args.actor, args.channel, args.file)
    lines = [("HANDLE", "NAME", "VERDICT", "WHY")]
    lines += [(v.handle, v.display_name, v.verdict, v.reason) for v in verdicts]
    emit(args, [v.as_dict() for v in verdicts], table(lines))
    return EXIT_OK


def cmd_followers_decide(args) -> int:
    result = open_services(args).followers.decide_follower(args.actor, args.channel, args.handle,
                                                           args.decision, args.display_name)
    past = {"accept": "Accepted", "decline": "Declined", "block": "Blocked"}[args.decision]
    emit(args, result, f"{past} {result['handle']} on {result['channel']}"
         + (f" (was: {result['previous']})." if result["previous"] else "."))
    return EXIT_OK


def cmd_followers_list(args) -> int:
    rows = open_services(args).followers.follower_decisions(args.actor, args.channel)
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
    check = open_services(args).followers.draw_follower_sample(args.actor, args.channel, args.file,
                                                               args.size)
    emit(args, check, _sample_text(check))
    return EXIT_OK


def cmd_followers_checked(args) -> int:
    check = open_services(args).followers.finish_follower_check(args.actor, args.channel, args.note)
    emit(args, check, f"This week's follower check of {check['channel']} is done.")
    return EXIT_OK


def cmd_channels_checklist(args) -> int:
    services = open_services(args)
    if args.confirm:
        if not args.channel:
            raise UsageError("say which channel you checked: channels checklist CHANNEL "
                             "--confirm ITEM")
        rows = services.account_checks.confirm_account_items(args.actor, args.channel, args.confirm)
    else:
        rows = services.account_checks.account_checklist(args.channel)
    lines = [("CHANNEL", "ITEM", "STATUS", "CONFIRMED BY", "PROMISE")]
    lines += [(r["channel"], r["item"], r["status"] if r["status"] != "due"
               else f"due by {r['due']}", r["confirmed_by"] or "", r["text"]) for r in rows]
    emit(args, rows, table(lines) if rows else "No account settings to confirm.")
    return EXIT_OK
