"""`classlens register` and `consent`: pupils, their consent and face enrolment."""

from __future__ import annotations

from pathlib import Path

from classlens.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    command,
    emit,
    file_refused,
    iso_date,
    open_services,
    parse_mapping,
    printable,
    table,
)
from classlens.cli.takedowns import _what
from classlens.register.columns import FIELDS
from classlens.register.consent import ALL_CATEGORIES, state_label


def add_commands(commands) -> None:
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


def cmd_register_import(args) -> int:
    mapping = parse_mapping(args.map, FIELDS)
    report = open_services(args).register_files.import_register(
        args.actor, args.file, mapping, args.mark_missing_left, args.dry_run,
        accept_grants=args.accept_grants)
    if report.errors:
        return file_refused(args, report)
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
    pupils = open_services(args).pupils.list_pupils(args.class_name, viewer=args.actor)
    rows = [("PUPIL", "NAME", "CLASS", *(c.upper() for c in ALL_CATEGORIES))]
    for p in pupils:
        name = p.display_name
        flags = ("" if p.on_roll else " [left]") + (" [NEVER PUBLISH]" if p.never_publish else "")
        rows.append((p.pupil_id, name + flags, p.class_name or "",
                     *(state_label(p.consent[c]) for c in ALL_CATEGORIES)))
    emit(args, [p.as_dict() for p in pupils], table(rows))
    return EXIT_OK


def cmd_register_export(args) -> int:
    count = open_services(args).register_files.export_register(args.actor, args.file)
    print(f"Exported {count} pupils to {args.file}.")
    return EXIT_OK


def cmd_register_never_publish(args) -> int:
    open_services(args).pupils.set_never_publish(args.actor, args.pupil_id, not args.clear,
                                                 args.reason)
    print(f"{args.pupil_id}: never publish {'removed' if args.clear else 'set'}.")
    return EXIT_OK


def cmd_consent_set(args) -> int:
    services = open_services(args)
    services.pupils.set_consent(args.actor, args.pupil_id, args.category, args.status, args.by,
                                args.expires, args.evidence)
    view = services.pupils.pupil(args.pupil_id)
    print(f"{args.pupil_id}: {args.category} is now {view.as_dict()['consent'][args.category]} "
          f"({view.consent[args.category].message}).")
    return EXIT_OK


def cmd_register_enrol(args) -> int:
    report = open_services(args).enrolment.enrol(args.actor, args.pupil_id, args.photos)
    lines = [f"Enrolled {report.enrolled} reference photo(s) for {args.pupil_id}."]
    lines += [f"  {printable(e['file'])}: {e['message']}" for e in report.errors]
    lines += [f"  {printable(n['file'])}: {n['message']}" for n in report.notes]
    emit(args, report.as_dict(), "\n".join(lines))
    return EXIT_OK if report.enrolled or not report.errors else EXIT_REJECTED


def cmd_register_takedowns(args) -> int:
    entries = open_services(args).post_reports.open_takedowns()
    rows = [("POST", "PUPIL", "CHANNEL", "LINK", "WHY")]
    rows += [(_what(e), e["pupil_id"], e["channel"], e["url"] or e["file"] or "-",
              e["reason"]) for e in entries]
    emit(args, entries, table(rows) if entries else "No open takedowns.")
    return EXIT_OK
