"""Which face detector, at which scale and threshold: recall first, then speed.

Runs every candidate once per photo at a low threshold, then scores each
threshold from the same boxes, on:

- the real photos in tests/data/faces (each at the scale the product uses);
- composites of real faces (benchmarks/composites.py): a "small" set (24 to
  40 px), a "large" set (50 to 300 px) and a "mixed" one, 12 MP each, with
  blur, lighting and JPEG quality varied.

Prints, per candidate and threshold, recall per face size, false boxes per
photo and detection seconds per 12 MP photo (one thread, the time of the
network and decoding of its output; the photo is decoded beforehand).

    uv run python benchmarks/detectors.py [--photos 3] [--yunet-s PATH] [--work DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import centerface_baseline  # noqa: E402
import composites  # noqa: E402

from classlens.faces import detect  # noqa: E402
from classlens.faces.box import Box  # noqa: E402
from classlens.photos import decode  # noqa: E402

THRESHOLDS = {"centerface": (0.3, 0.4, 0.5), "yunet": (0.3, 0.4, 0.5, 0.6)}


def yunet(model: str, scale: float, coarse: bool = True):
    def run(image, threshold):
        session = detect._session(1, model)
        boxes = []
        for left, top, right, bottom in detect._tiles(image.width, image.height):
            tile = image.crop((left, top, right, bottom)) if (left, top) != (0, 0) or (
                right, bottom) != image.size else image
            boxes += detect._run(session, tile, left, top, threshold)
        if coarse:
            small = image.reduce(detect.COARSE)
            boxes += [b.scaled(detect.COARSE) for b in detect._run(session, small, 0, 0,
                                                                     threshold)]
        return boxes
    return ("yunet", run, scale, detect.clean_boxes)


def centerface(scale: float):
    return ("centerface", lambda image, threshold: centerface_baseline.detect(image, threshold),
            scale, centerface_baseline.suppress)


def candidates(yunet_s: str | None) -> dict[str, tuple]:
    found = {
        "centerface 0.5 (before)": centerface(0.5),
        "centerface 0.4": centerface(0.4),
        "yunet-n 0.5": yunet("yunet_n.onnx", 0.5),
        "yunet-n 0.5 no coarse": yunet("yunet_n.onnx", 0.5, coarse=False),
        "yunet-n 0.6": yunet("yunet_n.onnx", 0.6),
        "yunet-n 0.7": yunet("yunet_n.onnx", 0.7),
    }
    if yunet_s:
        found["yunet-s 0.5"] = yunet(yunet_s, 0.5)
        found["yunet-s 0.7"] = yunet(yunet_s, 0.7)
    return found


def score(truth: dict[str, list[list[int]]], boxes: dict[str, tuple[list[Box], float]],
          clean, threshold: float):
    """Recall per face size and false boxes per photo at one threshold."""
    hits, totals, false = defaultdict(int), defaultdict(int), 0
    for name, faces in truth.items():
        raw, scale = boxes[name]
        kept = [b.scaled(1 / scale).as_list() for b in clean(
            [b for b in raw if b.score > threshold])]
        for face in faces:
            size = _size_class(face[2] - face[0])
            totals[size] += 1
            hits[size] += composites.found(face, kept)
        false += sum(1 for b in kept if not any(composites.found(f, [b]) for f in faces))
    return hits, totals, false / max(1, len(truth))


SIZE_CLASSES = (24, 28, 32, 36, 40, 50, 60, 80, 120, 200, 300)


def _size_class(px: int) -> int:
    return min(SIZE_CLASSES, key=lambda s: abs(s - px))


def real_photo_truth() -> tuple[Path, dict[str, list[list[int]]]]:
    truth: dict[str, list[list[int]]] = defaultdict(list)
    for name, box in composites.SOURCES:
        truth[name].append(list(box))
    return composites.FACES, dict(truth)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=3, help="photos per composite set")
    parser.add_argument("--yunet-s", metavar="PATH", help="also try YuNet-s (not shipped)")
    parser.add_argument("--work", type=Path, help="keep the composites here")
    parser.add_argument("--only", help="candidates whose name contains this")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="detectors-"))
    sets = {}
    for name in ("small", "large", "mixed"):
        folder = work / name
        if not (folder / "truth.json").exists():
            composites.make_set(folder, name, args.photos, first_seed=1000 * len(sets))
        sets[name] = (folder, composites.load_truth(folder))
    sets["real"] = real_photo_truth()

    for label, (family, run, scale, clean) in candidates(args.yunet_s).items():
        if args.only and args.only not in label:
            continue
        boxes, seconds, big_photos = {}, 0.0, 0
        for set_name, (folder, truth) in sets.items():
            for name in truth:
                path = folder / name
                info = decode.inspect(path)
                own = scale if set_name != "real" else detect.detection_scale(info.width,
                                                                              info.height)
                image, real = decode.load(path, own)
                started = time.perf_counter()
                boxes[(set_name, name)] = (run(image, min(THRESHOLDS[family])), real)
                if set_name != "real":
                    seconds += time.perf_counter() - started
                    big_photos += 1
        print(f"\n{label}: {seconds / big_photos:.2f} s per 12 MP photo (detection only)")
        for threshold in THRESHOLDS[family]:
            line, false_all = [], []
            merged_hits, merged_totals = defaultdict(int), defaultdict(int)
            for set_name, (folder, truth) in sets.items():
                per = {n: boxes[(set_name, n)] for n in truth}
                hits, totals, false = score(truth, per, clean, threshold)
                false_all.append(f"{set_name} {false:.1f}")
                if set_name == "real":
                    line.append(f"real {sum(hits.values())}/{sum(totals.values())}")
                    continue
                for size in totals:
                    merged_hits[size] += hits[size]
                    merged_totals[size] += totals[size]
            sizes = " ".join(f"{s}:{merged_hits[s]}/{merged_totals[s]}"
                             for s in SIZE_CLASSES if merged_totals[s])
            print(f"  threshold {threshold}: {sizes}  {' '.join(line)}; false boxes per "
                  f"photo: {', '.join(false_all)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
