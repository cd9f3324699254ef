"""How face size moves recogniser distances: the smallest face worth comparing.

Real faces of known people are shrunk until the face is S pixels wide (what
the encoder sees) and encoded; each is compared with the templates the
product would hold (the same people's other photos, encoded at full size).
Faces of strangers (people in group photos, none of them enrolled) give the
different-person distances. Prints per size: same-person distances, how
many same-person faces a tolerance accepts, and the false-match rate (share
of different-person comparisons under the tolerance).

Photos: tests/data/faces, plus any folders given (not committed; e.g. the
example photos of the face_recognition and dlib repositories). A file's
person is the first KNOWN name in its name; files naming no one are group
photos of strangers.

    uv run python benchmarks/recognition.py [FOLDER ...]
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image

from classlens.faces.box import Box
from classlens.faces.detect import detect_faces
from classlens.faces.encode import encode_at

ROOT = Path(__file__).parents[1]
SIZES = (32, 40, 50, 60, 80, 100)
TOLERANCES = (0.4, 0.45, 0.5, 0.55)
KNOWN = {"obama": "obama", "biden": "biden", "collins": "collins", "astronaut": "collins",
         "john": "kit", "kit_harington": "kit", "rose": "rose", "alex": "alex",
         "lacamoire": "alex"}
SKIP = ("two_people", "obama_and_biden", "kit_with_rose", "dogs", "partial", "32bit",
        "obama_biden",
        # The same frame or file again, at another resolution or in another folder.
        "obama-240p", "obama-480p", "obama-720p", "obama_small", "tests_test_images_obama.jpg",
        "tests_test_images_biden.jpg")


def person_of(path: Path) -> str | None:
    name = path.name.lower()
    return next((who for key, who in KNOWN.items() if key in name), None)


def encode(image: Image.Image, box: Box, face_px: int) -> np.ndarray | None:
    """The encoding of `box` after shrinking the photo so the face is `face_px` wide."""
    factor = face_px / box.width
    if factor > 1.0:
        return None  # never enlarge: that is not a smaller face
    margin = box.width // 2
    region = Box(max(0, box.left - margin), max(0, box.top - margin),
                 min(image.width, box.right + margin), min(image.height, box.bottom + margin))
    crop = image.crop(region.as_list())
    crop = crop.resize((max(1, round(crop.width * factor)), max(1, round(crop.height * factor))),
                       Image.Resampling.LANCZOS) if factor < 1 else crop
    local = Box(box.left - region.left, box.top - region.top, box.right - region.left,
                box.bottom - region.top).scaled(factor)
    return encode_at(np.asarray(crop), local)


def main(argv: list[str]) -> int:
    files = sorted((ROOT / "tests" / "data" / "faces").glob("*.*"))
    for folder in argv:
        files += sorted(Path(folder).glob("*.*"))
    files = [f for f in files if f.suffix.lower() in (".jpg", ".jpeg", ".png")
             and not any(s in f.name.lower() for s in SKIP)]
    faces = []  # (person or None, photo, image, box)
    for path in files:
        image = Image.open(path).convert("RGB")
        boxes = [b for b in detect_faces(image) if b.score > 0.6]
        who = person_of(path)
        if who is not None:
            boxes = [max(boxes, key=lambda b: b.width)] if boxes else []
        faces += [(who, path.name, image, b) for b in boxes if b.width >= 32]
    people = {f[0] for f in faces if f[0]}
    print(f"{len(files)} photos: {sum(1 for f in faces if f[0])} faces of {len(people)} known "
          f"people, {sum(1 for f in faces if not f[0])} faces of strangers")
    # Templates: every known face at full size (as enrolled from a portrait).
    templates = defaultdict(list)  # person -> [(photo, encoding)]
    for who, photo, image, box in faces:
        if who:
            templates[who].append((photo, encode(image, box, box.width)))
    print("\nsize  same-person distance (median / 90th pct / n)   accepted at tolerance "
          + " ".join(map(str, TOLERANCES)) + "   false-match rate at the same tolerances "
          "(different-person comparisons)")
    for size in SIZES:
        same, different = [], []
        for who, photo, image, box in faces:
            probe = encode(image, box, size)
            if probe is None:
                continue
            for person, entries in templates.items():
                others = [e for p, e in entries if p != photo]
                if not others:
                    continue
                nearest = min(float(np.linalg.norm(e - probe)) for e in others)
                (same if person == who else different).append(nearest)
        same_a, diff_a = np.array(same), np.array(different)
        accepted = " ".join(f"{np.mean(same_a < t):5.0%}" for t in TOLERANCES)
        fmr = " ".join(f"{np.mean(diff_a < t):6.2%}" for t in TOLERANCES)
        print(f"{size:4d}  {np.median(same_a):.3f} / {np.percentile(same_a, 90):.3f} / "
              f"{len(same_a):3d}   {accepted}   {fmr} (n={len(diff_a)}, closest "
              f"{diff_a.min():.3f}, 1st pct {np.percentile(diff_a, 1):.3f}, median "
              f"{np.median(diff_a):.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
