"""Photo services: enrolment, import with face matching, review, export."""

from __future__ import annotations

import functools
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from classlens.errors import ClassLensError, NotAllowed, NotFound
from classlens.faces.box import Box
from classlens.faces.templates import TemplateCipher
from classlens.photos.decisions import FaceDecision, FaceFacts, blocking, decide_face
from classlens.photos.library import sha256_of, write_atomic
from classlens.policy.platforms import PLATFORM_LIMITS
from classlens.register.consent import Verdict, may_show
from classlens.services.base import (
    MANAGE_REGISTER,
    STAFF,
    ServiceBase,
    now,
)
from classlens.services.biometrics import biometric_verdict, enrolled_templates
from classlens.storage.models import (
    Channel,
    Face,
    Photo,
    Publication,
    Pupil,
    SchoolClass,
    Template,
)

if TYPE_CHECKING:
    from classlens.photos.analyse import Analysis
    from classlens.tasks import TaskState

# Image and face libraries (numpy, Pillow, onnxruntime, dlib) are imported by
# the methods that use them: every command opens these services, and listing
# the register should not pay for loading them.
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif"}
REVIEW_ACTIONS = ("pupil", "blur", "not-a-face", "reset", "correct")
SLT = ("slt",)
# A single photo leaves the app without a second person's approval (posts need one).
EXPORT_SINGLE = ("ict", "slt")


@dataclass
class EnrolReport:
    enrolled: int = 0
    errors: list[dict] = field(default_factory=list)
    # Photos enrolled from their dominant face while other, weaker or smaller,
    # detections were ignored: which face was used, so a person can check.
    notes: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        document = {"enrolled": self.enrolled, "errors": self.errors}
        if self.notes:  # added only when there is something to say: the keys stay as they were
            document["notes"] = self.notes
        return document


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
class ImportedPhoto:
    file: str
    id: int | None = None
    error: str | None = None
    duplicate: bool = False
    faces: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"file": self.file, "id": self.id, "error": self.error,
                "duplicate": self.duplicate, "faces": self.faces}


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


def _worker_died(path: str, error: BaseException) -> Analysis:
    from classlens.photos.analyse import Analysis

    return Analysis(path, error="the process analysing this photo stopped (it may be too "
                    "large for this computer's memory, or damaged); it was not imported")


def expand_paths(paths: Iterable[str]) -> list[str]:
    """Files as given, and the photos inside folders (recursively, sorted)."""
    files: list[str] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files.extend(str(p) for p in sorted(path.rglob("*"))
                         if p.is_file() and p.suffix.lower() in PHOTO_SUFFIXES
                         and not p.name.startswith("."))
        else:
            files.append(given)
    return files


class PhotoServices(ServiceBase):
    def cipher(self) -> TemplateCipher:
        return TemplateCipher(self.key_file)

    # -- enrolment ------------------------------------------------------------

    def enrol(self, actor: str, pupil_id: str, paths: list[str]) -> EnrolReport:
        """Reference photos for a pupil with biometric consent: one face each."""
        with self.db.transaction() as session:
            self.require(session, actor, MANAGE_REGISTER)
            policy = self.school_policy(session)
            if not policy.recognises_faces:
                raise ClassLensError(
                    f"the school's policy ({policy.name}) has no face recognition, so no "
                    "pupil is enrolled; name pupils by hand in photo review if you need to")
            pupil = self._pupil(session, pupil_id)
            verdict = biometric_verdict(pupil, self.today())
            if not verdict.allowed:
                # Refused before any photo is opened: no template is ever computed.
                raise ClassLensError(
                    f"{pupil_id} cannot be enrolled: biometric consent {verdict.message}. "
                    "Name this pupil by hand in photo review instead.")
            cipher = self.cipher()
            cipher.check_matches(session.scalar(select(Template.encrypted).limit(1)))
        from classlens.photos import decode

        # The faces are encoded outside any transaction (seconds per photo), then
        # stored under the register lock after consent is read again: a
        # withdrawal meanwhile either comes first (nothing is stored) or after
        # (its sweep deletes what was stored).
        report, found = EnrolReport(), []
        for given in paths:
            try:
                found.append((given, *self._reference_encoding(Path(given))))
            except (decode.PhotoError, OSError) as error:
                report.errors.append({"file": given, "message": str(error)})
        if not found:
            return report
        with self.db.transaction() as session:
            self._lock_register(session)
            if not self.school_policy(session).recognises_faces:
                raise ClassLensError("the school switched face recognition off while the "
                                     "photos were read: nothing was enrolled.")
            pupil = self._pupil(session, pupil_id)
            verdict = biometric_verdict(pupil, self.today())
            if not verdict.allowed:
                raise ClassLensError(
                    f"{pupil_id}'s biometric consent changed while the photos were read "
                    f"({verdict.message}): nothing was enrolled.")
            for given, encoding, data, image_format, note in found:
                relative = self.library.store("references", data, sha256_of(data),
                                              image_format)
                session.add(Template(pupil_id=pupil.id, encrypted=cipher.encrypt(encoding),
                                     reference_path=relative, created_at=now(),
                                     created_by=actor))
                report.enrolled += 1
                if note:
                    report.notes.append({"file": given, "message": note})
            self._audit(session, actor, "templates.enrolled", f"pupil:{pupil_id}",
                        "biometric", None, f"{report.enrolled} reference photo(s)")
            return report

    @staticmethod
    def _reference_encoding(path: Path):
        """The encoding of a portrait's one dominant face, and a note naming the
        face used when weaker or smaller detections were ignored."""
        from classlens.faces.detect import detect_faces, dominant_face
        from classlens.faces.encode import ENROL_MIN_PX, encode_faces
        from classlens.photos import decode

        data = decode.read_photo_file(path)
        image, scale = decode.load(data, 1.0)
        boxes = detect_faces(image, scale)
        face, rivals, ignored = dominant_face(boxes)
        if face is None:
            raise decode.PhotoError(
                f"a reference photo must show exactly one face; this one shows "
                f"{len(rivals) + 1 if rivals else 0}")
        if min(face.width, face.height) < ENROL_MIN_PX:
            raise decode.PhotoError("the face is too small to enrol; use a closer portrait")
        (encoding,) = encode_faces(image, [face], scale, min_px=ENROL_MIN_PX)
        note = None
        if ignored:
            note = (f"used the face at {_region(face)}; ignored {len(ignored)} weaker or "
                    f"smaller detection(s) at {', '.join(_region(b) for b in ignored)}")
        return encoding, data, decode.inspect(data).format, note

    def templates_of(self, pupil_id: str) -> int:
        with self.db.transaction() as session:
            pupil = self._pupil(session, pupil_id)
            return len(list(session.scalars(
                select(Template.id).where(Template.pupil_id == pupil.id))))

    # -- import ---------------------------------------------------------------

    def import_photos(self, actor: str, paths: list[str], class_name: str,
                      state: TaskState | None = None, workers: int | None = None
                      ) -> list[ImportedPhoto]:
        """Import photos; each is fully in (file, faces, matches) or not at all.

        Safe to run again after an interruption: photos already in the library
        are recognised by content and reported as duplicates.
        """
        from classlens.photos.analyse import analyse, warm_up
        from classlens.tasks import TaskState, run_parallel

        state = state or TaskState()
        policy = self.policy()
        with self.db.transaction() as session:
            self.require(session, actor, STAFF)
            school_class = self._class(session, class_name)
            class_id = school_class.id
            self._sweep_templates(session, actor)
            recognition = policy.recognises_faces
            enrolled = (enrolled_templates(session, self.cipher(), self.today())
                        if recognition else {})
            # Faces are encoded only where that can change a decision: in a class
            # with enrolled pupils (compared then with every enrolled pupil, who
            # may be on the same trip). Elsewhere dlib is not even loaded.
            in_class = set(session.scalars(select(Pupil.id).where(Pupil.class_id == class_id)))
            if not in_class & set(enrolled):
                enrolled = {}
            known = frozenset(session.scalars(select(Photo.sha256)))
        files = expand_paths(paths)
        results: dict[str, ImportedPhoto] = {}
        state.progress(0, len(files), "")
        args = (bool(enrolled), known)
        for done, (path, analysis) in enumerate(
                run_parallel(analyse, files, args, workers, state,
                             functools.partial(warm_up, bool(enrolled)), _worker_died),
                start=1):
            results[path] = self._store_analysis(actor, analysis, class_id, enrolled, policy)
            state.progress(done, len(files), path)
        return [results[f] for f in files if f in results]

    def _store_analysis(self, actor: str, analysis: Analysis, class_id: int,
                        enrolled, policy) -> ImportedPhoto:
        from classlens.photos import decode

        result = ImportedPhoto(analysis.path, error=analysis.error)
        if analysis.error:
            return result
        try:
            return self._store_photo(actor, analysis, class_id, enrolled, policy, result)
        except IntegrityError:
            # Another import committed the same photo between our check and our
            # write (two imports of one folder at once): it is a duplicate.
            with self.db.transaction() as session:
                existing = session.scalar(select(Photo).where(
                    Photo.sha256 == analysis.sha256))
                if existing is None:
                    raise
                result.id, result.duplicate = existing.id, True
                result.faces = [self._face_summary(f) for f in existing.faces]
                return result
        except decode.PhotoError as error:
            result.error = str(error)
            return result

    def _store_photo(self, actor: str, analysis: Analysis, class_id: int, enrolled, policy,
                     result: ImportedPhoto) -> ImportedPhoto:
        from classlens.faces.encode import tolerance_for
        from classlens.faces.match import match_face

        with self.db.transaction() as session:
            existing = session.scalar(select(Photo).where(Photo.sha256 == analysis.sha256))
            if existing is not None:
                result.id, result.duplicate = existing.id, True
                result.faces = [self._face_summary(f) for f in existing.faces]
                return result
            if enrolled:
                # The templates were read when the import began; a withdrawal of
                # biometric consent since takes effect at once: read under the
                # register lock, nobody is compared with a pupil who withdrew.
                self._lock_register(session)
                enrolled = {pupil.id: enrolled[pupil.id] for pupil in session.scalars(
                    select(Pupil).where(Pupil.id.in_(list(enrolled)))
                    .options(selectinload(Pupil.consents)))
                    if biometric_verdict(pupil, self.today()).allowed}
            # The original is stored here, by the parent, just before the row that
            # names it: a worker never writes, and a kill between the two leaves a
            # file that the next import of the same photo reuses.
            library_path = self._store_original(analysis)
            photo = Photo(sha256=analysis.sha256, library_path=library_path,
                          original_name=Path(analysis.path).name[:300], format=analysis.format,
                          width=analysis.width, height=analysis.height,
                          captured_at=analysis.captured_at, imported_at=now(),
                          imported_by=actor, class_id=class_id, recognition=bool(enrolled))
            for box, encoding, seen in zip(analysis.boxes, analysis.encodings,
                                           analysis.encoded_px):
                match = match_face(encoding, enrolled,
                                   tolerance_for(seen, policy.match_tolerance),
                                   policy.match_margin)
                photo.faces.append(Face(
                    left=box.left, top=box.top, right=box.right, bottom=box.bottom,
                    score=box.score, source="detected", pupil_id=match.pupil,
                    identified_by="recognition" if match.pupil else None,
                    match_note=match.note, distance=match.distance,
                    blur_forced=False, not_a_face=False))
            session.add(photo)
            session.flush()
            self._audit(session, actor, "photo.imported", f"photo:{photo.id}", None, None,
                        f"{len(photo.faces)} face(s)")
            result.id = photo.id
            result.faces = [self._face_summary(f) for f in photo.faces]
        return result

    def _store_original(self, analysis: Analysis) -> str:
        from classlens.photos import decode

        data = decode.read_photo_file(Path(analysis.path))
        if sha256_of(data) != analysis.sha256:
            raise decode.PhotoError("the file changed while it was being imported; "
                                    "import it again")
        return self.library.store("originals", data, analysis.sha256, analysis.format)

    @staticmethod
    def _face_summary(face: Face) -> dict:
        recognised = face.identified_by == "recognition" and face.pupil is not None
        return {"box": [face.left, face.top, face.right, face.bottom],
                "pupil_id": face.pupil.pupil_id if face.pupil is not None else None,
                "distance": None if face.distance is None or not recognised
                else round(face.distance, 4)}

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

    def review_face(self, actor: str, photo_id: int, face_id: int, action: str,
                    reason: str, pupil_id: str | None = None,
                    confirmed_by: str | None = None) -> None:
        """A person's decision about one face, recorded with who and why.

        A reviewer may always blur, and may name a face recognition did not
        identify. What recognition found is kept: saying a recognised face is
        someone else, or not a face ("correct", or "pupil"/"not-a-face" on a
        recognised face) needs an SLT member other than the reviewer to
        confirm (`confirmed_by`; the caller checks their password), and is
        audited with both names. "reset" returns to what recognition found.
        Nothing here can show a pupil the consent rules forbid: the decision
        (photos/decisions.py) still asks consent for every pupil the face is
        tied to.
        """
        if action not in REVIEW_ACTIONS:
            raise ClassLensError(f"action must be one of {', '.join(REVIEW_ACTIONS)}")
        if not reason.strip():
            raise ClassLensError("say why (the reason is kept in the audit log)")
        with self.db.transaction() as session:
            self.require(session, actor, STAFF)
            photo = self._photo(session, photo_id)
            face = next((f for f in photo.faces if f.id == face_id), None)
            if face is None:
                raise NotFound(f"photo {photo_id} has no face {face_id}")
            where = f"photo {photo_id}, face {face_id}"
            if face.source == "manual" and action not in ("blur", "reset"):
                raise ClassLensError(f"{where} is a blur region a reviewer added: it is always "
                                     "blurred")
            named = self._pupil(session, pupil_id) if action == "pupil" and pupil_id else None
            if action == "pupil" and named is None:
                raise ClassLensError("name the pupil with --pupil PUPIL_ID")
            recognised = face.pupil if face.correction_confirmed_by is None else None
            corrects = recognised is not None and (
                action == "correct" or action == "not-a-face"
                or (action == "pupil" and named.id != recognised.id))
            if (action == "correct" or confirmed_by) and recognised is None:
                raise ClassLensError(
                    f"recognition did not identify {where}; there is nothing to correct "
                    "(name the pupil, blur it, or mark it as not a face, without "
                    "--confirmed-by)")
            if corrects and not confirmed_by:
                raise NotAllowed(
                    f"recognition identified {where} as {recognised.pupil_id}; saying it is "
                    f"{'not a face' if action == 'not-a-face' else 'someone else'} corrects "
                    "the recognition, which an SLT member other than you must confirm "
                    "(\"Not this pupil…\" in the app, --confirmed-by on the command line). "
                    "Blurring it needs no one.")
            if confirmed_by and not corrects:
                raise ClassLensError(
                    f"{where}: only a correction of what recognition found needs "
                    "--confirmed-by; this review does not change it")
            if corrects:
                self.require(session, confirmed_by, SLT)
                if confirmed_by == actor:
                    raise NotAllowed(f"{actor} cannot confirm their own correction: another "
                                     "member of senior leadership must")
            old = _describe_review(face)
            if corrects:
                face.correction_confirmed_by = confirmed_by
            if action == "pupil":
                face.named_pupil = named
                face.blur_forced = face.not_a_face = False
            elif action == "blur":
                face.blur_forced, face.not_a_face = True, False
            elif action == "not-a-face":
                face.not_a_face, face.blur_forced, face.named_pupil = True, False, None
            elif action == "correct":
                face.not_a_face = face.blur_forced = False
            else:  # reset: back to what recognition found
                face.blur_forced = face.not_a_face = False
                face.named_pupil, face.correction_confirmed_by = None, None
            face.reviewed_by, face.review_reason = actor, reason
            confirmation = f"; confirmed by {confirmed_by}" if corrects else ""
            self._audit(session, actor, f"face.{action}", f"photo:{photo_id}/face:{face_id}",
                        "review", old, f"{_describe_review(face)} ({reason}){confirmation}")
            if action == "pupil" and face.named_pupil is not None:
                self._name_in_published_files(session, actor, face, face.named_pupil)

    def _name_in_published_files(self, session: Session, actor: str, face: Face,
                                 pupil: Pupil) -> None:
        """A face named after its photo went out: the files that showed it show
        this pupil, so their withdrawal of consent must find them. A post's
        approval says which faces it showed; for a single photo that is not
        kept, so it counts as shown (a takedown too many, never one too few)."""
        from classlens.storage.models import Post

        publications = list(session.scalars(select(Publication).where(
            Publication.photo_id == face.photo_id, Publication.withdrawn_at.is_(None))))
        logged = {(p.post_id, p.file_name) for p in publications if p.pupil_id == pupil.id}
        for publication in publications:
            key = (publication.post_id, publication.file_name)
            if key in logged:
                continue
            if publication.post_id is not None:
                post = session.get(Post, publication.post_id)
                snapshot = json.loads(post.approval_snapshot or "{}") if post else {}
                faces = snapshot.get(str(face.photo_id), [])
                if faces and not any(f["face"] == face.id and f["shown"] for f in faces):
                    continue
            logged.add(key)
            session.add(Publication(
                post_id=publication.post_id, photo_id=publication.photo_id, pupil_id=pupil.id,
                channel_id=publication.channel_id, file_name=publication.file_name,
                sha256=publication.sha256, exported_at=publication.exported_at,
                exported_by=publication.exported_by))
            self._audit(session, actor, "publication.named", f"file:{publication.file_name}",
                        "pupil", None, f"{pupil.pupil_id} (face {face.id} named after export)")

    def add_blur(self, actor: str, photo_id: int, box: Box, reason: str) -> int:
        """Blur a region the detector missed; returns its face id."""
        with self.db.transaction() as session:
            self.require(session, actor, STAFF)
            photo = self._photo(session, photo_id)
            left, top = max(0, box.left), max(0, box.top)
            right, bottom = min(photo.width, box.right), min(photo.height, box.bottom)
            if right - left < 2 or bottom - top < 2:
                raise ClassLensError(f"the region {box.as_list()} is outside the photo "
                                     f"({photo.width}x{photo.height})")
            face = Face(left=left, top=top, right=right, bottom=bottom, score=1.0,
                        source="manual", blur_forced=True, not_a_face=False,
                        reviewed_by=actor, review_reason=reason)
            photo.faces.append(face)
            session.flush()
            self._audit(session, actor, "face.added", f"photo:{photo_id}/face:{face.id}",
                        "review", None, f"blur region {[left, top, right, bottom]} ({reason})")
            return face.id

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
        pupils = list({p.id: p for p in rendering.shown}.values()) or [None]
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
            target = self.library.path(f"thumbnails/{photo.sha256[:2]}/{photo.sha256}-{size}.jpg")
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
                    try:
                        jobs[photo.id] = self._export_job(photo, channel, policy,
                                                          alone=actor)[1]
                    except ClassLensError:
                        pass  # refused again below, with its own message
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

    def photos(self, class_name: str | None = None) -> list[Photo]:
        with self.db.transaction() as session:
            query = select(Photo).options(selectinload(Photo.faces)).order_by(Photo.id)
            if class_name:
                query = query.join(SchoolClass).where(SchoolClass.name == class_name)
            return list(session.scalars(query))


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
    return face.named_pupil


def face_facts(face: Face) -> FaceFacts:
    return FaceFacts(
        recognised=face.pupil.pupil_id if face.pupil is not None else None,
        match_note=face.match_note,
        named=face.named_pupil.pupil_id if face.named_pupil is not None else None,
        blur_forced=face.blur_forced, not_a_face=face.not_a_face,
        manual_region=face.source == "manual",
        correction_confirmed_by=face.correction_confirmed_by)


def _describe_review(face: Face) -> str:
    parts = []
    if face.pupil is not None:
        parts.append(f"recognised: {face.pupil.pupil_id}")
    if face.correction_confirmed_by:
        parts.append(f"recognition corrected (confirmed by {face.correction_confirmed_by})")
    if face.named_pupil is not None:
        parts.append(f"named: {face.named_pupil.pupil_id}")
    if face.not_a_face:
        parts.append("not a face")
    if face.blur_forced:
        parts.append("blurred")
    return ", ".join(parts) or "unidentified"


def _region(box: Box) -> str:
    return f"{box.width}x{box.height} px from ({box.left}, {box.top})"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "channel"

