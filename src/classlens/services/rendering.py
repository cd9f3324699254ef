"""A photo as it leaves the app for a channel: every face decided by the
consent rules today, blurred where not cleared, resized and re-encoded; and
the publication log that lets a withdrawal of consent find the file.

Photos, single-photo exports and post exports all render through here, so a
face is decided one way wherever it is shown."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from classlens.errors import ClassLensError
from classlens.faces.box import Box
from classlens.photos.decisions import FaceDecision, FaceFacts, blocking, decide_face
from classlens.photos.library import sha256_of
from classlens.policy.platforms import PLATFORM_LIMITS
from classlens.policy.presets import Policy
from classlens.register.consent import Verdict, may_show
from classlens.services.context import Context
from classlens.services.lookups import school_policy
from classlens.storage.models import Channel, Face, Photo, Publication, Pupil


@dataclass(frozen=True)
class Rendering:
    data: bytes  # the exported JPEG
    faces: list[dict]  # box in exported pixels, shown, reason
    shown: tuple[int, ...] = ()  # the pupils (rows) whose faces are shown, unblurred


class Renderer:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def decide(self, face: Face, channel: Channel,
               policy_faces: str) -> tuple[FaceDecision, list[str]]:
        """The face's decision on the channel today, and the never-publish
        pupils it ties the photo to (which keep the photo out altogether)."""
        def verdict(pupil: Pupil | None) -> Verdict | None:
            if pupil is None:
                return None
            return may_show(pupil.facts(), pupil.decisions(), channel.category,
                            self.ctx.today())

        recognised, named = verdict(face.pupil), verdict(face.named_pupil)
        facts = face_facts(face)
        return (decide_face(facts, recognised, named, policy_faces),
                blocking(facts, recognised, named))

    def export_job(self, session: Session, photo: Photo, channel: Channel,
                   alone: str | None = None):
        """The faces' decisions on the channel today and the pixel work they
        call for (an ExportJob). Refuses a photo in which a never-publish pupil
        is identified. `alone` names who exports it without a post's approval:
        a face shown only because they cleared or named it themselves stays
        blurred, since no second person saw that decision."""
        policy: Policy = school_policy(session)
        decided = [(f, *self.decide(f, channel, policy.faces)) for f in photo.faces]
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
        job = exporter.ExportJob(str(self.ctx.library.path(photo.library_path)), photo.sha256,
                                 photo.width, photo.height, limits.long_edge, limits.max_bytes,
                                 blur, policy.blur_style)
        return decided, job

    def render(self, session: Session, photo: Photo, channel: Channel, made=None,
               alone: str | None = None) -> Rendering:
        """A photo's pixels for a channel: decided, blurred, resized, re-encoded.

        `made` maps export jobs to files already made (a batch makes them on
        every core first); one is used only if it is the job these decisions
        call for, so the file always matches the decisions of this transaction.
        """
        from classlens.render import export as exporter

        decided, job = self.export_job(session, photo, channel, alone=alone)
        data, factor = (made or {}).get(job) or exporter.make(job)
        faces = [{"box": Box(f.left, f.top, f.right, f.bottom).scaled(factor).as_list(),
                  "shown": d.shown, "reason": d.reason} for f, d, _ in decided]
        shown = tuple(dict.fromkeys(_shown_pupil(f, d).id for f, d, _ in decided
                                    if d.shown and d.pupil))
        return Rendering(data, faces, shown)


def log_publication(session: Session, actor: str, photo_id: int, channel: Channel,
                    file_name: str, rendering: Rendering, at, post_id: int | None = None
                    ) -> None:
    """Every file that leaves the app goes into the publication log, with each
    pupil shown in it, so that a withdrawal of consent finds it."""
    digest = sha256_of(rendering.data)
    for pupil_row in rendering.shown or (None,):
        session.add(Publication(post_id=post_id, photo_id=photo_id, pupil_id=pupil_row,
                                channel_id=channel.id, file_name=file_name, sha256=digest,
                                exported_at=at, exported_by=actor))


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
