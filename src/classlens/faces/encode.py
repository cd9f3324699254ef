"""Face encodings (dlib's ResNet through face_recognition): 128 numbers per face.

An encoding is biometric data. Encodings of faces in photos are computed only
to compare them with enrolled pupils, held in memory, and never stored.
"""

from __future__ import annotations

import warnings

import numpy as np
from PIL import Image, ImageFile

from classlens.faces.detect import Box

# dlib aligns every face to a 150-pixel chip: there is no point encoding from
# more pixels than that, and a face much smaller cannot be recognised safely.
CHIP_PX = 150
MIN_RECOGNISE_PX = 60


def _face_recognition():
    with warnings.catch_warnings():
        # face_recognition_models imports pkg_resources, which warns on import.
        warnings.simplefilter("ignore", UserWarning)
        import face_recognition
    # face_recognition turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole
    # process when imported; a truncated photo must be reported, not padded grey.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return face_recognition


def encode_faces(image: Image.Image, boxes: list[Box], scale: float = 1.0) -> list[np.ndarray | None]:
    """One encoding per box (boxes in original pixels, `image` shrunk by `scale`);
    None where the face is too small to recognise."""
    fr = _face_recognition()
    encodings: list[np.ndarray | None] = []
    for box in boxes:
        if min(box.width, box.height) < MIN_RECOGNISE_PX:
            encodings.append(None)
            continue
        # Crop around the face with a margin so dlib's landmarks see the whole
        # face, and shrink large faces to about twice the chip size.
        margin = box.width // 3
        region = Box(max(0, box.left - margin), max(0, box.top - margin),
                     box.right + margin, box.bottom + margin).scaled(scale)
        crop = image.crop(region.as_list())
        shrink = min(1.0, 2 * CHIP_PX / max(1, box.width * scale))
        if shrink < 1.0:
            crop = crop.resize((max(1, round(crop.width * shrink)),
                                max(1, round(crop.height * shrink))), Image.Resampling.BILINEAR)
        factor = scale * shrink
        face = box.scaled(factor)
        origin = region.scaled(shrink)
        location = (face.top - origin.top, face.right - origin.left,
                    face.bottom - origin.top, face.left - origin.left)
        found = fr.face_encodings(np.asarray(crop), known_face_locations=[location])
        encodings.append(found[0] if found else None)
    return encodings
