"""Whether each face in a photo is shown or blurred on a channel: blur by default.

Pure: the caller hands in what is known of each face and the consent
verdict of the pupil it was identified as. A face is shown only when it is
identified (recognised from a template, or named by a reviewer) as a pupil
whom the consent function allows on the channel today, no reviewer asked for
it to be blurred, and the school's policy shows faces at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from classlens.register.consent import Reason, Verdict


@dataclass(frozen=True)
class FaceFacts:
    pupil_label: str | None  # the pupil id (UPN) it was identified as, if any
    identified_by: str | None  # "recognition" | "reviewer"
    match_note: str | None
    blur_forced: bool = False
    not_a_face: bool = False
    manual_region: bool = False


@dataclass(frozen=True)
class FaceDecision:
    shown: bool
    reason: str

    def as_dict(self) -> dict:
        return {"shown": self.shown, "reason": self.reason}


def decide_face(face: FaceFacts, verdict: Verdict | None, policy_faces: str) -> FaceDecision:
    if face.not_a_face:
        return FaceDecision(True, "cleared by a reviewer: not a face")
    if face.manual_region:
        return FaceDecision(False, "blur region added by a reviewer")
    if policy_faces == "none":
        return FaceDecision(False, "school policy: no faces are published")
    if face.blur_forced:
        return FaceDecision(False, "blurred by a reviewer")
    if face.pupil_label is None or verdict is None:
        note = f" ({face.match_note})" if face.match_note else ""
        return FaceDecision(False, f"not identified{note}")
    how = "recognised" if face.identified_by == "recognition" else "named by a reviewer"
    if not verdict.allowed:
        return FaceDecision(False, f"{how} as {face.pupil_label}: {verdict.message}")
    return FaceDecision(True, f"{how} as {face.pupil_label}: {verdict.message}")


def blocks_export(verdict: Verdict | None) -> bool:
    """A photo showing a never-publish pupil is excluded, not merely blurred."""
    return verdict is not None and verdict.reason is Reason.NEVER_PUBLISH
