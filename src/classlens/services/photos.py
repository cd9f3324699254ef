"""Photo services: enrolment, import with face matching, review, export."""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from classlens.errors import ClassLensError, NotAllowed, NotFound
from classlens.faces.box import Box
from classlens.faces.templates import TemplateCipher
from classlens.photos.decisions import FaceDecision, FaceFacts, blocking, decide_face
from classlens.photos.library import sha256_of, write_atomic
from classlens.policy.platforms import PLATFORM_LIMITS
from classlens.register.consent import Verdict, may_show
from classlens.services.base import (
    STAFF,
    ServiceBase,
    now,
)
from classlens.services.views import PhotoView
from classlens.storage.models import (
    Channel,
    Face,
    Photo,
    Publication,
    Pupil,
    SchoolClass,
)

# Image and face libraries (numpy, Pillow, onnxruntime, dlib) are imported by
# the methods that use them: every command opens these services, and listing
# the register should not pay for loading them.
# A single photo leaves the app without a second person's approval (posts need one).
EXPORT_SINGLE = ("ict", "slt")




@dataclass
class FaceView:
    id: int
    box: Box
    source: str
    pupil_id: str | None
    identified_by: str | None
    distance: float | None
    note: str | None
    decisions: dict[str, FaceDecision]  # channel name -> decision
    reviewed_by: str | None = None
    review_reason: str | None = None
    recognised_pupil_id: str | None = None  # what recognition found, kept as found
    correction_confirmed_by: str | None = None  # SLT member who said it was wrong

    @property
    def needs_review(self) -> bool:
        """Nobody knows who this is yet: recognition found no one and no person
        has looked at it. It stays blurred until someone does."""
        return self.pupil_id is None and not self.reviewed_by

    def as_dict(self) -> dict:
        return {
            "id": self.id, "box": self.box.as_list(), "source": self.source,
            "pupil_id": self.pupil_id, "identified_by": self.identified_by,
            "distance": None if self.distance is None else round(self.distance, 4),
            "note": self.note, "reviewed_by": self.reviewed_by,
            "review_reason": self.review_reason,
            "recognised_pupil_id": self.recognised_pupil_id,
            "correction_confirmed_by": self.correction_confirmed_by,
            "decisions": {name: d.as_dict() for name, d in self.decisions.items()},
        }




@dataclass
class Rendering:
    data: bytes  # the exported JPEG
    faces: list[dict]  # box in exported pixels, shown, reason
    shown: list[Pupil]  # pupils whose faces are shown, unblurred


@dataclass
class ExportedPhoto:
    path: Path
    faces: list[dict]

    def as_dict(self) -> dict:
        return {"path": str(self.path), "faces": self.faces}






class PhotoServices(ServiceBase):
    def cipher(self) -> TemplateCipher:
        return TemplateCipher(self.key_file)

    # -- enrolment ------------------------------------------------------------




    # -- import ---------------------------------------------------------------






    # -- faces and decisions ------------------------------------------------

    @staticmethod
    def _photo_query():
        """Photos with their faces and the pupils (and consents) they are tied to."""
        return select(Photo).options(
            selectinload(Photo.faces).selectinload(Face.pupil).selectinload(Pupil.consents),
            selectinload(Photo.faces).selectinload(Face.named_pupil)
            .selectinload(Pupil.consents))

    def _photo(self, session: Session, photo_id: int) -> Photo:
        photo = session.scalar(self._photo_query().where(Photo.id == photo_id))
        if photo is None:
            raise NotFound(f"no photo {photo_id} in the library")
        return photo

    def _decide(self, face: Face, channel: Channel,
                policy_faces: str) -> tuple[FaceDecision, list[str]]:
        """The face's decision on the channel today, and the never-publish
        pupils it ties the photo to (which keep the photo out altogether)."""
        def verdict(pupil: Pupil | None) -> Verdict | None:
            if pupil is None:
                return None
            return may_show(pupil.facts(), pupil.decisions(), channel.category, self.today())

        recognised, named = verdict(face.pupil), verdict(face.named_pupil)
        facts = face_facts(face)
        return (decide_face(facts, recognised, named, policy_faces),
                blocking(facts, recognised, named))

    def faces(self, photo_id: int) -> list[FaceView]:
        with self.db.transaction() as session:
            photo = self._photo(session, photo_id)
            channels = list(session.scalars(select(Channel).order_by(Channel.id)))
            policy_faces = self.school_policy(session).faces
            views = []
            for f in photo.faces:
                facts = face_facts(f)
                who, how = ((facts.recognised, "recognition") if facts.recognition_stands
                            else (facts.named, "reviewer") if facts.named else (None, None))
                views.append(FaceView(
                    id=f.id, box=Box(f.left, f.top, f.right, f.bottom, f.score),
                    source=f.source, pupil_id=who, identified_by=how,
                    distance=f.distance if how == "recognition" else None, note=f.match_note,
                    decisions={c.name: self._decide(f, c, policy_faces)[0] for c in channels},
                    reviewed_by=f.reviewed_by, review_reason=f.review_reason,
                    recognised_pupil_id=facts.recognised,
                    correction_confirmed_by=f.correction_confirmed_by))
            return views

    # -- review ---------------------------------------------------------------



    # -- export ---------------------------------------------------------------

    def _export_job(self, photo: Photo, channel: Channel, policy=None,
                    alone: str | None = None):
        """The faces' decisions on the channel today and the pixel work they
        call for (an ExportJob). Refuses a photo in which a never-publish pupil
        is identified. `alone` names who exports it without a post's approval:
        a face shown only because they cleared or named it themselves stays
        blurred, since no second person saw that decision."""
        policy = policy or self.policy()
        decided = [(f, *self._decide(f, channel, policy.faces)) for f in photo.faces]
        if alone is not None:
            decided = [(f, _unseen_by_another(f, d, alone), pupils) for f, d, pupils in decided]
        blocked = sorted({p for _, _, pupils in decided for p in pupils})
        if blocked:
            raise ClassLensError(
                f"photo {photo.id} shows a pupil who must never be published "
                f"({', '.join(blocked)}); it cannot be exported. Crop them out of the "
                "original and import the cropped photo instead.")
        from classlens.render import export as exporter

        limits = PLATFORM_LIMITS[channel.platform]
        blur = tuple(Box(f.left, f.top, f.right, f.bottom) for f, d, _ in decided if not d.shown)
        job = exporter.ExportJob(str(self.library.path(photo.library_path)), photo.sha256,
                                 photo.width, photo.height, limits.long_edge, limits.max_bytes,
                                 blur, policy.blur_style)
        return decided, job

    def _render(self, photo: Photo, channel: Channel, made=None,
                alone: str | None = None) -> Rendering:
        """A photo's pixels for a channel: decided, blurred, resized, re-encoded.

        `made` maps export jobs to files already made (a batch makes them on
        every core first); one is used only if it is the job these decisions
        call for, so the file always matches the decisions of this transaction.
        """
        from classlens.render import export as exporter

        decided, job = self._export_job(photo, channel, alone=alone)
        data, factor = (made or {}).get(job) or exporter.make(job)
        faces = [{"box": Box(f.left, f.top, f.right, f.bottom).scaled(factor).as_list(),
                  "shown": d.shown, "reason": d.reason} for f, d, _ in decided]
        shown = [_shown_pupil(f, d) for f, d, _ in decided if d.shown and d.pupil]
        return Rendering(data, faces, shown)

    def _log_publication(self, session: Session, actor: str, photo_id: int, channel: Channel,
                         file_name: str, rendering: Rendering, at, post_id: int | None = None
                         ) -> None:
        """Every file that leaves the app goes into the publication log, with each
        pupil shown in it, so that a withdrawal of consent finds it."""
        digest = sha256_of(rendering.data)
        pupils: list[Pupil | None] = list({p.id: p for p in rendering.shown}.values()) or [None]
        for pupil in pupils:
            session.add(Publication(post_id=post_id, photo_id=photo_id,
                                    pupil_id=None if pupil is None else pupil.id,
                                    channel_id=channel.id, file_name=file_name, sha256=digest,
                                    exported_at=at, exported_by=actor))

    def render_photo(self, photo_id: int, channel_name: str) -> Rendering:
        """The photo exactly as it would be exported for a channel (for previews)."""
        with self.db.transaction() as session:
            return self._render(self._photo(session, photo_id),
                                self.channel(session, channel_name))

    def thumbnail(self, photo_id: int, size: int = 256) -> Path:
        """A small JPEG of the original, cached in the library (never exported)."""
        with self.db.transaction() as session:
            photo = self._photo(session, photo_id)
            target = self.library.thumbnail_path(photo.sha256, size)
            if not target.exists():
                from classlens.photos import decode

                image, _ = decode.load(self.library.path(photo.library_path),
                                       size / max(photo.width, photo.height))
                image.thumbnail((size, size))
                buffer = io.BytesIO()
                image.save(buffer, "JPEG", quality=80)
                write_atomic(target, buffer.getvalue())
            return target

    def export_photos(self, actor: str, photo_ids: list[int], channel_name: str,
                      out_dir: Path, workers: int | None = None
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
        refused it; NotAllowed (who may export) stops the batch.
        """
        from classlens.render import export as exporter
        from classlens.tasks import run_parallel

        jobs = {}
        try:
            with self.db.transaction() as session:
                self._check_exporter(session, actor)
                channel = self.channel(session, channel_name)
                policy = self.school_policy(session)
                # One query for the batch (each export reads its photo again, locked).
                for photo in session.scalars(
                        self._photo_query().where(Photo.id.in_(photo_ids))):
                    # A refused photo is refused again below, with its own message.
                    with contextlib.suppress(ClassLensError):
                        jobs[photo.id] = self._export_job(photo, channel, policy,
                                                          alone=actor)[1]
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
        for job, made in run_parallel(exporter.make_or_none, list(by_job), workers=workers,
                                      on_crash=lambda job, error: None):
            export(by_job[job], {job: made} if made else None)
        for photo_id in photo_ids:
            if photo_id not in results:
                export(photo_id, None)
        return results

    def _check_exporter(self, session: Session, actor: str) -> None:
        user = self.require(session, actor, STAFF)
        if user.role not in EXPORT_SINGLE:
            raise NotAllowed(
                f"{actor} is a {user.role} user: a single photo leaves the app without "
                "anyone else's approval, so only ICT and SLT users export one. Put the "
                "photo in a post and have it approved instead.")

    def export_photo(self, actor: str, photo_id: int, channel_name: str,
                     out_dir: Path, made=None) -> ExportedPhoto:
        """One photo rendered for one channel: blurred where not cleared, clean.

        Only ICT and SLT export a single photo: it leaves without a second
        person's approval (a teacher puts it in a post). Consent is read after
        the register lock, in the transaction that writes the publication log,
        so a withdrawal at the same moment either comes first (and is obeyed)
        or finds this file in the log (and opens its takedown).
        """
        with self.db.transaction() as session:
            self._check_exporter(session, actor)
            self._lock_register(session)
            self._sweep_templates(session, actor)
            photo = self._photo(session, photo_id)
            channel = self.channel(session, channel_name)
            rendering = self._render(photo, channel, made, alone=actor)
            from classlens.render import export as exporter

            name = f"{slug(channel.name)}-photo{photo.id}-{photo.sha256[:8]}.jpg"
            self._log_publication(session, actor, photo.id, channel, name, rendering, now())
            session.flush()
            out_dir.mkdir(parents=True, exist_ok=True)
            path = exporter.save(rendering.data, out_dir, name)
            shown = sum(f["shown"] for f in rendering.faces)
            self._audit(session, actor, "photo.exported", f"photo:{photo_id}", "channel",
                        None, f"{channel.name}: {shown} shown, "
                        f"{len(rendering.faces) - shown} blurred")
            return ExportedPhoto(path, rendering.faces)

    def photos(self, class_name: str | None = None) -> list[PhotoView]:
        with self.db.transaction() as session:
            query = (select(Photo).order_by(Photo.id)
                     .options(selectinload(Photo.faces), selectinload(Photo.school_class)))
            if class_name:
                query = query.join(SchoolClass).where(SchoolClass.name == class_name)
            return [PhotoView.of(p) for p in session.scalars(query)]


def _unseen_by_another(face: Face, decision: FaceDecision, exporter: str) -> FaceDecision:
    own = face.reviewed_by == exporter and (face.not_a_face or face.named_pupil is not None)
    if decision.shown and own and not face_facts(face).recognition_stands:
        return FaceDecision(False, f"{decision.reason}; blurred in a single photo because "
                            f"{exporter} decided it alone: put it in a post for a colleague "
                            "to approve")
    return decision


def _shown_pupil(face: Face, decision: FaceDecision) -> Pupil:
    if face.pupil is not None and face.pupil.pupil_id == decision.pupil:
        return face.pupil
    assert face.named_pupil is not None  # a shown face is recognised or named
    return face.named_pupil


def face_facts(face: Face) -> FaceFacts:
    return FaceFacts(
        recognised=face.pupil.pupil_id if face.pupil is not None else None,
        match_note=face.match_note,
        named=face.named_pupil.pupil_id if face.named_pupil is not None else None,
        blur_forced=face.blur_forced, not_a_face=face.not_a_face,
        manual_region=face.source == "manual",
        correction_confirmed_by=face.correction_confirmed_by)






def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "channel"

def describe_region(box: Box) -> str:
    return f"{box.width}x{box.height} px from ({box.left}, {box.top})"
