"""Enrolling a pupil's reference photos: face templates, only with biometric consent."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from classlens.audit import record
from classlens.errors import ClassLensError
from classlens.faces.box import Box
from classlens.photos.library import sha256_of
from classlens.services.access import MANAGE_REGISTER, require
from classlens.services.biometrics import biometric_verdict
from classlens.services.context import Context
from classlens.services.lookups import find_pupil, lock_register, now, school_policy
from classlens.storage.models import Pupil, Template

# Image and face libraries (numpy, Pillow, onnxruntime, dlib) are imported by
# the methods that use them: every command opens these services, and listing
# the register should not pay for loading them.


@dataclass(frozen=True)
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



class EnrolmentServices:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def enrol(self, actor: str, pupil_id: str, paths: list[str]) -> EnrolReport:
        """Reference photos for a pupil with biometric consent: one face each."""
        with self.ctx.db.transaction() as session:
            require(session, actor, MANAGE_REGISTER)
            # Refused before any photo is opened: no template is ever computed.
            self._enrollable(session, pupil_id)
            cipher = self.ctx.cipher()
            cipher.check_matches(session.scalar(select(Template.encrypted).limit(1)))
        from classlens.photos import decode

        # The faces are encoded outside any transaction (seconds per photo), then
        # stored under the register lock after consent is read again: a
        # withdrawal meanwhile either comes first (nothing is stored) or after
        # (its sweep deletes what was stored).
        errors, found = [], []
        for given in paths:
            try:
                found.append((given, *self._reference_encoding(Path(given))))
            except (decode.PhotoError, OSError) as error:
                errors.append({"file": given, "message": str(error)})
        if not found:
            return EnrolReport(errors=errors)
        with self.ctx.db.transaction() as session:
            lock_register(session)
            pupil = self._enrollable(session, pupil_id, " (it changed while the photos were "
                                     "read: nothing was enrolled)")
            for _given, encoding, data, image_format, _note in found:
                relative = self.ctx.library.store("references", data, sha256_of(data),
                                                  image_format)
                session.add(Template(pupil_id=pupil.id, encrypted=cipher.encrypt(encoding),
                                     reference_path=relative, created_at=now(),
                                     created_by=actor))
            notes = [{"file": given, "message": note} for given, *_, note in found if note]
            record(session, actor, "templates.enrolled", f"pupil:{pupil_id}",
                   "biometric", None, f"{len(found)} reference photo(s)")
            return EnrolReport(enrolled=len(found), errors=errors, notes=notes)

    def _enrollable(self, session: Session, pupil_id: str, when: str = "") -> Pupil:
        """The pupil, if the school recognises faces and their biometric consent
        allows a template today; refused otherwise."""
        policy = school_policy(session)
        if not policy.recognises_faces:
            raise ClassLensError(
                f"the school's policy ({policy.name}) has no face recognition, so no "
                f"pupil is enrolled{when}; name pupils by hand in photo review if you need to")
        pupil = find_pupil(session, pupil_id)
        verdict = biometric_verdict(pupil, self.ctx.today())
        if not verdict.allowed:
            raise ClassLensError(
                f"{pupil_id} cannot be enrolled: biometric consent {verdict.message}{when}. "
                "Name this pupil by hand in photo review instead.")
        return pupil

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
            note = (f"used the face at {describe_region(face)}; ignored {len(ignored)} weaker or "
                    f"smaller detection(s) at {', '.join(describe_region(b) for b in ignored)}")
        return encoding, data, decode.inspect(data).format, note

    def templates_of(self, pupil_id: str) -> int:
        with self.ctx.db.transaction() as session:
            pupil = find_pupil(session, pupil_id)
            return len(list(session.scalars(
                select(Template.id).where(Template.pupil_id == pupil.id))))


def describe_region(box: Box) -> str:
    return f"{box.width}x{box.height} px from ({box.left}, {box.top})"
