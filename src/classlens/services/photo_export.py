"""Single photos leaving the app without a post: ICT and SLT only, each in the
publication log, the pixel work of a batch done on every core."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from classlens.audit import record
from classlens.errors import ClassLensError, NotAllowed
from classlens.services.access import EXPORT_SINGLE, STAFF, require
from classlens.services.context import Context
from classlens.services.lookups import find_channel, find_photo, lock_register, now, photo_query
from classlens.services.rendering import Renderer, log_publication, slug
from classlens.storage.models import Photo
from classlens.tasks import Workers


@dataclass(frozen=True)
class ExportedPhoto:
    path: Path
    faces: list[dict]

    def as_dict(self) -> dict:
        return {"path": str(self.path), "faces": self.faces}


class PhotoExportServices:
    def __init__(self, ctx: Context, renderer: Renderer) -> None:
        self.ctx = ctx
        self.renderer = renderer

    def export_photos(self, actor: str, photo_ids: list[int], channel_name: str,
                      out_dir: Path, workers: int | Workers | None = None
                      ) -> dict[int, ExportedPhoto | ClassLensError]:
        """Many photos for one channel: each exactly as `export_photo` does it
        (its own transaction, consent read under the register lock, the
        publication log), with the pixel work (decoding, blurring, JPEG
        encoding) done beforehand in worker processes, on every core, while
        this process logs the photos already made.

        The files are made from decisions read first, without the lock; each
        photo's own transaction decides again and uses the file only if its
        decisions are the same, else makes it again itself (consent withdrawn
        in between is obeyed). Returns each photo's export, or the error that
        refused it; NotAllowed (who may export) stops the batch. `workers`: how
        many processes, or processes already started (`export_workers`).
        """
        from classlens.render import export as exporter
        from classlens.tasks import run_parallel

        jobs = {}
        try:
            with self.ctx.db.transaction() as session:
                _check_exporter(session, actor)
                channel = find_channel(session, channel_name)
                # One query for the batch (each export reads its photo again, locked).
                for photo in session.scalars(
                        photo_query().where(Photo.id.in_(photo_ids))):
                    # A refused photo is refused again below, with its own message.
                    with contextlib.suppress(ClassLensError):
                        jobs[photo.id] = self.renderer.export_job(
                            session, photo, channel, alone=actor)[1]
        except NotAllowed:
            raise
        except ClassLensError:
            jobs = {}  # (an unknown channel): each photo is refused below, as for one
        results: dict[int, ExportedPhoto | ClassLensError] = {}

        def export(photo_id: int, made) -> None:
            try:
                results[photo_id] = self.export_photo(actor, photo_id, channel_name, out_dir,
                                                      made)
            except NotAllowed:
                raise
            except ClassLensError as error:
                results[photo_id] = error

        by_job = {job: photo_id for photo_id, job in jobs.items()}
        for job, made in run_parallel(exporter.make_or_none, list(by_job),
                                      workers=exporter.export_workers(workers),
                                      on_crash=lambda job, error: None):
            export(by_job[job], {job: made} if made else None)
        for photo_id in photo_ids:
            if photo_id not in results:
                export(photo_id, None)
        return results

    def export_photo(self, actor: str, photo_id: int, channel_name: str,
                     out_dir: Path, made=None) -> ExportedPhoto:
        """One photo rendered for one channel: blurred where not cleared, clean.

        Only ICT and SLT export a single photo: it leaves without a second
        person's approval (a teacher puts it in a post). Consent is read after
        the register lock, in the transaction that writes the publication log,
        so a withdrawal at the same moment either comes first (and is obeyed)
        or finds this file in the log (and opens its takedown). The file is
        written only once that log is committed: a command killed or stopped
        in between leaves a logged file that was never written (its takedown
        finds nothing), never a file that no log names.
        """
        from classlens.render import export as exporter

        with self.ctx.db.transaction() as session:
            _check_exporter(session, actor)
            lock_register(session)
            self.ctx.sweep_templates(session, actor)
            photo = find_photo(session, photo_id)
            channel = find_channel(session, channel_name)
            rendering = self.renderer.render(session, photo, channel, made, alone=actor)
            name = f"{slug(channel.name)}-photo{photo.id}-{photo.sha256[:8]}.jpg"
            log_publication(session, actor, photo.id, channel, name, rendering, now())
            shown = sum(f["shown"] for f in rendering.faces)
            record(session, actor, "photo.exported", f"photo:{photo_id}", "channel",
                   None, f"{channel.name}: {shown} shown, "
                   f"{len(rendering.faces) - shown} blurred")
        return ExportedPhoto(exporter.save(rendering.data, out_dir, name), rendering.faces)


def _check_exporter(session: Session, actor: str) -> None:
    user = require(session, actor, STAFF)
    if user.role not in EXPORT_SINGLE:
        raise NotAllowed(
            f"{actor} is a {user.role} user: a single photo leaves the app without "
            "anyone else's approval, so only ICT and SLT users export one. Put the "
            "photo in a post and have it approved instead.")
