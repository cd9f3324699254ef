"""`classlens photos`: import, review faces, export single photos."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from classlens.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    box_arg,
    command,
    count_arg,
    emit,
    open_services,
    printable,
    prove_identity,
    table,
)
from classlens.errors import ClassLensError

if TYPE_CHECKING:
    from classlens.tasks import Workers


def add_commands(commands) -> None:
    photos = commands.add_parser("photos", help="photos and their faces").add_subparsers(
        dest="photos_command", required=True, metavar="COMMAND")
    pimp = command(photos, "import", "import photos (files or folders), find and match faces",
                   True, True)
    pimp.add_argument("paths", nargs="+", metavar="PATH")
    pimp.add_argument("--class", dest="class_name", required=True, metavar="NAME")
    pimp.add_argument("--workers", type=count_arg, default=None,
                      help="processes (default: one per core)")
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
    plist = command(photos, "list", "the photos in the library, in the order imported", json_=True)
    plist.add_argument("--class", dest="class_name", metavar="NAME",
                       help="only this class's photos")
    plist.set_defaults(run=cmd_photos_list)
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


def cmd_photos_import(args) -> int:
    from classlens.photos.analyse import import_workers
    from classlens.photos.files import expand_paths
    from classlens.tasks import TaskState

    files = expand_paths(args.paths)  # (the folders walked once: given to the import as files)
    # The workers start first: their start-up runs while the register opens.
    with _started(import_workers(args.workers), len(files)) as workers:
        services = open_services(args)
        state = TaskState(None if args.json else _print_progress)
        results = services.photo_import.import_photos(args.actor, files, args.class_name,
                                                      state, workers)
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


@contextlib.contextmanager
def _started(workers: Workers, items: int) -> Iterator[Workers]:
    """`workers`, started now (as many as there are items to share out), and
    stopped at the end if the batch never used them (it was refused)."""
    try:
        yield workers.start(items)
    finally:
        workers.close()


def _print_progress(done: int, total: int, current: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{done}/{total} {printable(Path(current).name)[:40]:40}", end="",
              file=sys.stderr, flush=True)
        if done == total:
            print(file=sys.stderr)


def cmd_photos_export(args) -> int:
    """One photo, or many in one process (JSON: a list, in the order given, with
    each photo's id, and an error instead of a path for a photo that was refused)."""
    from classlens.render.export import export_workers

    photo_ids = list(dict.fromkeys(args.photo_id))  # each once, in the order given
    # The workers start first: their start-up runs while the register opens.
    with _started(export_workers(), len(photo_ids)) as workers:
        services = open_services(args)
        if len(args.photo_id) == 1:
            result = services.photo_export.export_photo(args.actor, args.photo_id[0],
                                                        args.channel, args.out)
            shown = sum(f["shown"] for f in result.faces)
            emit(args, result.as_dict(), f"Wrote {result.path}: {shown} face(s) shown, "
                 f"{len(result.faces) - shown} blurred.")
            return EXIT_OK
        # Each photo is its own transaction, as for one; the pixels are made on
        # every core beforehand (services.photo_export.export_photos).
        exported = services.photo_export.export_photos(args.actor, photo_ids, args.channel,
                                                       args.out, workers)
    documents, lines, refused = [], [], 0
    for photo_id in photo_ids:
        outcome = exported[photo_id]
        if isinstance(outcome, ClassLensError):
            error = outcome
            refused += 1
            documents.append({"photo_id": photo_id, "error": str(error)})
            lines.append(f"  photo {photo_id}: NOT EXPORTED: {error}")
            continue
        shown = sum(f["shown"] for f in outcome.faces)
        documents.append({"photo_id": photo_id, **outcome.as_dict()})
        lines.append(f"  photo {photo_id}: {outcome.path}: {shown} face(s) shown, "
                     f"{len(outcome.faces) - shown} blurred")
    emit(args, documents, f"Exported {len(documents) - refused} of {len(documents)} photo(s) "
         f"for {args.channel}:\n" + "\n".join(lines))
    return EXIT_REJECTED if refused else EXIT_OK


def cmd_photos_list(args) -> int:
    photos = open_services(args).photos.photos(args.class_name)
    documents = [{"id": p.id, "file": p.original_name, "class": p.class_name,
                  "captured_at": p.captured_at.isoformat() if p.captured_at else None,
                  "imported_at": p.imported_at.isoformat(), "imported_by": p.imported_by,
                  "faces": p.face_count, "width": p.width, "height": p.height}
                 for p in photos]
    rows = [("ID", "FILE", "CLASS", "TAKEN", "FACES", "IMPORTED BY")]
    rows += [(str(p.id), p.original_name, p.class_name or "-",
              f"{p.captured_at:%d %b %Y %H:%M}" if p.captured_at else "-", str(p.face_count),
              p.imported_by) for p in photos]
    emit(args, documents, table(rows) if photos else "No photos yet: import some with "
         "`classlens photos import FOLDER --class NAME --as YOU`.")
    return EXIT_OK


def cmd_photos_faces(args) -> int:
    faces = open_services(args).photos.faces(args.photo_id)
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
    services.face_review.review_face(args.actor, args.photo_id, args.face, action, args.reason,
                                     args.pupil, args.confirmed_by)
    confirmed = f" (confirmed by {args.confirmed_by})" if args.confirmed_by else ""
    print(f"Photo {args.photo_id}, face {args.face}: {action} recorded{confirmed}.")
    return EXIT_OK


def cmd_photos_withdrawn(args) -> int:
    count = open_services(args).post_reports.withdraw_photo_export(args.actor, args.file)
    emit(args, {"file": args.file, "withdrawn": count},
         f"{args.file}: recorded as taken down; its takedowns are closed.")
    return EXIT_OK


def cmd_photos_add_blur(args) -> int:
    face_id = open_services(args).face_review.add_blur(args.actor, args.photo_id, args.box,
                                                       args.reason)
    emit(args, {"face_id": face_id}, f"Photo {args.photo_id}: blur region {face_id} added.")
    return EXIT_OK
