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
from classlens.faces.encode import encode_faces
from classlens.photos import decode
from classlens.photos.library import sha256_of


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


def warm_up() -> None:
    """Load the models once per worker process, before the first photo."""
    from classlens.faces.detect import _session
    from classlens.faces.encode import models

    _session(1)
    models()


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
        del data  # the worker holds one copy of the photo at a time
        boxes = detect_faces(image, real_scale)
        # Encodings come from the detection image too: a face we try to
        # recognise (60 px or more) is still 30 px or more there, and measured
        # encodings moved by 0.1 at most against full resolution, well inside
        # the margin, while decoding 12 MP again would cost a third of the time.
        result.encodings = encode_faces(image, boxes, real_scale) if encode else [None] * len(boxes)
    except decode.PhotoError as error:
        result.error = str(error)
        return result
    result.format, result.width, result.height = info.format, info.width, info.height
    result.captured_at = info.captured_at
    result.boxes = boxes
    return result
