"""12-megapixel test photos made of real faces, with the truth about every face.

The real faces are the public-domain photos in tests/data/faces (four
people, seven faces, each also mirrored). Each face is pasted at a chosen
width, from 24 to 300 pixels, and varied the way real class photos vary:
out of focus (Gaussian blur), darker or brighter, lower or higher contrast,
and the whole picture saved at one of several JPEG qualities.

    uv run python benchmarks/composites.py OUT_DIR [--set small|large|mixed] [--photos N]

writes OUT_DIR/IMG_*.jpg and OUT_DIR/truth.json (file -> [[left, top, right,
bottom], ...] face boxes in pixels of the photo).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter

ROOT = Path(__file__).parents[1]
FACES = ROOT / "tests" / "data" / "faces"
SIZE = (4000, 3000)

# Face boxes in the originals (what a detector reports, checked by eye).
SOURCES = [
    ("astronaut.png", (181, 58, 270, 178)),
    ("biden_portrait.jpg", (424, 176, 712, 576)),
    ("obama_address_720p.jpg", (581, 48, 751, 292)),
    ("obama_biden_blue_room.jpg", (230, 21, 390, 231)),
    ("obama_biden_blue_room.jpg", (780, 39, 952, 269)),
    ("obama_blue_room.jpg", (640, 264, 916, 612)),
    ("obama_portrait.jpg", (371, 111, 601, 421)),
]
MARGIN = 0.6  # head and shoulders around the face box
QUALITIES = (60, 75, 90)

# The sets: small faces at the sizes where detectors differ; larger faces as in
# trip photos; and a mix of everything.
SETS = {
    "small": [24, 28, 32, 36, 40],
    "large": [50, 60, 80, 120, 200, 300],
    "mixed": [24, 28, 32, 40, 50, 60, 80, 120, 200, 300],
}


def heads() -> list[tuple[Image.Image, tuple[int, int, int, int]]]:
    """Each face crop with its face box inside the crop, and its mirror image."""
    result = []
    for name, (left, top, right, bottom) in SOURCES:
        image = Image.open(FACES / name).convert("RGB")
        dx, dy = int((right - left) * MARGIN), int((bottom - top) * MARGIN)
        crop_box = (max(0, left - dx), max(0, top - dy),
                    min(image.width, right + dx), min(image.height, bottom + dy))
        crop = image.crop(crop_box)
        face = (left - crop_box[0], top - crop_box[1], right - crop_box[0],
                bottom - crop_box[1])
        result.append((crop, face))
        mirrored = crop.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        result.append((mirrored, (crop.width - face[2], face[1], crop.width - face[0],
                                  face[3])))
    return result


def background(rng: np.random.Generator) -> Image.Image:
    """Smooth colour blotches with fine grain: something like a room, no faces."""
    coarse = rng.integers(40, 200, (SIZE[1] // 64, SIZE[0] // 64, 3), dtype=np.uint8)
    canvas = Image.fromarray(coarse).resize(SIZE, Image.Resampling.BICUBIC)
    grain = rng.normal(0, 6, (SIZE[1], SIZE[0], 1))
    return Image.fromarray(np.clip(np.asarray(canvas) + grain, 0, 255).astype(np.uint8))


def vary(crop: Image.Image, rng: random.Random, face_px: int) -> Image.Image:
    """Lighting, contrast and focus as they vary across a real class photo."""
    crop = ImageEnhance.Brightness(crop).enhance(rng.choice([0.55, 0.75, 1.0, 1.0, 1.25]))
    crop = ImageEnhance.Contrast(crop).enhance(rng.choice([0.7, 1.0, 1.0, 1.2]))
    blur = rng.choice([0, 0, 0.6, 1.2]) * max(1.0, face_px / 60)
    return crop.filter(ImageFilter.GaussianBlur(blur)) if blur else crop


def make_photo(seed: int, sizes: list[int], faces_per_photo: int
               ) -> tuple[Image.Image, list[list[int]], int]:
    rng = random.Random(seed)
    canvas = background(np.random.default_rng(seed))
    sources = heads()
    truth: list[list[int]] = []
    taken: list[tuple[int, int, int, int]] = []
    for n in range(faces_per_photo):
        face_px = sizes[n % len(sizes)]
        crop, face = sources[rng.randrange(len(sources))]
        factor = face_px / (face[2] - face[0])
        scaled = crop.resize((max(1, round(crop.width * factor)),
                              max(1, round(crop.height * factor))), Image.Resampling.LANCZOS)
        scaled = vary(scaled, rng, face_px)
        for _ in range(200):
            x = rng.randint(0, SIZE[0] - scaled.width)
            y = rng.randint(0, SIZE[1] - scaled.height)
            spot = (x, y, x + scaled.width, y + scaled.height)
            if all(spot[2] <= t[0] or spot[0] >= t[2] or spot[3] <= t[1] or spot[1] >= t[3]
                   for t in taken):
                break
        else:
            continue  # no room left for this one
        taken.append(spot)
        canvas.paste(scaled, (x, y))
        truth.append([x + round(face[0] * factor), y + round(face[1] * factor),
                      x + round(face[2] * factor), y + round(face[3] * factor)])
    return canvas, truth, rng.choice(QUALITIES)


def make_set(folder: Path, name: str, photos: int, faces_per_photo: int | None = None,
             first_seed: int = 0) -> dict[str, list[list[int]]]:
    folder.mkdir(parents=True, exist_ok=True)
    sizes = SETS[name]
    faces_per_photo = faces_per_photo or {"small": 80, "large": 24, "mixed": 30}[name]
    truth = {}
    for n in range(photos):
        image, faces, quality = make_photo(first_seed + n, sizes, faces_per_photo)
        path = folder / f"IMG_{name}_{n:04d}.jpg"
        image.save(path, quality=quality)
        truth[path.name] = faces
    (folder / "truth.json").write_text(json.dumps(truth))
    return truth


def load_truth(folder: Path) -> dict[str, list[list[int]]]:
    return json.loads((folder / "truth.json").read_text())


def found(truth_box: list[int], boxes: list[list[int]]) -> bool:
    """A face counts as found when a box holds its centre and the face holds the
    box's centre: the blur (which grows the box to the head) then covers it."""
    left, top, right, bottom = truth_box
    cx, cy = (left + right) / 2, (top + bottom) / 2
    return any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3]
               and left <= (b[0] + b[2]) / 2 <= right and top <= (b[1] + b[3]) / 2 <= bottom
               for b in boxes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--set", choices=SETS, default="mixed")
    parser.add_argument("--photos", type=int, default=4)
    args = parser.parse_args(argv)
    truth = make_set(args.out, args.set, args.photos)
    print(f"{len(truth)} photos, {sum(map(len, truth.values()))} faces in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
