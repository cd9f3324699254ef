"""Importing photos: every face found, recognised where consent allows, stored once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from classlens.audit import record
from classlens.photos.files import expand_paths
from classlens.services.access import STAFF, require
from classlens.services.biometrics import biometric_verdict, enrolled_templates
from classlens.services.context import Context
from classlens.services.lookups import find_class, lock_register, now, school_policy
from classlens.storage.models import Face, Photo, Pupil

if TYPE_CHECKING:
    from classlens.photos.analyse import Analysis
    from classlens.tasks import TaskState, Workers

# Image and face libraries (numpy, Pillow, onnxruntime, dlib) are imported by
# the methods that use them: every command opens these services, and listing
# the register should not pay for loading them.


@dataclass(frozen=True)
class ImportedPhoto:
    file: str
    id: int | None = None
    error: str | None = None
    duplicate: bool = False
    faces: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"file": self.file, "id": self.id, "error": self.error,
                "duplicate": self.duplicate, "faces": self.faces}



class PhotoImportServices:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def import_photos(self, actor: str, paths: list[str], class_name: str,
                      state: TaskState | None = None, workers: int | Workers | None = None
                      ) -> list[ImportedPhoto]:
        """Import photos; each is fully in (file, faces, matches) or not at all.

        Safe to run again after an interruption: photos already in the library
        are recognised by content and reported as duplicates. `workers`: how
        many processes, or processes already started (`import_workers`).
        """
        from classlens.photos.analyse import analyse, import_workers
        from classlens.tasks import TaskState, run_parallel

        state = state or TaskState()
        with self.ctx.db.transaction() as session:
            require(session, actor, STAFF)
            policy = school_policy(session)
            school_class = find_class(session, class_name)
            class_id = school_class.id
            self.ctx.sweep_templates(session, actor)
            recognition = policy.recognises_faces
            enrolled = (enrolled_templates(session, self.ctx.cipher(), self.ctx.today())
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
                run_parallel(analyse, files, args, import_workers(workers), state,
                             _worker_died),
                start=1):
            results[path] = self._store_analysis(actor, analysis, class_id, enrolled, policy)
            state.progress(done, len(files), path)
        return [results[f] for f in files if f in results]

    def _store_analysis(self, actor: str, analysis: Analysis, class_id: int,
                        enrolled, policy) -> ImportedPhoto:
        from classlens.photos import decode

        if analysis.error:
            return ImportedPhoto(analysis.path, error=analysis.error)
        try:
            return self._store_photo(actor, analysis, class_id, enrolled, policy)
        except IntegrityError:
            # Another import committed the same photo between our check and our
            # write (two imports of one folder at once): it is a duplicate.
            with self.ctx.db.transaction() as session:
                existing = session.scalar(select(Photo).where(
                    Photo.sha256 == analysis.sha256))
                if existing is None:
                    raise
                return self._duplicate(analysis, existing)
        except decode.PhotoError as error:
            return ImportedPhoto(analysis.path, error=str(error))

    def _duplicate(self, analysis: Analysis, existing: Photo) -> ImportedPhoto:
        return ImportedPhoto(analysis.path, id=existing.id, duplicate=True,
                             faces=[self._face_summary(f) for f in existing.faces])

    def _store_photo(self, actor: str, analysis: Analysis, class_id: int, enrolled,
                     policy) -> ImportedPhoto:
        from classlens.faces.encode import tolerance_for
        from classlens.faces.match import match_face

        with self.ctx.db.transaction() as session:
            existing = session.scalar(select(Photo).where(Photo.sha256 == analysis.sha256))
            if existing is not None:
                return self._duplicate(analysis, existing)
            if enrolled:
                # The templates were read when the import began; a withdrawal of
                # biometric consent since takes effect at once: read under the
                # register lock, nobody is compared with a pupil who withdrew.
                lock_register(session)
                enrolled = {pupil.id: enrolled[pupil.id] for pupil in session.scalars(
                    select(Pupil).where(Pupil.id.in_(list(enrolled)))
                    .options(selectinload(Pupil.consents)))
                            if biometric_verdict(pupil, self.ctx.today()).allowed}
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
                                           analysis.encoded_px, strict=True):
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
            record(session, actor, "photo.imported", f"photo:{photo.id}", None, None,
                   f"{len(photo.faces)} face(s)")
            return ImportedPhoto(analysis.path, id=photo.id,
                                 faces=[self._face_summary(f) for f in photo.faces])

    def _store_original(self, analysis: Analysis) -> str:
        assert analysis.format is not None and analysis.data is not None  # decoded
        assert analysis.sha256 is not None
        return self.ctx.library.store("originals", analysis.data, analysis.sha256,
                                      analysis.format)

    @staticmethod
    def _face_summary(face: Face) -> dict:
        recognised = face.identified_by == "recognition" and face.pupil is not None
        return {"box": [face.left, face.top, face.right, face.bottom],
                "pupil_id": face.pupil.pupil_id if face.pupil is not None else None,
                "distance": None if face.distance is None or not recognised
                else round(face.distance, 4)}


def _worker_died(path: str, error: BaseException) -> Analysis:
    from classlens.photos.analyse import Analysis

    return Analysis(path, error="the process analysing this photo stopped (it may be too "
                    "large for this computer's memory, or damaged); it was not imported")
