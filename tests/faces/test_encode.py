"""The face encoder: dlib's ResNet run by onnxruntime must give dlib's encodings.

A wrong encoding could match a stranger to a consented pupil and publish
them unblurred, so the converted network is compared with dlib's own on real
faces (tests/data/faces, also shrunk to the smallest sizes we compare), for
the numbers and for every match decision; and the run-time self-check must
fall back to dlib's network when they differ.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import time
import warnings
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from classlens.faces import encode
from classlens.faces.detect import detect_faces
from classlens.faces.encode import (
    CHECK_TOLERANCE,
    SMALL_FACE_PX,
    dlib_encoder,
    encode_at,
    face_chips,
    onnx_encoder,
    tolerance_for,
)
from classlens.faces.resnet_onnx import FormatError, convert

FACES = Path(__file__).parents[1] / "data" / "faces"
# Measured on these faces: at most 3e-7 a component (dlib and onnxruntime add
# the same float32 products in different orders).
TINY = 1e-5


@cache
def weights() -> bytes:
    return Path(encode._model_files().face_recognition_model_location()).read_bytes()


@cache
def converted():
    return onnx_encoder(convert(weights()))


@cache
def real_chips() -> tuple[np.ndarray, list[str]]:
    """Every face of the real photos, at full size and shrunk to 40, 60 and 80 px."""
    chips, labels = [], []
    for path in sorted(FACES.glob("*.[jp][pn]g")):
        image = Image.open(path).convert("RGB")
        boxes = [b for b in detect_faces(image, 1.0) if b.score >= encode.MIN_ENCODE_SCORE]
        assert boxes, path.name
        for face_px in (None, 40, 60, 80):
            factor = 1.0 if face_px is None else face_px / max(b.width for b in boxes)
            shrunk = image if face_px is None else image.resize(
                (round(image.width * factor), round(image.height * factor)),
                Image.Resampling.LANCZOS)
            found = face_chips(shrunk, [b.scaled(factor) for b in boxes], 1.0, min_px=1)
            for i, chip in enumerate(found):
                chips.append(chip)
                labels.append(f"{path.stem}#{i}@{face_px or 'full'}")
    return np.stack(chips), labels


def test_the_converted_network_gives_dlibs_encodings_of_real_faces():
    chips, labels = real_chips()
    ours, theirs = converted()(chips), dlib_encoder(chips)
    difference = np.abs(ours - theirs).max(axis=1)
    worst = int(difference.argmax())
    print(f"\n{len(chips)} real face chips: max |onnx - dlib| {difference.max():.2e} "
          f"({labels[worst]}), mean {np.abs(ours - theirs).mean():.1e}")
    assert difference.max() < TINY


def test_the_converted_network_makes_every_match_decision_dlib_makes():
    chips, labels = real_chips()
    ours, theirs = converted()(chips), dlib_encoder(chips)
    decisions = 0
    for i, j in itertools.combinations(range(len(chips)), 2):
        a = float(np.linalg.norm(ours[i] - ours[j]))
        b = float(np.linalg.norm(theirs[i] - theirs[j]))
        assert abs(a - b) < TINY, (labels[i], labels[j])
        for tolerance in (0.6, 0.5, tolerance_for(SMALL_FACE_PX - 1, 0.6)):
            assert (a <= tolerance) == (b <= tolerance), (labels[i], labels[j], a, b)
            decisions += 1
    assert decisions == 3 * len(chips) * (len(chips) - 1) // 2 > 1000


def test_encode_faces_gives_face_recognitions_encodings():
    """The whole path as imports use it (dlib's landmarks and chip, then the
    converted network, several faces in one call) against face_recognition's
    own face_encodings."""
    from PIL import ImageFile

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import face_recognition
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # face_recognition's import turns it on
    assert encode.encoder()[0] == "onnxruntime"
    image = Image.open(FACES / "obama_biden_blue_room.jpg").convert("RGB")
    boxes = detect_faces(image, 1.0)
    pixels = np.asarray(image)
    for box, ours in zip(boxes, encode.encode_faces(image, boxes), strict=True):
        (theirs,) = face_recognition.face_encodings(
            pixels, [(box.top, box.right, box.bottom, box.left)], model="small")
        assert np.abs(ours - theirs).max() < TINY
        assert np.abs(encode_at(pixels, box) - theirs).max() < 1e-9


def test_the_stored_check_is_dlibs_own_output_and_the_converted_networks_hash():
    chips, expected = encode.check_chips()
    assert len(chips) == 3
    assert np.abs(dlib_encoder(chips) - expected).max() < 1e-6
    # The network these tests compare with dlib's is the one every process runs.
    assert hashlib.sha256(convert(weights())).hexdigest() == encode.expected_model_sha256()


def test_the_encoder_in_use_passed_the_check():
    name, run = encode.encoder()
    assert name == "onnxruntime"
    assert encode.agrees_with_dlib(run) is not None


@pytest.fixture
def fresh_encoder(monkeypatch, tmp_path):
    monkeypatch.setattr(encode, "onnx_model_path", lambda: tmp_path / "dlib_resnet_v1-new.onnx")
    encode.encoder.cache_clear()
    yield
    encode.encoder.cache_clear()


def test_a_network_that_disagrees_with_dlib_is_not_used(monkeypatch, fresh_encoder):
    good = converted()
    monkeypatch.setattr(encode, "onnx_encoder", lambda: lambda chips: good(chips) + 2e-4)
    assert encode.encoder()[0] == "dlib"
    chips, _ = real_chips()
    assert np.array_equal(encode.encode_chips(list(chips[:2])), dlib_encoder(chips[:2]))


def installed_weights(monkeypatch, tmp_path, data: bytes) -> None:
    """Make `data` the face ResNet's installed weights file."""
    path = tmp_path / "weights.dat"
    path.write_bytes(data)
    real = encode._model_files()
    monkeypatch.setattr(encode, "_model_files", lambda: SimpleNamespace(
        face_recognition_model_location=lambda: str(path),
        pose_predictor_five_point_model_location=real.pose_predictor_five_point_model_location))


def test_weights_the_converter_does_not_know_are_not_used(monkeypatch, fresh_encoder, tmp_path):
    installed_weights(monkeypatch, tmp_path, weights()[:-100])
    assert encode.encoder()[0] == "dlib"
    assert not (tmp_path / "dlib_resnet_v1-new.onnx").exists()


def test_other_weights_of_the_same_network_are_not_used(monkeypatch, fresh_encoder, tmp_path):
    """They convert, but into a network the tests never compared with dlib."""
    data = bytearray(weights())
    data[len(data) // 2] ^= 0x01  # one bit of one weight
    installed_weights(monkeypatch, tmp_path, bytes(data))
    convert(bytes(data))  # a network the converter knows
    assert encode.encoder()[0] == "dlib"


def test_the_converted_network_is_cached_and_checked_when_loaded(fresh_encoder, tmp_path):
    (tmp_path / "dlib_resnet_v1-0123456789abcdef.onnx").write_bytes(b"an earlier version's")
    abandoned = tmp_path / ".part-killed"  # a conversion killed half-way, two hours ago
    abandoned.write_bytes(b"half a network")
    os.utime(abandoned, (time.time() - 7200, time.time() - 7200))
    assert encode.encoder()[0] == "onnxruntime"
    cached = tmp_path / "dlib_resnet_v1-new.onnx"
    assert cached.read_bytes() == convert(weights())
    # Neither a .part file nor an earlier version's network is left.
    assert [p.name for p in tmp_path.iterdir()] == ["dlib_resnet_v1-new.onnx"]
    # A cached file altered since (one weight of the last layer) is not run:
    # the network is converted again from the installed weights.
    data = bytearray(cached.read_bytes())
    data[-2000] ^= 0x40
    cached.write_bytes(bytes(data))
    encode.encoder.cache_clear()
    assert encode.encoder()[0] == "onnxruntime"
    assert cached.read_bytes() == convert(weights())


def test_dlib_can_be_chosen(monkeypatch, fresh_encoder):
    monkeypatch.setenv(encode.ENCODER_ENV, "dlib")
    assert encode.encoder()[0] == "dlib"


@pytest.mark.parametrize("damage", ["truncated", "version", "extra"])
def test_the_converter_refuses_a_network_it_does_not_know(damage):
    data = weights()
    if damage == "truncated":
        data = data[:-100]
    elif damage == "version":
        data = data.replace(b"con_4", b"con_9", 1)
    else:
        data = data + b"\x00"
    with pytest.raises(FormatError):
        convert(data)


def test_the_self_check_tolerance_is_far_below_a_match_decision():
    # 128 components each off by the tolerance move a distance by at most this.
    assert CHECK_TOLERANCE * np.sqrt(128) < 0.002
