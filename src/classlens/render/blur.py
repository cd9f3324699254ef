"""Blur burnt into the pixels, covering the whole head, scaled to the face.

Strength is set so that a face recogniser no longer recognises the person:
tests measure that the encoding distance between a face and its blurred
version exceeds 0.6, the recogniser's own "same person" threshold.
"""

from __future__ import annotations

from PIL import Image, ImageFilter

from classlens.faces.box import Box

STYLES = ("gaussian", "pixelate")
BLUR_SIDE = 64


def head_region(box: Box, width: int, height: int) -> Box:
    """The detected face box grown to the head: hair above, ears beside, chin below."""
    dx, up, down = box.width * 0.35, box.height * 0.5, box.height * 0.2
    return Box(max(0, int(box.left - dx)), max(0, int(box.top - up)),
               min(width, int(box.right + dx + 1)), min(height, int(box.bottom + down + 1)))


def blur_regions(image: Image.Image, boxes: list[Box], style: str = "gaussian",
                 in_place: bool = False) -> Image.Image:
    """A copy of `image` with every box's head blurred beyond recognition
    (`image` itself, changed, when `in_place`: copying 12 MP costs more than
    blurring a dozen heads)."""
    if style not in STYLES:
        raise ValueError(f"blur style must be one of {', '.join(STYLES)}")
    result = image if in_place else image.copy()
    for box in boxes:
        head = head_region(box, image.width, image.height)
        if head.width <= 0 or head.height <= 0:
            continue
        patch = result.crop((head.left, head.top, head.right, head.bottom))
        size = max(head.width, head.height)
        if style == "pixelate":
            # About 6 blocks across a face: a silhouette, no features.
            blocks = max(1, round(size / max(4, size // 6)))
            small = patch.resize((max(1, blocks * head.width // size),
                                  max(1, blocks * head.height // size)), Image.Resampling.BOX)
            patch = small.resize(patch.size, Image.Resampling.NEAREST)
        else:
            # Two passes of a radius of a fifth of the head: no edge of an eye,
            # mouth or nose survives. A blur that wide keeps nothing finer than
            # a few pixels of a BLUR_SIDE-pixel copy, so a large head is shrunk
            # to that first, blurred there and enlarged again: the same result
            # for a fraction of the work (a 12 MP export was spending more time
            # blurring than decoding).
            radius = max(4, size // 5)
            step = max(1, size // BLUR_SIDE)
            small = patch.reduce(step) if step > 1 else patch
            small = small.filter(ImageFilter.GaussianBlur(radius / step)).filter(
                ImageFilter.GaussianBlur(radius / step))
            patch = small.resize(patch.size, Image.Resampling.BILINEAR) if step > 1 else small
        result.paste(patch, (head.left, head.top))
    return result
