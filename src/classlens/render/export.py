"""Exporting one photo for one channel: blurred, re-encoded, nothing else left.

Never a file copy: the pixels are decoded, blurred, resized and encoded into
a new JPEG that carries no EXIF (GPS, capture time, camera serial), no XMP,
no IPTC, no ICC profile and no embedded thumbnail, which would otherwise
hold the unblurred original in miniature.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from classlens.atomic_write import write_atomic
from classlens.errors import ClassLensError
from classlens.faces.box import Box
from classlens.photos import decode
from classlens.photos.library import sha256_of
from classlens.render.blur import blur_regions
from classlens.tasks import Workers

JPEG_QUALITY = 88


def load(source: Path | bytes, width: int, height: int,
         long_edge: int) -> tuple[Image.Image, float]:
    """The original decoded for an export of `long_edge` pixels, and its scale.

    A JPEG decodes at 1/2, 1/4 or 1/8 of its size for a fraction of the work:
    the largest of those reductions that still leaves at least `long_edge`
    pixels is used (a 12 MP photo for a 2000-pixel channel decodes at half size).
    """
    target = long_edge / max(width, height, 1)
    scale = next((s for s in (0.125, 0.25, 0.5) if s >= target), 1.0)
    return decode.load(source, scale)


def render(image: Image.Image, blur: list[Box], long_edge: int, style: str = "gaussian",
           scale: float = 1.0) -> tuple[Image.Image, float]:
    """The exported pixels, and the factor from original to exported pixels.

    `image` is the original shrunk by `scale`, decoded for this export (it may
    be blurred in place); `blur` is in original pixels. The photo is resized
    first and blurred after: the same blur (scaled to each face as exported)
    on fewer pixels.
    """
    factor = min(1.0, long_edge / max(image.size))
    if factor < 1.0:
        image = image.resize((round(image.width * factor), round(image.height * factor)),
                             Image.Resampling.LANCZOS, reducing_gap=3.0)
    total = scale * factor
    return blur_regions(image, [box.scaled(total) for box in blur], style, in_place=True), total


@dataclass(frozen=True)
class ExportJob:
    """What an export's pixels depend on, decided beforehand from the register:
    plain values, so that a worker process can make the file, and so that the
    same decisions give an equal job (a batch checks, under the register lock,
    that the file it writes was made from the decisions it logs)."""

    source: str  # the original in the library
    sha256: str  # of the original as imported: the file is checked against it
    width: int  # of the original, upright
    height: int
    long_edge: int
    max_bytes: int | None
    blur: tuple[Box, ...]  # in original pixels
    style: str


def make(job: ExportJob) -> tuple[bytes, float]:
    """The exported JPEG for `job`, and the factor from original to exported pixels.

    The faces were found, and a post approved, on the original as imported: a
    file changed in the (often shared) library since is refused.
    """
    data = decode.read_photo_file(Path(job.source))
    if sha256_of(data) != job.sha256:
        raise ClassLensError(
            f"the original in the library ({job.source}) is not the file that was imported: "
            "it changed since. Nothing was exported. Restore the library from a backup, or "
            "import the photo again and review it.")
    image, scale = load(data, job.width, job.height, job.long_edge)
    rendered, factor = render(image, list(job.blur), job.long_edge, job.style, scale)
    return encode_jpeg(rendered, job.max_bytes), factor


def warm_up() -> None:
    """A worker that unpickles this function has imported this module, Pillow
    and numpy, which is all an export worker loads before its first photo."""
    decode.keep_image_memory()


def export_workers(count: int | Workers | None = None) -> Workers:
    """The worker processes of a batch export."""
    return count if isinstance(count, Workers) else Workers(count, warm_up)


def make_or_none(job: ExportJob) -> tuple[bytes, float] | None:
    """`make` in a worker process: None when anything fails, and the caller
    makes that file again itself, where the error is reported as for one photo."""
    try:
        return make(job)
    except Exception:  # noqa: BLE001 - the caller's own attempt says what went wrong
        return None


def encode_jpeg(image: Image.Image, max_bytes: int | None = None) -> bytes:
    """A fresh baseline JPEG with no metadata at all, under `max_bytes` if given.

    Huffman optimisation is used only when the file is too large: measured on
    12 MP photos it saved 3 % at 2000 pixels and 20 % at 4000 for 40 % and
    130 % more encoding time, a cost paid on every photo of a batch.
    """
    quality, optimize = JPEG_QUALITY, False
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    while True:
        buffer = io.BytesIO()
        # No exif=, icc_profile= or xmp= arguments: Pillow writes none of them.
        # A comment it would copy from the original (a camera's, or a name a
        # photographer typed), unless given an empty one.
        rgb.save(buffer, "JPEG", quality=quality, optimize=optimize, comment=b"")
        data = buffer.getvalue()
        if max_bytes is None or len(data) <= max_bytes or quality <= 40:
            return data
        if not optimize:
            optimize = True  # first the same quality, packed tighter
        else:
            quality -= 8


def save(data: bytes, folder: Path, name: str) -> Path:
    target = folder / name
    write_atomic(target, data)
    return target
