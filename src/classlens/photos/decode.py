"""Opening photos safely: formats phones produce, orientation, bombs, capture time."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()

FORMATS = {"JPEG", "PNG", "WEBP", "HEIF", "HEIC", "MPO"}
# A 200-megapixel phone photo is real; anything far beyond is a decompression
# bomb (a small file that expands to gigabytes of pixels).
MAX_PIXELS = 250_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 0x9003
DATETIME = 0x0132
ORIENTATION = 0x0112


class PhotoError(Exception):
    """A file that cannot be used as a photo; the message says why."""


@dataclass(frozen=True)
class PhotoInfo:
    format: str
    width: int  # after orientation
    height: int
    captured_at: datetime | None


def _open(path: Path) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(f"too large: more than {MAX_PIXELS // 1_000_000} megapixels, "
                         "which is not a real photo (a decompression bomb?)") from None
    except UnidentifiedImageError:
        raise PhotoError("not a photo ClassLens can read (JPEG, PNG, WebP or HEIC)") from None
    except OSError as error:
        raise PhotoError(f"cannot read the file: {error.strerror or error}") from None
    if image.format not in FORMATS:
        image.close()
        raise PhotoError(f"{image.format} files are not supported; use JPEG, PNG, WebP or HEIC")
    if image.width * image.height > MAX_PIXELS:
        image.close()
        raise PhotoError(f"too large: more than {MAX_PIXELS // 1_000_000} megapixels")
    return image


def inspect(path: Path) -> PhotoInfo:
    with _open(path) as image:
        transposed = image.getexif().get(ORIENTATION, 1) in (5, 6, 7, 8)
        width, height = (image.height, image.width) if transposed else image.size
        return PhotoInfo(image.format, width, height, _captured_at(image))


def load(path: Path, scale: float = 1.0) -> tuple[Image.Image, float]:
    """The photo upright in RGB, shrunk by about `scale`; returns the image and
    the scale it really has (JPEG decodes at 1/2, 1/4 or 1/8 for free).

    Raises PhotoError for a truncated or corrupt file: every pixel is decoded
    here, so a broken photo never gets as far as the library.
    """
    # A damaged photo must fail here, whatever another library set globally
    # (face_recognition switches truncated-image loading on when imported).
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    image = _open(path)
    try:
        full = image.size
        if scale < 1.0 and image.format in ("JPEG", "MPO"):
            # draft() picks the smallest DCT reduction still at least this big.
            image.draft("RGB", (round(full[0] * scale), round(full[1] * scale)))
        image.load()
        upright = ImageOps.exif_transpose(image)
        real_scale = image.size[0] / full[0]
        if upright.mode != "RGB":
            upright = _to_rgb(upright)
        if real_scale > scale * 1.01:
            target = (round(upright.width * scale / real_scale),
                      round(upright.height * scale / real_scale))
            upright = upright.resize(target, Image.Resampling.BILINEAR, reducing_gap=2.0)
            real_scale = scale
        return upright, real_scale
    except (OSError, SyntaxError, ValueError) as error:
        raise PhotoError(f"the file is damaged or truncated ({error})") from None
    finally:
        image.close()


def _to_rgb(image: Image.Image) -> Image.Image:
    """Flatten transparency onto white, as a browser would show it."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _captured_at(image: Image.Image) -> datetime | None:
    exif = image.getexif()
    raw = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    if not raw:
        return None
    try:
        return datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
