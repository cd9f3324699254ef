"""Test photos made from the real faces in tests/data/faces."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms

from classlens.faces.box import Box
from classlens.faces.encode import encode_faces

FACES = Path(__file__).with_name("data") / "faces"
# Faces as the detector (YuNet) reports them in the originals (measured once).
OBAMA_LEFT = Box(236, 20, 392, 224)  # obama_biden_blue_room.jpg: Obama on the left
BIDEN_RIGHT = Box(786, 48, 936, 254)


def face_crop(name: str, box: Box, margin: float = 0.6) -> Image.Image:
    """A head-and-shoulders crop around a face, to paste into group shots."""
    image = Image.open(FACES / name).convert("RGB")
    dx, dy = int(box.width * margin), int(box.height * margin)
    return image.crop((max(0, box.left - dx), max(0, box.top - dy),
                       min(image.width, box.right + dx), min(image.height, box.bottom + dy)))


def group_shot(size: tuple[int, int], placements: list[tuple[Image.Image, int, tuple[int, int]]],
               seed: int = 0) -> tuple[Image.Image, list[tuple[int, int, int]]]:
    """Paste head crops scaled so the face is about `face_px` wide at (x, y).

    Returns the picture and, for each placement, (centre x, centre y, face px).
    """
    rng = np.random.default_rng(seed)
    background = rng.integers(90, 160, (size[1] // 8, size[0] // 8, 3), dtype=np.uint8)
    canvas = Image.fromarray(background).resize(size, Image.Resampling.BICUBIC)
    truth = []
    for crop, face_px, (x, y) in placements:
        # The crop is the face box with 60 % margins: the face is 1/2.2 of its width.
        factor = face_px * 2.2 / crop.width
        scaled = crop.resize((max(1, round(crop.width * factor)),
                              max(1, round(crop.height * factor))), Image.Resampling.LANCZOS)
        canvas.paste(scaled, (x - scaled.width // 2, y - scaled.height // 2))
        truth.append((x, y, face_px))
    return canvas, truth


def jpeg_with_metadata(image: Image.Image, path: Path, orientation: int = 1) -> Path:
    """A JPEG carrying what phones write: EXIF with GPS and capture time, a
    thumbnail, XMP, an ICC profile, and optionally an orientation."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = orientation
    exif.get_ifd(0x8769)[0x9003] = "2026:06:12 10:31:07"
    exif.get_ifd(0x8769)[0xA431] = "SERIAL-123456"  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 45.0, 30.0)
    gps[3], gps[4] = "W", (0.0, 22.0, 10.0)
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
           b'02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
           b'<dc:creator>Ms Teacher</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>')
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=exif.tobytes(), xmp=xmp, icc_profile=icc)
    path.write_bytes(buffer.getvalue())
    return path


def encoding_at(image: Image.Image, box: Box) -> np.ndarray | None:
    return encode_faces(image, [box])[0]


def distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b))


METADATA_MARKERS = {
    "EXIF": b"Exif\x00\x00",
    "XMP": b"http://ns.adobe.com/xap/1.0/",
    "IPTC/Photoshop": b"Photoshop 3.0",
    "ICC": b"ICC_PROFILE",
    "GPS text": b"PhoneMaker",
    "serial": b"SERIAL-123456",
    "creator": b"Ms Teacher",
}


def metadata_left(data: bytes) -> list[str]:
    """Which kinds of metadata a JPEG's bytes still carry (exiftool-style scan
    of the APP segments and of the whole file)."""
    found = [name for name, marker in METADATA_MARKERS.items() if marker in data]
    # Walk the JPEG segments: only APP0 (JFIF) is acceptable before the image data.
    position = 2
    while position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker == 0xDA:  # start of scan: image data follows
            break
        length = int.from_bytes(data[position + 2:position + 4], "big")
        if 0xE1 <= marker <= 0xEF:
            found.append(f"APP{marker - 0xE0} segment")
        if marker == 0xFE:
            found.append("comment")
        position += 2 + length
    return found
