"""`classlens posts` and `report`: staging, approval, export and the weekly quota."""

from __future__ import annotations

from pathlib import Path

from classlens.cli.common import (
    EXIT_OK,
    command,
    emit,
    open_services,
    table,
)


def add_commands(commands) -> None:
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


def add_report_commands(commands) -> None:
    report = commands.add_parser("report", help="reports").add_subparsers(
        dest="report_command", required=True, metavar="COMMAND")
    weekly = command(report, "weekly", "posts per class this week against the policy quota",
                     json_=True)
    weekly.add_argument("--week", metavar="YYYY-Www")
    weekly.set_defaults(run=cmd_report_weekly)


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
    view = open_services(args).posts.stage(args.actor, args.class_name, args.channel, args.caption,
                                           args.photos, args.alts, args.acks, args.kind)
    emit(args, {"id": view.id, "status": view.status,
                "problems": [p.as_dict() for p in view.problems]}, _post_text(view))
    return EXIT_OK


def cmd_posts_edit(args) -> int:
    view = open_services(args).posts.edit(args.actor, args.post_id, args.caption, args.photos,
                                          args.alts, args.acks, args.kind)
    emit(args, view.as_dict(), _post_text(view))
    return EXIT_OK


def cmd_posts_transition(args) -> int:
    services = open_services(args)
    if args.transition == "submit":
        view = services.posts.submit(args.actor, args.post_id)
    elif args.transition == "approve":
        view = services.posts.approve(args.actor, args.post_id)
    elif args.transition == "reject":
        view = services.posts.reject(args.actor, args.post_id, args.reason)
    elif args.transition == "published":
        view = services.posts.mark_published(args.actor, args.post_id, args.url)
    else:
        view = services.posts.withdraw_post(args.actor, args.post_id, args.reason)
    emit(args, view.as_dict(), _post_text(view))
    return EXIT_OK


def cmd_posts_export(args) -> int:
    result = open_services(args).post_export.export_post(args.actor, args.post_id, args.out)
    emit(args, result, f"Wrote {result['folder']}: {', '.join(result['files'])}")
    return EXIT_OK


def cmd_posts_list(args) -> int:
    views = open_services(args).posts.posts(args.status)
    rows = [("POST", "STATUS", "CLASS", "CHANNEL", "AUTHOR", "APPROVER", "CAPTION")]
    rows += [(str(v.id), v.status, v.class_name, v.channel, v.author, v.approver or "",
              v.caption[:40]) for v in views]
    emit(args, [v.as_dict() for v in views], table(rows))
    return EXIT_OK


def cmd_posts_show(args) -> int:
    services = open_services(args)
    view = services.posts.post(args.post_id)
    # The approver sees every face as it will be published, as in the app.
    faces = []
    for photo in view.photos:
        for face in services.photos.faces(photo["photo_id"]):
            decision = face.decisions.get(view.channel)
            if decision is not None:
                faces.append(f"  photo {photo['photo_id']}, face {face.id}: "
                             f"{'SHOWN' if decision.shown else 'blurred'}: {decision.reason}")
    emit(args, view.as_dict(), _post_text(view) + f"\n  caption: {view.caption}"
         + ("\n" + "\n".join(faces) if faces else ""))
    return EXIT_OK


def cmd_report_weekly(args) -> int:
    report = open_services(args).post_reports.weekly_report(args.week)
    rows = [("CLASS", "POSTS", "STATUS", "EVENTS")] + [
        (c["class"], str(c["posts"]), c["status"], str(c.get("events", 0)))
        for c in report["classes"]]
    emit(args, report, f"Week {report['week']} ({report['from']} to {report['to']}), quota "
         f"{report['min']} to {report['max']} posts per class:\n" + table(rows))
    return EXIT_OK
