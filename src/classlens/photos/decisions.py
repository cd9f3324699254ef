"""Whether each face in a photo is shown or blurred on a channel: blur by default.

Pure: the caller hands in what is known of each face and the consent
verdicts of the pupils it is tied to. Two kinds of knowledge are kept apart:
what recognition found (never overwritten by a review) and what a reviewer
decided. The rule:

- nothing is shown under a no-faces policy, nor a reviewer's blur region, nor
  a face a reviewer asked to blur: a reviewer may always blur;
- a face recognition ties to a pupil is that pupil, whatever a reviewer says
  ("not a face", another name), until an SLT member confirms the correction;
  it is shown only when the consent rules allow that pupil on the channel;
- a reviewer may name a face recognition did not identify (the lawful
  alternative to biometrics); the named pupil's consent then decides;
- an unidentified face stays blurred unless a reviewer cleared it as not a
  face, which the approver sees in the post's face decisions.

A photo in which a never-publish pupil is recognised or named is not
exported at all (see `blocking`).
"""

from __future__ import annotations

from dataclasses import dataclass

from classlens.register.consent import Reason, Verdict


@dataclass(frozen=True)
class FaceFacts:
    recognised: str | None  # the pupil id (UPN) recognition found, if any
    match_note: str | None = None  # why recognition found nobody (too small...)
    named: str | None = None  # the pupil id a reviewer named, if any
    blur_forced: bool = False
    not_a_face: bool = False
    manual_region: bool = False
    # The SLT member who confirmed that recognition named the wrong pupil.
    correction_confirmed_by: str | None = None

    @property
    def recognition_stands(self) -> bool:
        return self.recognised is not None and self.correction_confirmed_by is None


@dataclass(frozen=True)
class FaceDecision:
    shown: bool
    reason: str
    pupil: str | None = None  # the pupil shown, unblurred (for the publication log)

    def as_dict(self) -> dict:
        return {"shown": self.shown, "reason": self.reason}


def decide_face(face: FaceFacts, recognised: Verdict | None, named: Verdict | None,
                policy_faces: str) -> FaceDecision:
    """`recognised` and `named` are the consent verdicts of the pupils the face
    is tied to by recognition and by a reviewer (None when not tied)."""
    if face.manual_region:
        return FaceDecision(False, "blur region added by a reviewer")
    if policy_faces != "consented":  # "none", or anything unknown: fail closed
        return FaceDecision(False, "school policy: no faces are published")
    if face.blur_forced:
        return FaceDecision(False, "blurred by a reviewer")
    if face.recognition_stands:
        said = _overruled_review(face)
        if recognised is None or not recognised.allowed:
            message = recognised.message if recognised is not None else "unknown pupil"
            return FaceDecision(False, f"recognised as {face.recognised}: {message}{said}")
        if face.named is not None and face.named != face.recognised:
            return FaceDecision(False, f"recognised as {face.recognised} but named as "
                                f"{face.named} by a reviewer: an SLT member must confirm "
                                "the correction")
        return FaceDecision(True, f"recognised as {face.recognised}: {recognised.message}",
                            face.recognised)
    corrected = (f" (recognition as {face.recognised} corrected, confirmed by "
                 f"{face.correction_confirmed_by})" if face.recognised is not None else "")
    if face.named is not None:
        if named is None or not named.allowed:
            message = named.message if named is not None else "unknown pupil"
            return FaceDecision(False, f"named by a reviewer as {face.named}: {message}"
                                f"{corrected}")
        return FaceDecision(True, f"named by a reviewer as {face.named}: {named.message}"
                            f"{corrected}", face.named)
    if face.not_a_face:
        return FaceDecision(True, f"cleared by a reviewer: not a face{corrected}")
    note = f" ({face.match_note})" if face.match_note else ""
    return FaceDecision(False, f"not identified{note}{corrected}")


def _overruled_review(face: FaceFacts) -> str:
    if face.not_a_face:
        return "; a reviewer's \"not a face\" does not change that"
    if face.named is not None and face.named != face.recognised:
        return f"; a reviewer's naming as {face.named} does not change that"
    return ""


def blocking(face: FaceFacts, recognised: Verdict | None, named: Verdict | None) -> list[str]:
    """The never-publish pupils this face ties the photo to: such a photo is
    excluded, not merely blurred. A recognition counts until an SLT member
    confirmed it wrong; a reviewer's naming always counts."""
    pupils: list[str] = []
    if face.recognition_stands and face.recognised is not None and _never(recognised):
        pupils.append(face.recognised)
    if face.named is not None and _never(named) and face.named not in pupils:
        pupils.append(face.named)
    return pupils


def _never(verdict: Verdict | None) -> bool:
    return verdict is not None and verdict.reason is Reason.NEVER_PUBLISH


def blocks_export(verdict: Verdict | None) -> bool:
    """A photo showing a never-publish pupil is excluded, not merely blurred."""
    return _never(verdict)
