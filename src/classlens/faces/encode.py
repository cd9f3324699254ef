"""Face encodings: 128 numbers per face, from dlib's ResNet (face_recognition's models).

This is face_recognition's own `face_encodings(..., model="small")`: the
same five-point landmarks and the same ResNet from face_recognition_models,
called through dlib directly. Importing `face_recognition` itself would also
load its 68-point landmark model and two detectors we never use (about
100 MiB in every worker process) and switch on Pillow's LOAD_TRUNCATED_IMAGES
for the whole process, hiding damaged photos. A test checks the two agree.

An encoding is biometric data. Encodings of faces in photos are computed only
to compare them with enrolled pupils, held in memory, and never stored.
"""

from __future__ import annotations

import warnings
from functools import cache

import numpy as np
from PIL import Image

from classlens.faces.box import Box

# dlib aligns every face to a 150-pixel chip: there is no point encoding from
# more pixels than that. Sizes below are the face's width in the pixels the
# encoder sees. Measured on real faces shrunk from 100 to 32 px
# (benchmarks/recognition.py, table in the README): different people come
# closer as faces shrink, so faces under SMALL_FACE_PX are matched with a
# tolerance tighter by SMALL_FACE_TIGHTER, and faces under MIN_RECOGNISE_PX are
# never compared (they stay unknown, hence blurred).
CHIP_PX = 150
MIN_RECOGNISE_PX = 40
SMALL_FACE_PX = 80
SMALL_FACE_TIGHTER = 0.05
# Boxes the detector is unsure of (its threshold is low so as to blur every
# face) are not encoded: each encoding costs about 90 ms, and such a box, if a
# face at all, stays blurred for a reviewer to name.
MIN_ENCODE_SCORE = 0.5
# A reference photo is a portrait: its face must be at least this large.
ENROL_MIN_PX = 80


@cache
def models():
    """dlib's five-point landmark model and face ResNet, loaded once per process."""
    import dlib

    with warnings.catch_warnings():
        # face_recognition_models imports pkg_resources, which warns on import.
        warnings.simplefilter("ignore", UserWarning)
        import face_recognition_models as files
    return (dlib.shape_predictor(files.pose_predictor_five_point_model_location()),
            dlib.face_recognition_model_v1(files.face_recognition_model_location()))


def encode_at(pixels: np.ndarray, box: Box) -> np.ndarray:
    """The encoding of the face in `box` (pixels of `pixels`), one jitter."""
    import dlib

    landmarks, network = models()
    shape = landmarks(pixels, dlib.rectangle(box.left, box.top, box.right, box.bottom))
    return np.array(network.compute_face_descriptor(pixels, shape, 1))


def seen_px(box: Box, scale: float = 1.0) -> int:
    """The face's size in the pixels the encoder sees (`box` in original pixels)."""
    return round(min(box.width, box.height) * scale)


def tolerance_for(face_px: int, tolerance: float) -> float:
    """The match tolerance for a face of `face_px` (as seen by the encoder)."""
    return tolerance - SMALL_FACE_TIGHTER if face_px < SMALL_FACE_PX else tolerance


def encode_faces(image: Image.Image, boxes: list[Box], scale: float = 1.0,
                 min_px: int = MIN_RECOGNISE_PX) -> list[np.ndarray | None]:
    """One encoding per box (boxes in original pixels, `image` shrunk by `scale`);
    None where the face is too small to recognise."""
    encodings: list[np.ndarray | None] = []
    for box in boxes:
        if seen_px(box, scale) < min_px or box.score < MIN_ENCODE_SCORE:
            encodings.append(None)
            continue
        # Crop around the face with a margin so the landmarks see the whole
        # face, and shrink large faces to about twice the chip size.
        margin = box.width // 3
        region = Box(max(0, box.left - margin), max(0, box.top - margin),
                     box.right + margin, box.bottom + margin).scaled(scale)
        crop = image.crop((region.left, region.top, region.right, region.bottom))
        shrink = min(1.0, 2 * CHIP_PX / max(1, box.width * scale))
        if shrink < 1.0:
            crop = crop.resize((max(1, round(crop.width * shrink)),
                                max(1, round(crop.height * shrink))), Image.Resampling.BILINEAR)
        face, origin = box.scaled(scale * shrink), region.scaled(shrink)
        local = Box(face.left - origin.left, face.top - origin.top,
                    face.right - origin.left, face.bottom - origin.top)
        encodings.append(encode_at(np.asarray(crop.convert("RGB")), local))
    return encodings
