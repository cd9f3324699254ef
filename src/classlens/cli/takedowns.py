"""`classlens takedown`: live posts showing a pupil, and parents' removal requests."""

from __future__ import annotations

import argparse

from classlens.cli.common import (
    EXIT_OK,
    UsageError,
    command,
    emit,
    open_services,
    table,
)


def add_commands(commands) -> None:
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


def cmd_takedown(args) -> int:
    if args.pupil_id in ("request", "requests", "done"):
        return cmd_takedown_requests(args)
    if args.post is not None or args.pupil is not None or args.requested_by is not None:
        raise UsageError("--post, --pupil and --from go with `takedown request`")
    entries = open_services(args).post_reports.takedown(args.pupil_id, args.actor or "system")
    rows = [("POST", "CHANNEL", "EXPORTED", "LINK", "TAKE DOWN")]
    rows += [(_what(e), e["channel"], e["exported_at"][:16], e["url"] or e["file"] or "-",
              e["reason"] or "") for e in entries]
    emit(args, entries, table(rows) if entries else f"No live post shows {args.pupil_id}.")
    return EXIT_OK


def _what(entry: dict) -> str:
    """A post by its number; a single exported photo as "photo N"."""
    return str(entry["post_id"]) if entry["post_id"] is not None else f"photo {entry['photo_id']}"


def _add_removal_arguments(parser) -> None:
    parser.add_argument("--post", type=int, metavar="ID", help="request: the post to remove")
    parser.add_argument("--pupil", metavar="PUPIL_ID",
                        help="request: remove every post showing this pupil")
    parser.add_argument("--from", dest="requested_by", metavar="TEXT",
                        help="request: who asked, and how (\"Mrs Davies, by phone\")")
    parser.add_argument("--note", metavar="TEXT", help="done: what was done")
    parser.add_argument("--all", action="store_true", help="requests: closed ones too")


def cmd_takedown_requests(args) -> int:
    services = open_services(args)
    if args.pupil_id == "request":
        result = services.removals.request_removal(args.actor, args.requested_by or "", args.post,
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
        result = services.removals.close_removal_request(args.actor, args.request_id,
                                                         args.note or "")
        emit(args, result, f"Removal request {result['id']} closed.")
    else:
        requests = services.removals.removal_requests(open_only=not args.all)
        lines = [("REQUEST", "FROM", "POST/PUPIL", "RECEIVED", "WAITING FOR")]
        lines += [(str(r["id"]), r["requested_by"],
                   f"post {r['post_id']}" if r["post_id"] else f"pupil {r['pupil_id']}",
                   r["received_at"][:16], ", ".join(f"post {n}" for n in r["waiting_for"])
                   or ("done" if r["done"] else "someone to close it")) for r in requests]
        emit(args, requests, table(lines) if requests else "No open removal requests.")
    return EXIT_OK
