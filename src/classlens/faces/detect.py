"""Face detection with CenterFace (MIT-licensed ONNX model, run by onnxruntime).

Measured on 12-megapixel photos (see benchmarks/photos.py): dlib's HOG
detector misses nearly all 40-pixel faces unless it runs at full resolution
(about 4 s a photo); CenterFace finds them at half resolution in about a
second. A false positive costs a blurred patch the reviewer can clear; a miss
publishes a child, so the threshold errs towards finding too much.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from PIL import Image

from classlens.faces.box import Box
from classlens.resources import resources_dir

# The smallest face we promise to find, in pixels of the original photo, and
# the size CenterFace needs to see it reliably: the detector runs at the
# resolution that maps the first onto the second.
MIN_FACE_PX = 36
DETECTOR_FACE_PX = 18
DEFAULT_THRESHOLD = 0.4
NMS_OVERLAP = 0.3


def detection_scale(width: int, height: int) -> float:
    """How much to shrink a photo before detection without losing a 36 px face."""
    return min(1.0, DETECTOR_FACE_PX / MIN_FACE_PX)


@cache
def _session(threads: int):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    # One worker process per core does the batch work: one thread each.
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    # Measured on 12 MP photos: the arena makes each run 35 % faster (it keeps its
    # buffers, bounded by the tile size), while memory patterns only cost memory.
    options.enable_cpu_mem_arena = True
    options.enable_mem_pattern = False
    return onnxruntime.InferenceSession(
        str(resources_dir() / "models" / "centerface.onnx"), options,
        providers=["CPUExecutionProvider"])


def detect_faces(image: Image.Image, scale: float = 1.0, threshold: float = DEFAULT_THRESHOLD,
                 threads: int = 1) -> list[Box]:
    """Faces in `image`, which is the original shrunk by `scale` (boxes come back
    in original pixels).

    The network's memory grows with the pixels it sees (about 250 MiB a
    megapixel), so a large image is cut into overlapping tiles: a face smaller
    than the overlap lies whole in some tile, and a coarse pass over the whole
    image at a quarter of the size finds the faces too large for that.
    """
    image = image.convert("RGB")
    boxes: list[Box] = []
    if image.width * image.height <= TILE_PIXELS:
        boxes = _run(image, 0, 0, threshold, threads)
    else:
        for left, top, right, bottom in _tiles(image.width, image.height):
            boxes += _run(image.crop((left, top, right, bottom)), left, top, threshold, threads)
        coarse = image.reduce(COARSE)
        boxes += [b.scaled(COARSE) for b in _run(coarse, 0, 0, threshold, threads)]
    return [b.scaled(1 / scale) for b in _suppress(boxes)]


# Tiles of at most 1.3 megapixels keep a worker near 450 MiB. They overlap by
# 192 px, so every face up to 192 px (at detection scale) lies whole in some
# tile with room around it; the coarse pass finds faces of 72 px and more.
TILE_PIXELS = 1_300_000
COARSE = 4
OVERLAP = 192


def _tiles(width: int, height: int) -> list[tuple[int, int, int, int]]:
    """The grid of overlapping tiles with the fewest pixels in all, within the budget."""
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
    return best


def _area(tiles) -> int:
    return sum((right - left) * (bottom - top) for left, top, right, bottom in tiles)


def _run(image: Image.Image, x: int, y: int, threshold: float, threads: int) -> list[Box]:
    rgb = np.asarray(image, dtype=np.float32)
    height, width = rgb.shape[:2]
    # CenterFace wants sides divisible by 32; pad rather than stretch.
    padded_h, padded_w = -(-height // 32) * 32, -(-width // 32) * 32
    blob = np.zeros((1, 3, padded_h, padded_w), dtype=np.float32)
    blob[0, :, :height, :width] = rgb.transpose(2, 0, 1)
    heatmap, scales, offsets, _landmarks = _session(threads).run(
        ["537", "538", "539", "540"], {"input.1": blob})
    return [Box(b.left + x, b.top + y, b.right + x, b.bottom + y, b.score)
            for b in _decode(heatmap[0, 0], scales[0], offsets[0], threshold, width, height)]


def _decode(heatmap, scales, offsets, threshold, width, height) -> list[Box]:
    rows, cols = np.where(heatmap > threshold)
    boxes = []
    for r, c in zip(rows, cols):
        box_h, box_w = np.exp(scales[0, r, c]) * 4, np.exp(scales[1, r, c]) * 4
        cy = (r + offsets[0, r, c] + 0.5) * 4
        cx = (c + offsets[1, r, c] + 0.5) * 4
        left, top = max(0.0, cx - box_w / 2), max(0.0, cy - box_h / 2)
        right, bottom = min(float(width), left + box_w), min(float(height), top + box_h)
        boxes.append(Box(int(left), int(top), int(np.ceil(right)), int(np.ceil(bottom)),
                         float(heatmap[r, c])))
    return boxes


def _suppress(boxes: list[Box]) -> list[Box]:
    """Non-maximum suppression: keep the strongest of overlapping boxes."""
    kept: list[Box] = []
    for box in sorted(boxes, key=lambda b: b.score, reverse=True):
        if all(box.overlap(k) < NMS_OVERLAP for k in kept):
            kept.append(box)
    return kept
