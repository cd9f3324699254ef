"""`classlens audit`, `backup`, `restore` and `selftest`: keeping the installation sound."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from classlens.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    command,
    emit,
    open_services,
    table,
)
from classlens.errors import ClassLensError


def add_commands(commands) -> None:
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


def cmd_audit(args) -> int:
    entries = open_services(args).audit_log.audit(viewer=args.actor, limit=args.limit)
    rows = [("WHEN", "WHO", "WHAT", "SUBJECT", "FIELD", "OLD", "NEW")]
    rows += [(e["at"][:19], e["actor"], e["action"], e["subject"], e["field"] or "",
              e["old"] or "", e["new"] or "") for e in entries]
    emit(args, entries, table(rows))
    return EXIT_OK


def cmd_audit_verify(args) -> int:
    report = open_services(args).audit_log.verify_audit()
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
    manifest = open_services(args).backups.backup(args.actor, args.file)
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
        manifest = services.backups.check_backup(args.file)
        answer = input(
            f"This replaces the whole register ({services.school().name}) with the backup "
            f"made {manifest['created_at']} ({sum(manifest['rows'].values())} rows, "
            f"{manifest['files']} library files). A safety copy of the register as it is "
            "now is kept first. Type yes to restore: ")
        if answer.strip().lower() != "yes":
            print("Nothing was changed.", file=sys.stderr)
            return EXIT_REJECTED
    manifest = services.backups.restore(args.actor, args.file)
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
