"""A person reviews a face: names the pupil, blurs it, or corrects recognition
(which a second person confirms)."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from classlens.audit import record
from classlens.errors import ClassLensError, NotAllowed, NotFound
from classlens.faces.box import Box
from classlens.services.access import STAFF, require
from classlens.services.context import Context
from classlens.services.lookups import find_photo, find_pupil
from classlens.storage.models import Face, Post, Publication, Pupil

REVIEW_ACTIONS = ("pupil", "blur", "not-a-face", "reset", "correct")

SLT = ("slt",)


class FaceReviewServices:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

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
        with self.ctx.db.transaction() as session:
            require(session, actor, STAFF)
            photo = find_photo(session, photo_id)
            face = next((f for f in photo.faces if f.id == face_id), None)
            if face is None:
                raise NotFound(f"photo {photo_id} has no face {face_id}")
            where = f"photo {photo_id}, face {face_id}"
            if face.source == "manual" and action not in ("blur", "reset"):
                raise ClassLensError(f"{where} is a blur region a reviewer added: it is always "
                                     "blurred")
            named = find_pupil(session, pupil_id) if action == "pupil" and pupil_id else None
            if action == "pupil" and named is None:
                raise ClassLensError("say which pupil this is", hint="--pupil PUPIL_ID")
            recognised = face.pupil if face.correction_confirmed_by is None else None
            corrects = recognised is not None and (
                action in ("correct", "not-a-face")
                or (action == "pupil" and named is not None and named.id != recognised.id))
            if (action == "correct" or confirmed_by) and recognised is None:
                raise ClassLensError(
                    f"recognition did not identify {where}; there is nothing to correct "
                    "(name the pupil, blur it, or mark it as not a face, with no one to "
                    "confirm it)", hint="leave out --confirmed-by")
            if corrects and not confirmed_by:
                assert recognised is not None  # corrects says so
                raise NotAllowed(
                    f"recognition identified {where} as {recognised.pupil_id}; saying it is "
                    f"{'not a face' if action == 'not-a-face' else 'someone else'} corrects "
                    "the recognition, which an SLT member other than you must confirm "
                    "(\"Not this pupil…\"). Blurring it needs no one.",
                    hint="--confirmed-by NAME, with NAME's password")
            if confirmed_by and not corrects:
                raise ClassLensError(
                    f"{where}: only a correction of what recognition found needs a "
                    "colleague to confirm it; this review does not change it",
                    hint="leave out --confirmed-by")
            if corrects:
                require(session, confirmed_by, SLT)
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
            record(session, actor, f"face.{action}", f"photo:{photo_id}/face:{face_id}",
                   "review", old, f"{_describe_review(face)} ({reason}){confirmation}")
            if action == "pupil" and face.named_pupil is not None:
                self._name_in_published_files(session, actor, face, face.named_pupil)

    def _name_in_published_files(self, session: Session, actor: str, face: Face,
                                 pupil: Pupil) -> None:
        """A face named after its photo went out: the files that showed it show
        this pupil, so their withdrawal of consent must find them. A post's
        approval says which faces it showed; for a single photo that is not
        kept, so it counts as shown (a takedown too many, never one too few)."""
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
            record(session, actor, "publication.named", f"file:{publication.file_name}",
                   "pupil", None, f"{pupil.pupil_id} (face {face.id} named after export)")

    def add_blur(self, actor: str, photo_id: int, box: Box, reason: str) -> int:
        """Blur a region the detector missed; returns its face id."""
        with self.ctx.db.transaction() as session:
            require(session, actor, STAFF)
            photo = find_photo(session, photo_id)
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
            record(session, actor, "face.added", f"photo:{photo_id}/face:{face.id}",
                   "review", None, f"blur region {[left, top, right, bottom]} ({reason})")
            return face.id


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
