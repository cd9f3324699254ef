"""Exporting one photo for one channel: blurred, re-encoded, nothing else left.

Never a file copy: the pixels are decoded, blurred, resized and encoded into
a new JPEG that carries no EXIF (GPS, capture time, camera serial), no XMP,
no IPTC, no ICC profile and no embedded thumbnail, which would otherwise
hold the unblurred original in miniature.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageCms

from classlens.faces.box import Box
from classlens.photos.library import write_atomic
from classlens.render.blur import blur_regions

JPEG_QUALITY = 88
SRGB = ImageCms.createProfile("sRGB")


def to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert pixels from the photo's own colour profile to plain sRGB."""
    if not icc_profile:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        return ImageCms.profileToProfile(image, source, SRGB, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError):
        return image  # an unreadable profile: the pixels are most likely sRGB already


def render(image: Image.Image, blur: list[Box], long_edge: int, style: str = "gaussian",
           icc_profile: bytes | None = None) -> tuple[Image.Image, float]:
    """The exported pixels, and the factor from original to exported pixels."""
    blurred = blur_regions(to_srgb(image, icc_profile), blur, style)
    factor = min(1.0, long_edge / max(blurred.size))
    if factor < 1.0:
        blurred = blurred.resize((round(blurred.width * factor), round(blurred.height * factor)),
                                 Image.Resampling.LANCZOS, reducing_gap=3.0)
    return blurred, factor


def encode_jpeg(image: Image.Image, max_bytes: int | None = None) -> bytes:
    """A fresh baseline JPEG with no metadata at all, under `max_bytes` if given."""
    quality = JPEG_QUALITY
    while True:
        buffer = io.BytesIO()
        # No exif=, icc_profile= or xmp= arguments: Pillow writes none of them.
        image.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=True)
        data = buffer.getvalue()
        if max_bytes is None or len(data) <= max_bytes or quality <= 40:
            return data
        quality -= 8


def save(data: bytes, folder: Path, name: str) -> Path:
    target = folder / name
    write_atomic(target, data)
    return target
