"""The face encoder: dlib's own ResNet against the same network in onnxruntime.

One process, one thread, the same real face chips (every face of
tests/data/faces, cut by dlib as compute_face_descriptor cuts them), rounds
alternating between the two encoders so that a busy machine slows both
alike. Prints milliseconds per face, wall and CPU time, for a face alone and
for the faces of a photo in one call, and the ratio against dlib; then the
whole per-photo path (`encode_faces`: landmarks, chip, network) for a trip
photo of 1 and of 8 faces, with each encoder. Also checks, on these faces,
the largest difference between the two encodings.

    uv run python benchmarks/encoder.py [--rounds 5]

The machine is shared: wall times move with other people's work, CPU times
much less; read the ratios, and the CPU ones first.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from PIL import Image

from classlens.faces import encode
from classlens.faces.detect import detect_faces

FACES = Path(__file__).parents[1] / "tests" / "data" / "faces"


def timed(work, repeat: int) -> tuple[float, float]:
    """Seconds of wall and of CPU time for one call of `work` (best of `repeat`)."""
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best_wall, best_cpu


def real_faces() -> tuple[list[tuple[Image.Image, list]], np.ndarray]:
    photos, chips = [], []
    for path in sorted(FACES.glob("*.[jp][pn]g")):
        image = Image.open(path).convert("RGB")
        boxes = [b for b in detect_faces(image, 1.0) if b.score >= encode.MIN_ENCODE_SCORE]
        photos.append((image, boxes))
        chips += [c for c in encode.face_chips(image, boxes) if c is not None]
    return photos, np.stack(chips)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    name, onnx = encode.encoder()
    assert name == "onnxruntime", "the converted network did not pass its check"
    dlib = encode.dlib_encoder
    photos, chips = real_faces()
    eight = np.concatenate([chips] * 2)[:8]
    print(f"{len(chips)} real face chips; max |onnx - dlib| per component: "
          f"{np.abs(onnx(chips) - dlib(chips)).max():.1e}; load {os.getloadavg()[0]:.1f}")

    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(args.rounds):
        for label, encoder in (("dlib", dlib), ("onnxruntime", onnx)):
            for case, batch in (("1 face a call", eight[:1]), ("8 faces a call", eight)):
                wall, cpu = timed(lambda e=encoder, b=batch: e(b), 2)
                results.setdefault((case, label), []).append((wall / len(batch), cpu / len(batch)))
    # The whole path of a photo: landmarks and chips (dlib, unchanged), then the network.
    group = next((image, boxes) for image, boxes in photos if len(boxes) >= 2)
    trip = [(group[0], group[1] * 4), (group[0], group[1][:1])]
    for _ in range(args.rounds):
        for label, encoder in (("dlib", dlib), ("onnxruntime", onnx)):
            encode.encoder.cache_clear()
            original = encode.encoder
            encode.encoder = lambda lbl=label, e=encoder: (lbl, e)  # type: ignore[assignment]
            try:
                for image, boxes in trip:
                    case = f"encode_faces, {len(boxes)} face(s)"
                    wall, cpu = timed(lambda i=image, b=boxes: encode.encode_faces(i, b), 2)
                    results.setdefault((case, label), []).append(
                        (wall / len(boxes), cpu / len(boxes)))
            finally:
                encode.encoder = original

    print(f"\nms per face, median of {args.rounds} alternating rounds (each the best of 2); "
          "one thread; load after: " f"{os.getloadavg()[0]:.1f}")
    print(f"{'case':<28}{'dlib wall':>10}{'dlib CPU':>10}{'onnx wall':>10}{'onnx CPU':>10}"
          f"{'wall x':>8}{'CPU x':>8}")
    cases = dict.fromkeys(case for case, _ in results)
    for case in cases:
        d = np.median(np.array(results[(case, "dlib")]), axis=0) * 1000
        o = np.median(np.array(results[(case, "onnxruntime")]), axis=0) * 1000
        print(f"{case:<28}{d[0]:>10.1f}{d[1]:>10.1f}{o[0]:>10.1f}{o[1]:>10.1f}"
              f"{d[0] / o[0]:>8.1f}{d[1] / o[1]:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
