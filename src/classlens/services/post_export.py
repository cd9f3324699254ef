"""A post leaves the app: its export folder, checked against what was approved."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy.orm import Session

from classlens.atomic_write import write_atomic
from classlens.audit import record
from classlens.errors import ClassLensError
from classlens.photos.library import sha256_of
from classlens.posts.rules import blocking
from classlens.services.access import STAFF, require
from classlens.services.context import Context
from classlens.services.lookups import lock_register, now
from classlens.services.post_reading import EXPORTABLE, PostReader, iso, touch
from classlens.services.rendering import Renderer, log_publication, slug
from classlens.storage.models import Post


class PostExportServices:
    def __init__(self, ctx: Context, reader: PostReader, renderer: Renderer) -> None:
        self.ctx = ctx
        self.reader = reader
        self.renderer = renderer

    def export_post(self, actor: str, post_id: int, out_dir: Path) -> dict:
        """Write the post's folder; refuses if anything changed since approval.

        The slow part (rendering) runs first; then, under the register lock,
        one transaction re-reads consent and every face's decision, refuses on
        any difference from what was approved, and writes the publication log;
        the files follow once it is committed. A withdrawal racing the export
        either commits first (and the export is refused) or waits for the log
        (and opens a takedown).
        """
        with self.ctx.db.transaction() as session:
            require(session, actor, STAFF)
            self.ctx.sweep_templates(session, actor)
            post = self._exportable(session, post_id)
            renderings = [(item.photo_id, item.alt_text,
                           self.renderer.render(session, item.photo, post.channel))
                          for item in post.photos]
        with self.reader.race_reported(post_id), self.ctx.db.transaction() as session:
            lock_register(session)
            post = self._exportable(session, post_id)
            sizes = {photo_id: len(r.data) for photo_id, _, r in renderings}
            at = self.ctx.clock()
            standing = blocking(self.reader.problems(session, post, at, sizes),
                                json.loads(post.acknowledged))
            if standing:
                raise ClassLensError(f"post {post_id} cannot be exported now:\n" + "\n".join(
                    f"  [{p.rule}] {p.message}" for p in standing))
            exported_at = now()
            folder_name = f"post{post.id}-{slug(post.channel.name)}"
            images = []
            files: dict[str, bytes] = {}
            for number, (photo_id, alt, rendering) in enumerate(renderings, start=1):
                name = f"post{post.id}-{number}-{sha256_of(rendering.data)[:8]}.jpg"
                files[name] = rendering.data
                images.append({"file": name, "sha256": sha256_of(rendering.data),
                               "alt": alt, "photo_id": photo_id,
                               "faces_shown": sum(f["shown"] for f in rendering.faces),
                               "faces_blurred": sum(not f["shown"] for f in rendering.faces)})
                log_publication(session, actor, photo_id, post.channel, name, rendering,
                                exported_at, post.id)
            files["caption.txt"] = (post.caption + "\n").encode("utf-8")
            files["alt.txt"] = "".join(f"{n}. {i['alt']}\n" for n, i in
                                       enumerate(images, start=1)).encode("utf-8")
            manifest = {
                "post_id": post.id, "channel": post.channel.name,
                "platform": post.channel.platform, "class": post.school_class.name,
                "author": post.author, "approver": post.decided_by,
                "created_at": iso(post.created_at), "approved_at": iso(post.decided_at),
                "exported_at": exported_at.isoformat(), "exported_by": actor,
                "caption_file": "caption.txt", "images": images,
            }
            files["manifest.json"] = (json.dumps(manifest, indent=2, ensure_ascii=False)
                                      + "\n").encode("utf-8")
            old = post.status
            if post.status == "approved":
                post.status = "exported"
            post.exported_at, post.exported_by = exported_at, actor
            touch(post, actor)
            folder = out_dir / folder_name
            record(session, actor, "post.exported", f"post:{post_id}", "status", old,
                   f"{post.status}: {len(images)} image(s) to {folder}")
        # Written once the log is committed: a command killed or stopped in
        # between leaves logged files that were never written (their takedown
        # finds nothing), never files that no log names. Exporting again writes them.
        _write_folder(folder, files)
        return {"folder": str(folder), "files": sorted(files)}

    def _exportable(self, session: Session, post_id: int) -> Post:
        """The post, approved, with exactly the face decisions that were approved."""
        post = self.reader.post_row(session, post_id)
        if post.status not in EXPORTABLE:
            raise ClassLensError(f"post {post_id} is {post.status}: only an approved post "
                                 "is exported")
        changes = self._changes_since_approval(session, post)
        if changes:
            raise ClassLensError(
                f"post {post_id} changed since it was approved, so it is not exported:\n"
                + "\n".join(f"  {c}" for c in changes)
                + "\nEdit the post (it goes back to draft) and have it approved again.")
        return post

    def _changes_since_approval(self, session: Session, post: Post) -> list[str]:
        """Every difference between the faces approved and the faces now, in words."""
        approved = json.loads(post.approval_snapshot or "{}")
        if any(not isinstance(faces, list) for faces in approved.values()):
            return ["this post was approved before approvals covered every face's decision"]
        current = self.reader.face_snapshot(session, post)
        changes = []
        for photo_id in sorted(approved.keys() | current.keys(), key=int):
            then = {f["face"]: f for f in approved.get(photo_id, [])}
            now_ = {f["face"]: f for f in current.get(photo_id, [])}
            if photo_id not in current or photo_id not in approved:
                how = "removed from" if photo_id in approved else "added to"
                changes.append(f"photo {photo_id} was {how} the post")
                continue
            for face_id in sorted(then.keys() | now_.keys()):
                before, after = then.get(face_id), now_.get(face_id)
                where = f"photo {photo_id}, face {face_id}"
                if before is None:
                    assert after is not None  # the face is in one snapshot or the other
                    changes.append(f"{where} at {after['box']} was added since approval "
                                   f"({_shown(after)})")
                elif after is None:
                    changes.append(f"{where} at {before['box']} is gone since approval "
                                   f"(it was {_shown(before)})")
                elif before != after:
                    changes.append(f"{where} at {after['box']} was {_shown(before)}; "
                                   f"now {_shown(after)}")
        return changes


def _shown(face: dict) -> str:
    return f"{'shown' if face['shown'] else 'blurred'}: {face['why']}"


def _write_folder(target: Path, files: dict[str, bytes]) -> None:
    """Write every file into a temporary folder, then put it in place whole."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".part-{target.name}")
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir()
    for name, data in files.items():
        write_atomic(temporary / name, data)
    if target.exists():
        shutil.rmtree(target)
    temporary.rename(target)
