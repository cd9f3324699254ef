"""The per-photo work of an import, run in worker processes.

Reads the file once, checks it decodes completely, stores the original in
the library unchanged, finds faces and (when asked) encodes them. Returns
plain values; the database is written by the caller, one photo per
transaction, so a photo is either fully imported or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from classlens.faces.detect import Box, detect_faces, detection_scale
from classlens.faces.encode import encode_faces
from classlens.photos import decode
from classlens.photos.library import Library, sha256_of

MAX_FILE_BYTES = 200_000_000


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
    library_path: str | None = None
    boxes: list[Box] = field(default_factory=list)
    encodings: list[np.ndarray | None] = field(default_factory=list)


def warm_up(encode: bool = True) -> None:
    """Load the models once per worker process, before the first photo: dlib's
    only when faces will be encoded (a class with enrolled pupils), since
    loading it costs half a second of every worker's start."""
    from classlens.faces.detect import _session

    _session(1)
    if encode:
        from classlens.faces.encode import models

        models()


def analyse(path: str, library_root: str, encode: bool, known: frozenset[str]) -> Analysis:
    result = Analysis(path)
    source = Path(path)
    try:
        if source.stat().st_size > MAX_FILE_BYTES:
            raise decode.PhotoError(f"larger than {MAX_FILE_BYTES // 1_000_000} MB")
        data = source.read_bytes()
    except OSError as error:
        result.error = f"cannot read the file: {error.strerror or error}"
        return result
    except decode.PhotoError as error:
        result.error = str(error)
        return result
    result.sha256 = sha256_of(data)
    if result.sha256 in known:
        result.duplicate = True
        return result
    try:
        info = decode.inspect(source)
        scale = detection_scale(info.width, info.height)
        image, real_scale = decode.load(source, scale)
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
    result.library_path = Library(Path(library_root)).store(
        "originals", data, result.sha256, info.format)
    return result
