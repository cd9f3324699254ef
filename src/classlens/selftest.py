"""A self-test of an installed ClassLens: the demo school opens, a face is
found and blurred beyond recognition. Used after installing on a school PC
and by the installer's smoke test."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from classlens.demo import open_demo
from classlens.faces.detect import detect_faces
from classlens.faces.encode import encode_faces, encoder
from classlens.photos import decode
from classlens.render.blur import blur_regions
from classlens.resources import resources_dir


def run_selftest() -> list[str]:
    """The checks that passed; raises AssertionError on the first that fails."""
    passed = []
    with tempfile.TemporaryDirectory(prefix="classlens-selftest-") as tmp:
        services = open_demo(directory=Path(tmp) / "demo")
        pupils = services.pupils.list_pupils()
        assert len(pupils) == 12, f"the demo register has {len(pupils)} pupils, not 12"
        passed.append(f"demo school opened ({len(pupils)} pupils, "
                      f"{len(services.photos.photos())} photos, "
                      f"{len(services.posts.posts())} posts)")
        image, scale = decode.load(resources_dir() / "demo" / "photos" /
                                   "obama_biden_blue_room.jpg", 1.0)
        boxes = detect_faces(image, scale)
        assert len(boxes) == 2, f"found {len(boxes)} faces in the two-person photo"
        passed.append("two faces detected")
        blurred = blur_regions(image, boxes)
        before, after = encode_faces(image, boxes), encode_faces(blurred, boxes)
        for a, b in zip(before, after, strict=True):
            assert b is None or float(np.linalg.norm(a - b)) > 0.6, "blur left a face recognisable"
        passed.append("blur renders and defeats the recogniser")
        name, _ = encoder()
        passed.append("face encoder: " + (
            "onnxruntime (dlib's network converted, output checked against dlib's)"
            if name == "onnxruntime" else "dlib's own network (the converted one was not used)"))
        services.db.close()
    return passed
