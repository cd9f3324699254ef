"""Photo import throughput, face recall and memory, against the naive baseline.

Makes a batch of 12-megapixel JPEGs with real faces (from tests/data/faces)
from 40 to 300 pixels wide, then measures in one run:

- baseline: face_recognition's `face_locations` (HOG) and `face_encodings`
  on the full-resolution image, one process, as most tutorials do it;
- ClassLens: `Services.import_photos` (CenterFace at the resolution tied to
  the smallest face we promise, JPEG draft decoding, encodings only where
  needed, one process per core), with two pupils enrolled so that faces are
  really encoded and matched.

Prints photos per second, recall (share of pasted faces found) for both, the
throughput ratio, and the peak resident memory of the import (main process
and its workers together, sampled).

    uv run python benchmarks/photos.py [--photos 60] [--baseline-photos 4]
    uv run python benchmarks/photos.py --photos 500 --baseline-photos 0  # memory target
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import os
import sys
import tempfile
import threading
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from imaging import BIDEN_RIGHT, FACES, OBAMA_LEFT, face_crop, group_shot  # noqa: E402

from classlens.faces.detect import Box  # noqa: E402
from classlens.services import Services  # noqa: E402
from classlens.storage import Database  # noqa: E402

PASSWORD = "benchmark-password"  # every account has one

SIZE = (4000, 3000)


def make_batch(folder: Path, count: int) -> dict[str, list[tuple[int, int, int]]]:
    heads = [face_crop("obama_biden_blue_room.jpg", OBAMA_LEFT),
             face_crop("obama_biden_blue_room.jpg", BIDEN_RIGHT),
             face_crop("astronaut.png", Box(180, 56, 274, 178)),
             face_crop("obama_address_720p.jpg", Box(584, 48, 750, 294))]
    truth = {}
    for n in range(count):
        rng = random.Random(n)
        placements, taken = [], []
        for i in range(10):
            px = rng.choice([40, 48, 60, 80, 120, 200, 300]) if i else 40
            for _ in range(100):
                x, y = rng.randint(px * 2, SIZE[0] - px * 2), rng.randint(px * 2, SIZE[1] - px * 2)
                if all(abs(x - tx) > (px + tp) * 1.6 or abs(y - ty) > (px + tp) * 1.8
                       for tx, ty, tp in taken):
                    break
            else:
                continue
            taken.append((x, y, px))
            placements.append((heads[rng.randrange(len(heads))], px, (x, y)))
        image, faces = group_shot(SIZE, placements, seed=n)
        path = folder / f"IMG_{n:04d}.jpg"
        image.save(path, quality=90)
        truth[str(path)] = faces
    return truth


def recall(found: dict[str, list[list[int]]], truth) -> float:
    hits = total = 0
    for path, faces in truth.items():
        for x, y, px in faces:
            total += 1
            hits += any(b[0] <= x <= b[2] and b[1] <= y <= b[3]
                        and 0.5 * px <= b[2] - b[0] <= 2.5 * px for b in found.get(path, []))
    return hits / total if total else 0.0


def baseline(paths: list[str]) -> tuple[float, dict]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import face_recognition
    found = {}
    start = time.perf_counter()
    for path in paths:
        image = face_recognition.load_image_file(path)
        locations = face_recognition.face_locations(image)
        face_recognition.face_encodings(image, known_face_locations=locations)
        found[path] = [[left, top, right, bottom] for top, right, bottom, left in locations]
    return time.perf_counter() - start, found


def classlens(paths: list[str], root: Path, workers: int | None) -> tuple[float, dict]:
    services = Services(Database(f"sqlite:///{root / 'bench.sqlite'}"), root / "library",
                        key_file=root / "key")
    services.settings.init_school("Benchmark Primary", "private-feed", PASSWORD)
    register = root / "register.csv"
    register.write_text("pupil_id,given_name,family_name,class,consent_biometric\n"
                        "P1,Barack,Bench,Oak,yes\nP2,Joe,Bench,Oak,yes\n")
    services.register_files.import_register("admin", register)
    services.enrolment.enrol("admin", "P1", [str(FACES / "obama_portrait.jpg")])
    services.enrolment.enrol("admin", "P2", [str(FACES / "biden_portrait.jpg")])
    start = time.perf_counter()
    results = services.photo_import.import_photos("admin", paths, "Oak", workers=workers)
    elapsed = time.perf_counter() - start
    errors = [r for r in results if r.error]
    assert not errors, errors[:3]
    return elapsed, {r.file: [f["box"] for f in r.faces] for r in results}


class MemorySampler(threading.Thread):
    """Samples the resident memory of this process plus all its children
    (Linux /proc) every 100 ms and keeps the largest sum: the batch's peak."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = 0
        self.parts: list[int] = []
        self.stop = threading.Event()

    @staticmethod
    def sample() -> list[int]:
        me, parts = os.getpid(), []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                status = Path(f"/proc/{entry}/status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if int(entry) == me or int(fields.get("PPid", "0").strip()) == me:
                parts.append(int(fields.get("VmRSS", "0 kB").split()[0]))
        return parts

    def run(self) -> None:
        while not self.stop.wait(0.1):
            parts = self.sample()
            if sum(parts) > self.peak:
                self.peak, self.parts = sum(parts), parts


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=60)
    parser.add_argument("--baseline-photos", type=int, default=4,
                        help="how many of them the (slow) baseline processes; 0 skips it")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "photos").mkdir()
        # Made in a child process, so the import's own peak memory is what we report.
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            truth = pool.submit(make_batch, root / "photos", args.photos).result()
        paths = sorted(truth)
        faces = sum(len(v) for v in truth.values())
        print(f"batch: {len(paths)} JPEGs of {SIZE[0]}x{SIZE[1]} "
              f"({SIZE[0] * SIZE[1] / 1e6:.0f} MP), {faces} faces 40-300 px wide")
        sampler = MemorySampler()
        sampler.start()
        ours_time, ours_found = classlens(paths, root, args.workers)
        sampler.stop.set()
        ours_rate = len(paths) / ours_time
        print(f"classlens: {ours_rate:.2f} photos/s ({ours_time:.1f} s), "
              f"recall {recall(ours_found, truth):.1%}")
        print(f"peak memory of the import (main process and its workers together): "
              f"{sampler.peak / 1024:.0f} MiB = "
              f"{' + '.join(f'{p / 1024:.0f}' for p in sampler.parts)} "
              "(target for 500 photos: < 1536 MiB)")
        if args.baseline_photos:
            subset = paths[:args.baseline_photos]
            base_time, base_found = baseline(subset)
            base_rate = len(subset) / base_time
            sub_truth = {p: truth[p] for p in subset}
            print(f"baseline:  {base_rate:.2f} photos/s ({base_time:.1f} s for {len(subset)}), "
                  f"recall {recall(base_found, sub_truth):.1%}")
            print(f"classlens recall on the same photos: "
                  f"{recall({p: ours_found[p] for p in subset}, sub_truth):.1%}")
            print(f"throughput ratio: {ours_rate / base_rate:.1f}x (target >= 5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
