"""Regenerate the face chips the converted face ResNet is checked against.

Writes resources/models/dlib_resnet_check.png (real faces from the public
domain demo photos, cut by dlib exactly as compute_face_descriptor cuts them,
150 px each, side by side) and dlib_resnet_check.json (dlib's own network's
descriptors of them, and the SHA-256 of the network resnet_onnx converts from
the installed weights). At run time classlens.faces.encode uses onnxruntime's
run of the converted network only if it is that network and reproduces these
descriptors. Run it again whenever the converter changes, then the tests.

    uv run python tools/make_resnet_check.py
"""

import hashlib
import json
from pathlib import Path

import numpy as np
from PIL import Image

from classlens.faces.detect import detect_faces
from classlens.faces.encode import (
    CHECK_CHIPS,
    CHECK_DESCRIPTORS,
    _model_files,
    dlib_encoder,
    face_chips,
)
from classlens.faces.resnet_onnx import CONVERTER_VERSION, convert
from classlens.photos import decode
from classlens.resources import resources_dir

PHOTOS = ["obama_portrait.jpg", "biden_portrait.jpg", "astronaut.png"]


def main() -> None:
    chips = []
    for name in PHOTOS:
        image, scale = decode.load(resources_dir() / "demo" / "photos" / name, 1.0)
        (box,) = sorted(detect_faces(image, scale), key=lambda b: -b.width)[:1]
        (chip,) = face_chips(image, [box], scale)
        chips.append(chip)
    strip = np.concatenate(chips, axis=1)
    models = resources_dir() / "models"
    Image.fromarray(strip).save(models / CHECK_CHIPS, optimize=True)
    # Read back what was written (PNG is lossless: the same pixels).
    assert np.array_equal(np.asarray(Image.open(models / CHECK_CHIPS).convert("RGB")), strip)
    descriptors = dlib_encoder(np.stack(chips))
    model = convert(Path(_model_files().face_recognition_model_location()).read_bytes())
    (models / CHECK_DESCRIPTORS).write_text(json.dumps({
        "about": "dlib's face ResNet (face_recognition_models 0.3.0, "
                 "dlib_face_recognition_resnet_model_v1.dat) on the chips of "
                 f"{CHECK_CHIPS}, left to right: " + ", ".join(PHOTOS)
                 + " (resources/demo/photos). Made by tools/make_resnet_check.py.",
        "descriptors": [[float(v) for v in row] for row in descriptors],
        "converter_version": CONVERTER_VERSION,
        "onnx_sha256": hashlib.sha256(model).hexdigest(),
    }, indent=1) + "\n")
    print(f"{len(chips)} chips; descriptor norms {np.linalg.norm(descriptors, axis=1).round(3)}")


if __name__ == "__main__":
    main()
