"""Photos in the library: their faces and what each may show on each
channel, previews as they would be exported, thumbnails."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from classlens.atomic_write import write_atomic
from classlens.faces.box import Box
from classlens.photos.decisions import FaceDecision
from classlens.services.context import Context
from classlens.services.lookups import find_channel, find_photo, school_policy
from classlens.services.rendering import Renderer, Rendering, face_facts
from classlens.services.views import PhotoView
from classlens.storage.models import Channel, Photo, SchoolClass

# Image libraries (numpy, Pillow) are imported by the methods that use them:
# every command opens these services, and listing the register should not pay
# for loading them.


@dataclass(frozen=True)
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


class PhotoServices:
    def __init__(self, ctx: Context, renderer: Renderer) -> None:
        self.ctx = ctx
        self.renderer = renderer

    def faces(self, photo_id: int) -> list[FaceView]:
        with self.ctx.db.transaction() as session:
            photo = find_photo(session, photo_id)
            channels = list(session.scalars(select(Channel).order_by(Channel.id)))
            policy_faces = school_policy(session).faces
            views = []
            for f in photo.faces:
                facts = face_facts(f)
                who, how = ((facts.recognised, "recognition") if facts.recognition_stands
                            else (facts.named, "reviewer") if facts.named else (None, None))
                views.append(FaceView(
                    id=f.id, box=Box(f.left, f.top, f.right, f.bottom, f.score),
                    source=f.source, pupil_id=who, identified_by=how,
                    distance=f.distance if how == "recognition" else None, note=f.match_note,
                    decisions={c.name: self.renderer.decide(f, c, policy_faces)[0]
                               for c in channels},
                    reviewed_by=f.reviewed_by, review_reason=f.review_reason,
                    recognised_pupil_id=facts.recognised,
                    correction_confirmed_by=f.correction_confirmed_by))
            return views

    def render_photo(self, photo_id: int, channel_name: str) -> Rendering:
        """The photo exactly as it would be exported for a channel (for previews)."""
        with self.ctx.db.transaction() as session:
            return self.renderer.render(session, find_photo(session, photo_id),
                                        find_channel(session, channel_name))

    def thumbnail(self, photo_id: int, size: int = 256) -> Path:
        """A small JPEG of the original, cached in the library (never exported)."""
        with self.ctx.db.transaction() as session:
            photo = find_photo(session, photo_id)
            target = self.ctx.library.thumbnail_path(photo.sha256, size)
            if not target.exists():
                from classlens.photos import decode

                image, _ = decode.load(self.ctx.library.path(photo.library_path),
                                       size / max(photo.width, photo.height))
                image.thumbnail((size, size))
                buffer = io.BytesIO()
                image.save(buffer, "JPEG", quality=80)
                write_atomic(target, buffer.getvalue())
            return target

    def photos(self, class_name: str | None = None) -> list[PhotoView]:
        with self.ctx.db.transaction() as session:
            query = (select(Photo).order_by(Photo.id)
                     .options(selectinload(Photo.faces), selectinload(Photo.school_class)))
            if class_name:
                query = query.join(SchoolClass).where(SchoolClass.name == class_name)
            return [PhotoView.of(p) for p in session.scalars(query)]
