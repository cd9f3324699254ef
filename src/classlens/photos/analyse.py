"""The per-photo work of an import, run in worker processes.

Reads the file once, checks it decodes completely, finds faces and (when
asked) encodes them. Returns plain values, and writes nothing: the caller
stores the original and writes the database, one photo per transaction, so
a worker left running after its parent died has nothing to leave behind.
Any failure, of whatever kind, becomes this file's error: one hostile file
never stops a batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from classlens.faces.detect import Box, detect_faces, detection_scale
from classlens.faces.encode import MIN_RECOGNISE_PX, encode_face_chips, face_chips, seen_px
from classlens.photos import decode
from classlens.photos.library import sha256_of
from classlens.tasks import Workers


@dataclass
class Analysis:
    path: str
    sha256: str | None = None
    error: str | None = None
    duplicate: bool = False
    format: str | None = None
    width: int = 0
    height: int = 0
    captured_at: object = None
    boxes: list[Box] = field(default_factory=list)
    encodings: list[np.ndarray | None] = field(default_factory=list)
    encoded_px: list[int] = field(default_factory=list)  # face size the encoder saw
    # The file's bytes as analysed, for the parent to store: the library keeps
    # exactly what was analysed, and the parent does not read and hash it again.
    data: bytes | None = None


def warm_up() -> None:
    """Load the detector once per worker process, as it starts. The landmarks
    and the face encoder are loaded at the first face to encode (only in a
    class with enrolled pupils): loading them costs a part of a second."""
    from classlens.faces.detect import MODEL, _session

    decode.keep_image_memory()
    _session(1, MODEL)  # the same arguments detect_faces passes: one session, cached


def import_workers(count: int | Workers | None = None) -> Workers:
    """The worker processes of an import, each loading the detector as it starts."""
    return count if isinstance(count, Workers) else Workers(count, warm_up)


def analyse(path: str, encode: bool, known: frozenset[str]) -> Analysis:
    try:
        return _analyse(path, encode, known)
    except Exception as error:  # noqa: BLE001 - never let one file stop the batch
        return Analysis(path, error=f"could not be analysed ({type(error).__name__}: {error})")


def _analyse(path: str, encode: bool, known: frozenset[str]) -> Analysis:
    result = Analysis(path)
    try:
        data = decode.read_photo_file(Path(path))
    except decode.PhotoError as error:
        result.error = str(error)
        return result
    result.sha256 = sha256_of(data)
    if result.sha256 in known:
        result.duplicate = True
        return result
    try:
        info = decode.inspect(data)
        scale = detection_scale(info.width, info.height)
        image, real_scale = decode.load(data, scale)
        boxes = detect_faces(image, real_scale)
        result.encodings, result.encoded_px = [None] * len(boxes), [0] * len(boxes)
        if encode:
            result.encodings, result.encoded_px = _encode(data, image, boxes, real_scale)
    except decode.PhotoError as error:
        result.error = str(error)
        return result
    result.format, result.width, result.height = info.format, info.width, info.height
    result.captured_at = info.captured_at
    result.boxes = boxes
    result.data = data
    return result


def _encode(data: bytes, image, boxes: list[Box], scale: float):
    """Encodings of the faces large enough to compare, and the size each was seen at.

    They come from the detection image (half size for a 12 MP photo) when the
    face is large enough there; faces that are only large enough in the
    original (a whole-class photo) are encoded from the full-resolution photo,
    decoded once and only then. All the chips go to the encoder in one call.
    """
    chips = face_chips(image, boxes, scale)
    seen = [seen_px(b, scale) for b in boxes]
    again = [i for i, (box, chip) in enumerate(zip(boxes, chips, strict=True))
             if chip is None and seen_px(box) >= MIN_RECOGNISE_PX]
    if again and scale < 1.0:
        full, full_scale = decode.load(data, 1.0)
        for i, chip in zip(again, face_chips(full, [boxes[i] for i in again], full_scale),
                           strict=True):
            chips[i], seen[i] = chip, seen_px(boxes[i], full_scale)
        full.close()
    return encode_face_chips(chips), seen
