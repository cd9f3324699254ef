"""Face encodings: 128 numbers per face, from dlib's ResNet (face_recognition's models).

This is face_recognition's own `face_encodings(..., model="small")`: the
same five-point landmarks, the same 150x150 face chip and the same ResNet
from face_recognition_models. Importing `face_recognition` itself would also
load its 68-point landmark model and two detectors we never use (about
100 MiB in every worker process) and switch on Pillow's LOAD_TRUNCATED_IMAGES
for the whole process, hiding damaged photos. A test checks the two agree.

dlib still finds the landmarks and cuts the chip. The ResNet itself runs in
onnxruntime (`resnet_onnx` converts dlib's installed weights once into the
user's cache directory): dlib-bin has no BLAS and took 85-100 ms a face,
onnxruntime takes about a tenth of that, all the faces of a photo in one
call. A wrong encoding could match a stranger to a consented pupil, so the
converted network is used only if it is byte for byte the one the tests
compared with dlib's (its SHA-256 ships with the check chips) and, in every
process, only after it reproduces on stored face chips the descriptors
dlib's own network gave for them (`CHECK_TOLERANCE`); otherwise, or if
anything about it fails, dlib's own network is used.

An encoding is biometric data. Encodings of faces in photos are computed only
to compare them with enrolled pupils, held in memory, and never stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image

from classlens.atomic_write import write_atomic
from classlens.faces.box import Box
from classlens.resources import resources_dir

log = logging.getLogger(__name__)

# dlib aligns every face to a 150-pixel chip: there is no point encoding from
# more pixels than that. Sizes below are the face's width in the pixels the
# encoder sees. Measured on real faces shrunk from 100 to 32 px
# (benchmarks/recognition.py, table in the README): different people come
# closer as faces shrink, so faces under SMALL_FACE_PX are matched with a
# tolerance tighter by SMALL_FACE_TIGHTER, and faces under MIN_RECOGNISE_PX are
# never compared (they stay unknown, hence blurred).
CHIP_PX = 150
MIN_RECOGNISE_PX = 40
SMALL_FACE_PX = 80
SMALL_FACE_TIGHTER = 0.05
# Boxes the detector is unsure of (its threshold is low so as to blur every
# face) are not encoded: each encoding costs about 8 ms (90 ms with dlib's own
# network), and such a box, if a face at all, stays blurred for a reviewer to name.
MIN_ENCODE_SCORE = 0.5
# A reference photo is a portrait: its face must be at least this large.
ENROL_MIN_PX = 80


# Set to "dlib" to use dlib's own network (a comparison, or a suspected fault).
ENCODER_ENV = "CLASSLENS_FACE_ENCODER"
# The converted network must reproduce dlib's descriptors of the stored chips
# to this much per component (measured: within 3e-7; a match needs a distance
# under 0.6, so 1e-4 a component moves a distance by at most 0.0012).
CHECK_TOLERANCE = 1e-4
CHECK_CHIPS = "dlib_resnet_check.png"        # face chips side by side, 150 px each
CHECK_DESCRIPTORS = "dlib_resnet_check.json"  # dlib's own descriptors of them
CHIP_PADDING = 0.25  # dlib's compute_face_descriptor: get_face_chip(..., 150, 0.25)

Encoder = Callable[[np.ndarray], np.ndarray]  # N x 150 x 150 x 3 uint8 -> N x 128


def _model_files():
    with warnings.catch_warnings():
        # face_recognition_models imports pkg_resources, which warns on import.
        warnings.simplefilter("ignore", UserWarning)
        import face_recognition_models as files
    return files


@cache
def landmarks():
    """dlib's five-point landmark model, loaded once per process."""
    import dlib

    return dlib.shape_predictor(_model_files().pose_predictor_five_point_model_location())


@cache
def dlib_network():
    """dlib's own face ResNet, loaded once per process (the reference, and the
    fallback when the converted network cannot be used)."""
    import dlib

    return dlib.face_recognition_model_v1(_model_files().face_recognition_model_location())


def models():
    """dlib's five-point landmark model and face ResNet."""
    return landmarks(), dlib_network()


def dlib_encoder(chips: np.ndarray) -> np.ndarray:
    """dlib's own network on face chips (what compute_face_descriptor runs)."""
    network = dlib_network()
    return np.array([np.array(network.compute_face_descriptor(chip)) for chip in chips])


def _check() -> dict:
    return json.loads((resources_dir() / "models" / CHECK_DESCRIPTORS).read_text())


def check_chips() -> tuple[np.ndarray, np.ndarray]:
    """The stored face chips and dlib's descriptors of them."""
    strip = np.asarray(Image.open(resources_dir() / "models" / CHECK_CHIPS).convert("RGB"))
    chips = np.stack([strip[:, i:i + CHIP_PX] for i in range(0, strip.shape[1], CHIP_PX)])
    return chips, np.array(_check()["descriptors"])


def expected_model_sha256() -> str:
    """The SHA-256 of the converted network the tests compared with dlib's
    (conversion is deterministic: the installed weights give these bytes)."""
    return str(_check()["onnx_sha256"])


def onnx_model_path() -> Path:
    """Where the converted network is cached (in the user's cache directory)."""
    from platformdirs import user_cache_path

    name = f"dlib_resnet_v1-{expected_model_sha256()[:16]}.onnx"
    return user_cache_path("ClassLens", appauthor=False) / "models" / name


def _onnx_model() -> bytes:
    """The converted network, byte for byte the one the tests compared with
    dlib's: the cached file if it is that, else converted now and cached
    (written whole, then renamed: workers may convert at the same time).
    The cached file is read once and its bytes are both hashed and loaded:
    the cache is the user's to write, and a file swapped between a check of
    the path and its loading would run unchecked weights on every face."""
    from classlens.faces.resnet_onnx import FormatError, convert

    path, expected = onnx_model_path(), expected_model_sha256()
    with contextlib.suppress(OSError):
        cached = path.read_bytes()
        if hashlib.sha256(cached).hexdigest() == expected:
            return cached
    model = convert(Path(_model_files().face_recognition_model_location()).read_bytes())
    if hashlib.sha256(model).hexdigest() != expected:
        raise FormatError("the installed weights do not give the network that was checked")
    try:
        # (A conversion killed half-way leaves its 22 MB temporary file, which
        # a later write here removes once it is old.)
        write_atomic(path, model)
        for old in path.parent.glob("dlib_resnet_v1-*.onnx"):  # earlier versions' networks
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as error:  # no cache then: converted again next time
        log.info("face encoder: could not cache the converted network (%s)", error)
    return model


def onnx_encoder(model: bytes | None = None) -> Encoder:
    """onnxruntime's run of the converted network (not yet checked)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    # One worker process per core does the batch work: one thread each.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(model if model is not None else _onnx_model(),
                                           options, providers=["CPUExecutionProvider"])

    def run(chips: np.ndarray) -> np.ndarray:
        (descriptors,) = session.run(["descriptors"], {"chips": chips})
        return descriptors.astype(np.float64)

    return run


def agrees_with_dlib(run: Encoder) -> float | None:
    """The largest difference, per component, between `run` and dlib's own
    descriptors of the stored chips; None if it is over CHECK_TOLERANCE."""
    chips, expected = check_chips()
    difference = float(np.abs(run(chips) - expected).max())
    return difference if difference <= CHECK_TOLERANCE else None


@cache
def encoder() -> tuple[str, Encoder]:
    """The face ResNet this process uses, and its name: onnxruntime if it
    passes the check against dlib's descriptors, else dlib's own network."""
    if os.environ.get(ENCODER_ENV, "").lower() == "dlib":
        return "dlib", dlib_encoder
    try:
        run = onnx_encoder()
        if agrees_with_dlib(run) is not None:
            return "onnxruntime", run
        log.warning("face encoder: the converted network disagrees with dlib's; using dlib's")
    except Exception as error:  # noqa: BLE001 - any fault: dlib's own network
        log.warning("face encoder: converted network unavailable (%s: %s); using dlib's",
                    type(error).__name__, error)
    return "dlib", dlib_encoder


def encode_chips(chips: list[np.ndarray]) -> list[np.ndarray]:
    """The encodings of face chips (150x150 RGB, as dlib cuts them), in one call."""
    if not chips:
        return []
    _, run = encoder()
    return list(run(np.stack(chips)))


def _landmarks_at(pixels: np.ndarray, box: Box):
    """The five landmarks of the face in `box` (pixels of `pixels`)."""
    import dlib

    return landmarks()(pixels, dlib.rectangle(box.left, box.top, box.right, box.bottom))


def chip_at(pixels: np.ndarray, box: Box) -> np.ndarray:
    """dlib's 150x150 chip of the face in `box` (pixels of `pixels`), aligned
    on its five landmarks, as compute_face_descriptor cuts it."""
    import dlib

    return dlib.get_face_chip(pixels, _landmarks_at(pixels, box), size=CHIP_PX,
                              padding=CHIP_PADDING)


def encode_at(pixels: np.ndarray, box: Box) -> np.ndarray:
    """dlib's own encoding of the face in `box` (pixels of `pixels`), one
    jitter: exactly face_recognition's, the reference the converted network
    is checked against."""
    return np.array(dlib_network().compute_face_descriptor(pixels, _landmarks_at(pixels, box),
                                                           1))


def seen_px(box: Box, scale: float = 1.0) -> int:
    """The face's size in the pixels the encoder sees (`box` in original pixels)."""
    return round(min(box.width, box.height) * scale)


def tolerance_for(face_px: int, tolerance: float) -> float:
    """The match tolerance for a face of `face_px` (as seen by the encoder)."""
    return tolerance - SMALL_FACE_TIGHTER if face_px < SMALL_FACE_PX else tolerance


def face_chips(image: Image.Image, boxes: list[Box], scale: float = 1.0,
               min_px: int = MIN_RECOGNISE_PX) -> list[np.ndarray | None]:
    """One face chip per box (boxes in original pixels, `image` shrunk by
    `scale`); None where the face is too small to recognise."""
    chips: list[np.ndarray | None] = []
    for box in boxes:
        if seen_px(box, scale) < min_px or box.score < MIN_ENCODE_SCORE:
            chips.append(None)
            continue
        # Crop around the face with a margin so the landmarks see the whole
        # face, and shrink large faces to about twice the chip size.
        margin = box.width // 3
        region = Box(max(0, box.left - margin), max(0, box.top - margin),
                     box.right + margin, box.bottom + margin).scaled(scale)
        crop = image.crop((region.left, region.top, region.right, region.bottom))
        shrink = min(1.0, 2 * CHIP_PX / max(1, box.width * scale))
        if shrink < 1.0:
            crop = crop.resize((max(1, round(crop.width * shrink)),
                                max(1, round(crop.height * shrink))), Image.Resampling.BILINEAR)
        face, origin = box.scaled(scale * shrink), region.scaled(shrink)
        local = Box(face.left - origin.left, face.top - origin.top,
                    face.right - origin.left, face.bottom - origin.top)
        chips.append(chip_at(np.asarray(crop.convert("RGB")), local))
    return chips


def encode_face_chips(chips: list[np.ndarray | None]) -> list[np.ndarray | None]:
    """`encode_chips` keeping the Nones in place (all faces in one call)."""
    present = [chip for chip in chips if chip is not None]
    encoded = iter(encode_chips(present))
    return [None if chip is None else next(encoded) for chip in chips]


def encode_faces(image: Image.Image, boxes: list[Box], scale: float = 1.0,
                 min_px: int = MIN_RECOGNISE_PX) -> list[np.ndarray | None]:
    """One encoding per box (boxes in original pixels, `image` shrunk by `scale`);
    None where the face is too small to recognise."""
    return encode_face_chips(face_chips(image, boxes, scale, min_px))
