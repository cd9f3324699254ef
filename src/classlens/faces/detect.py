"""Face detection with YuNet (Apache-2.0 ONNX model, run by onnxruntime).

Chosen by measurement (benchmarks/detectors.py, figures in the README): on
12-megapixel photos of real faces from 24 to 300 pixels, YuNet-n at half
resolution with a low threshold and a coarse pass finds every face of 28 px
and more, and far more small faces than CenterFace did, in a sixth of its
time; a cascade (re-checking doubtful boxes at full resolution) was not needed.
A false positive costs a blurred patch the reviewer can clear; a miss
publishes a child, so the threshold errs towards finding too much, and only
boxes no face can have (see `clean_boxes`) are dropped.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from PIL import Image

from classlens.faces.box import Box
from classlens.resources import resources_dir

# The smallest face we promise to find, in pixels of the original photo. The
# detector sees the photo at DETECTION_SCALE (JPEG decodes at half size for
# free), except that small photos are never shrunk below DETECTION_LONG_EDGE.
MIN_FACE_PX = 32
DETECTION_SCALE = 0.5
DETECTION_LONG_EDGE = 2000
MODEL = "yunet_n.onnx"
# Measured: at 0.3 every face of 28 px and more is found on the composites and
# 95 % of 24 px faces, for about two false boxes in a photo of 80 tiny faces.
DEFAULT_THRESHOLD = 0.3
NMS_OVERLAP = 0.3
# A box this much inside a stronger one, or centred inside it, is the same face
# seen again (a mouth or an eye scored on its own, or the face shifted by a
# few pixels): the stronger box's blur covers it anyway.
CONTAINED = 0.6
# Width over height of a real face box; YuNet's are about 0.75. Anything far
# outside is a ghost (an 800x228 box over the mouth of a close-up portrait).
ASPECT_RANGE = (0.4, 1.6)


def detection_scale(width: int, height: int) -> float:
    """How much to shrink a photo before detection without losing a 32 px face."""
    return min(1.0, max(DETECTION_SCALE, DETECTION_LONG_EDGE / max(width, height, 1)))


@cache
def _session(threads: int = 1, model: str = MODEL):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    # One worker process per core does the batch work: one thread each.
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    options.enable_cpu_mem_arena = True
    options.enable_mem_pattern = False
    return onnxruntime.InferenceSession(
        str(resources_dir() / "models" / model), options, providers=["CPUExecutionProvider"])


def detect_faces(image: Image.Image, scale: float = 1.0, threshold: float = DEFAULT_THRESHOLD,
                 threads: int = 1, model: str = MODEL) -> list[Box]:
    """Faces in `image`, which is the original shrunk by `scale` (boxes come back
    in original pixels).

    A face too large for the network's coarsest grid (over about 300 pixels
    at detection scale) is found in a pass over the image at a quarter of
    the size. The network's memory grows with the pixels it sees (about
    100 MiB a megapixel), so a very large image is cut into overlapping tiles.
    """
    if image.mode != "RGB":
        image = image.convert("RGB")  # (convert to the same mode would copy)
    session = _session(threads, model)  # positional: warm_up caches the same key
    boxes: list[Box] = []
    for left, top, right, bottom in _tiles(image.width, image.height):
        tile = image if (right - left, bottom - top) == image.size else image.crop(
            (left, top, right, bottom))
        boxes += _run(session, tile, left, top, threshold)
    if min(image.size) >= 4 * 64:
        coarse = image.reduce(COARSE)
        boxes += [b.scaled(COARSE) for b in _run(session, coarse, 0, 0, threshold)]
    return [b.scaled(1 / scale) for b in clean_boxes(boxes)]


# Tiles of at most 4.2 megapixels keep a worker near 500 MiB; a 12 MP photo at
# half size is one tile. They overlap by 256 px, more than the largest face
# the fine pass must find whole (the coarse pass finds larger ones).
TILE_PIXELS = 4_200_000
OVERLAP = 256
COARSE = 4


def _tiles(width: int, height: int) -> list[tuple[int, int, int, int]]:
    """The grid of overlapping tiles with the fewest pixels in all, within the budget."""
    if width * height <= TILE_PIXELS:
        return [(0, 0, width, height)]
    best: list[tuple[int, int, int, int]] | None = None
    for columns in range(1, 9):
        for rows in range(1, 9):
            tiles = [(max(0, c * width // columns - OVERLAP // 2),
                      max(0, r * height // rows - OVERLAP // 2),
                      min(width, (c + 1) * width // columns + OVERLAP // 2),
                      min(height, (r + 1) * height // rows + OVERLAP // 2))
                     for r in range(rows) for c in range(columns)]
            if max((t[2] - t[0]) * (t[3] - t[1]) for t in tiles) > TILE_PIXELS:
                continue
            if best is None or _area(tiles) < _area(best):
                best = tiles
    assert best is not None  # one 8 x 8 grid always fits the budget
    return best


def _area(tiles) -> int:
    return sum((right - left) * (bottom - top) for left, top, right, bottom in tiles)


STRIDES = (8, 16, 32)


def _run(session, image: Image.Image, x: int, y: int, threshold: float) -> list[Box]:
    # YuNet wants BGR planes, 0-255, sides divisible by 32: pad rather than
    # stretch. Filled a plane at a time from Pillow's own bands: contiguous
    # copies, twice as fast as transposing a float copy of the whole image.
    width, height = image.size
    padded_h, padded_w = -(-height // 32) * 32, -(-width // 32) * 32
    blob = np.zeros((1, 3, padded_h, padded_w), dtype=np.float32)
    for plane, band in enumerate(reversed(image.split())):
        blob[0, plane, :height, :width] = np.asarray(band)
    names = [f"{kind}_{stride}" for stride in STRIDES for kind in ("cls", "obj", "bbox")]
    outputs = dict(zip(names, session.run(names, {"input": blob}), strict=True))
    boxes = []
    for stride in STRIDES:
        columns = padded_w // stride
        # OpenCV's FaceDetectorYN score: the geometric mean of class and objectness.
        scores = np.sqrt(np.clip(outputs[f"cls_{stride}"][0, :, 0], 0, 1)
                         * np.clip(outputs[f"obj_{stride}"][0, :, 0], 0, 1))
        index = np.flatnonzero(scores > threshold)
        rows, cols = np.divmod(index, columns)
        dx, dy, dw, dh = outputs[f"bbox_{stride}"][0, index].T
        cx, cy = (cols + dx) * stride, (rows + dy) * stride
        w, h = np.exp(dw) * stride, np.exp(dh) * stride
        left, top = np.maximum(0.0, cx - w / 2), np.maximum(0.0, cy - h / 2)
        right, bottom = np.minimum(width, cx + w / 2), np.minimum(height, cy + h / 2)
        keep = (right - left >= 2) & (bottom - top >= 2)
        boxes += [Box(int(a) + x, int(b) + y, int(c) + x, int(d) + y, s) for a, b, c, d, s in zip(
            left[keep].tolist(), top[keep].tolist(), np.ceil(right[keep]).tolist(),
            np.ceil(bottom[keep]).tolist(), scores[index][keep].tolist(), strict=True)]
    return boxes


def clean_boxes(boxes: list[Box]) -> list[Box]:
    """One box per face: the strongest of overlapping boxes, none mostly inside a
    stronger one or centred inside it (the same face again), none with a shape
    no face has. Greedy, strongest first, on arrays (a photo has hundreds of
    candidate boxes at a low threshold)."""
    shaped = [b for b in sorted(boxes, key=lambda b: b.score, reverse=True)
              if ASPECT_RANGE[0] <= b.width / max(1, b.height) <= ASPECT_RANGE[1]]
    if not shaped:
        return []
    a = np.array([b.as_list() for b in shaped], dtype=np.float64)
    area = np.maximum(1.0, (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]))
    cx, cy = (a[:, 0] + a[:, 2]) / 2, (a[:, 1] + a[:, 3]) / 2
    alive = np.ones(len(shaped), dtype=bool)
    kept = []
    for i in range(len(shaped)):
        if not alive[i]:
            continue
        kept.append(shaped[i])
        rest = np.flatnonzero(alive[i + 1:]) + i + 1
        w = np.clip(np.minimum(a[rest, 2], a[i, 2]) - np.maximum(a[rest, 0], a[i, 0]), 0, None)
        h = np.clip(np.minimum(a[rest, 3], a[i, 3]) - np.maximum(a[rest, 1], a[i, 1]), 0, None)
        inter = w * h
        same = ((inter / (area[rest] + area[i] - inter) >= NMS_OVERLAP)
                | (inter / area[rest] >= CONTAINED)
                | ((a[i, 0] <= cx[rest]) & (cx[rest] <= a[i, 2])
                   & (a[i, 1] <= cy[rest]) & (cy[rest] <= a[i, 3])))
        alive[rest[same]] = False
    return kept


# A portrait's own face is the largest; another face is a rival (and the photo
# is refused as a reference) only if it is both confident and at least half as
# wide. Weaker or smaller detections (a face on a poster behind, a ghost at the
# edge of a close-up) are ignored, and the enrolment report says so.
RIVAL_SCORE = 0.8
RIVAL_WIDTH = 0.5


def dominant_face(boxes: list[Box]) -> tuple[Box | None, list[Box], list[Box]]:
    """(the portrait's face or None, rivals that make it ambiguous, boxes ignored)."""
    if not boxes:
        return None, [], []
    main = max(boxes, key=lambda b: (b.width * b.height, b.score))
    others = [b for b in boxes if b is not main]
    rivals = [b for b in others
              if b.score >= RIVAL_SCORE and b.width >= RIVAL_WIDTH * main.width]
    ignored = [b for b in others if b not in rivals]
    return (None if rivals else main), rivals, ignored
