"""Opening photos safely: formats phones produce, orientation, bombs, capture time."""

from __future__ import annotations

import io
import multiprocessing
import os
import stat
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()

FORMATS = {"JPEG", "PNG", "WEBP", "HEIF", "HEIC", "MPO"}
# The largest phone sensors make 200-megapixel photos (16320 x 12240); anything
# beyond is a decompression bomb (a small file whose header promises gigabytes
# of pixels). Checked from the header, before a pixel is decoded.
MAX_PIXELS = 200_000_000
MAX_SIDE = 16_384
# JPEG decodes straight at half size for detection; other formats decode whole,
# so they get a lower bound (about 360 MB of RGB).
MAX_FULL_DECODE_PIXELS = 120_000_000
REDUCED_DECODE = {"JPEG", "MPO"}
MAX_FILE_BYTES = 200_000_000
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


def keep_image_memory() -> None:
    """In a batch worker, which decodes photo after photo: Pillow keeps a few
    freed blocks of image memory for the next photo instead of handing them
    back to the system and faulting them in again. Measured on 12 MP photos:
    a third less kernel time in an import, three quarters less in an export,
    the same peak memory (at most 4 blocks of 16 MB are kept). Not in the
    app's own process, which should give memory back between batches."""
    if multiprocessing.parent_process() is not None:
        Image.core.set_blocks_max(4)


def read_photo_file(path: Path) -> bytes:
    """The bytes of a photo file, refusing anything but a regular file.

    Opened without blocking, so a named pipe called `x.jpg` cannot hang an
    import, and checked on the open file (no window between check and read).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise PhotoError(f"cannot read the file: {error.strerror or error}") from None
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_FILE_BYTES:
        os.close(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise PhotoError("not a regular file (a folder, pipe, device or socket): skipped")
        raise PhotoError(f"larger than {MAX_FILE_BYTES // 1_000_000} MB")
    with os.fdopen(descriptor, "rb") as stream:
        data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise PhotoError(f"larger than {MAX_FILE_BYTES // 1_000_000} MB")
    return data


def _open(source: Path | bytes) -> Image.Image:
    """Open from a path or the file's bytes, reading the header only."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(f"too large: more than {MAX_PIXELS // 1_000_000} megapixels, "
                         "which is not a real photo (a decompression bomb?)") from None
    except UnidentifiedImageError:
        raise PhotoError("not a photo ClassLens can read (JPEG, PNG, WebP or HEIC)") from None
    except OSError as error:
        if not isinstance(source, bytes) and error.strerror:
            raise PhotoError(f"cannot read the file: {error.strerror}") from None
        raise PhotoError(f"the file is damaged or truncated ({error})") from None
    except Exception as error:  # noqa: BLE001 - a crafted header can upset any decoder
        raise PhotoError(f"the file is damaged ({type(error).__name__}: {error})") from None
    try:
        _check_header(image)
    except PhotoError:
        image.close()
        raise
    return image


def _check_header(image: Image.Image) -> None:
    if image.format not in FORMATS:
        raise PhotoError(f"{image.format} files are not supported; use JPEG, PNG, WebP or HEIC")
    width, height = image.size
    limit = MAX_PIXELS if image.format in REDUCED_DECODE else MAX_FULL_DECODE_PIXELS
    if width < 1 or height < 1:
        raise PhotoError("the file is damaged (it says the photo has no pixels)")
    if width * height > limit or max(width, height) > MAX_SIDE:
        raise PhotoError(f"too large: {width} x {height} pixels is more than a "
                         f"{image.format} photo ClassLens accepts ({limit // 1_000_000} "
                         f"megapixels, {MAX_SIDE} pixels a side); a decompression bomb?")


@contextmanager
def _damage_is_this_files_error() -> Iterator[None]:
    """Whatever a decoder raises on a crafted or broken file becomes a PhotoError."""
    try:
        yield
    except PhotoError:
        raise
    except (OSError, SyntaxError, ValueError) as error:
        # ValueError also covers a text chunk far too large to decompress.
        raise PhotoError(f"the file is damaged or truncated ({error})") from None
    except MemoryError:
        raise PhotoError("too large to decode on this computer") from None
    except Exception as error:  # noqa: BLE001 - any decoder failure is this file's error
        raise PhotoError(f"the file is damaged ({type(error).__name__}: {error})") from None


def inspect(source: Path | bytes) -> PhotoInfo:
    with _open(source) as image, _damage_is_this_files_error():
        transposed = image.getexif().get(ORIENTATION, 1) in (5, 6, 7, 8)
        width, height = (image.height, image.width) if transposed else image.size
        return PhotoInfo(image.format or "", width, height, _captured_at(image))


def load(source: Path | bytes, scale: float = 1.0) -> tuple[Image.Image, float]:
    """The photo upright in RGB, shrunk by about `scale`; returns the image and
    the scale it really has (JPEG decodes at 1/2, 1/4 or 1/8 for free).

    Raises PhotoError for a truncated or corrupt file: every pixel is decoded
    here, so a broken photo never gets as far as the library.
    """
    # A damaged photo must fail here, whatever another library set globally
    # (face_recognition switches truncated-image loading on when imported).
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with _open(source) as image, _damage_is_this_files_error():
        full = image.size
        if scale < 1.0 and image.format in ("JPEG", "MPO"):
            # draft() picks the smallest DCT reduction still at least this big.
            image.draft("RGB", (round(full[0] * scale), round(full[1] * scale)))
        image.load()
        profile = image.info.get("icc_profile")
        real_scale = image.size[0] / full[0]
        # In place: otherwise Pillow copies the whole photo even when it is upright.
        ImageOps.exif_transpose(image, in_place=True)
        upright = image
        if upright.mode != "RGB":
            upright = _to_rgb(upright)
        # Faces are found on the pixels the export shows: a colour profile that
        # brightens near-black pixels must not hide faces from detection.
        upright = _to_srgb(upright, profile)
        if real_scale > scale * 1.01:
            target = (round(upright.width * scale / real_scale),
                      round(upright.height * scale / real_scale))
            upright = upright.resize(target, Image.Resampling.BILINEAR, reducing_gap=2.0)
            real_scale = scale
        return upright, real_scale


_SRGB = ImageCms.createProfile("sRGB")


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Pixels converted from the photo's own colour profile to plain sRGB, as a
    browser shows them (exports carry no profile)."""
    if not icc_profile:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
        return image if converted is None else converted  # None only when in place
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unreadable profile: detection and export both see these pixels


def _to_rgb(image: Image.Image) -> Image.Image:
    """Flatten transparency onto white, as a browser would show it; 16- and 32-bit
    greyscale scaled to 8 bits (Pillow's own conversion clips them to white)."""
    if image.mode.startswith("I"):
        values = np.asarray(image)
        # 16-bit samples (a 16-bit PNG opens as "I;16", or "I" with values up to 65535).
        if image.mode.startswith("I;16") or values.max(initial=0) > 255:
            values = np.clip(values, 0, 65535) >> 8
        return Image.fromarray(values.astype(np.uint8), "L").convert("RGB")
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
