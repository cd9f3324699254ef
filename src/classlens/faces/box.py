"""A face box: plain numbers, so that what only needs boxes loads no image library."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    """A face box in pixels of the (orientation-corrected) original photo."""

    left: int
    top: int
    right: int
    bottom: int
    score: float = 1.0

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def as_list(self) -> list[int]:
        return [self.left, self.top, self.right, self.bottom]

    def scaled(self, factor: float) -> Box:
        return Box(round(self.left * factor), round(self.top * factor),
                   round(self.right * factor), round(self.bottom * factor), self.score)

    def overlap(self, other: Box) -> float:
        """Intersection over union."""
        w = max(0, min(self.right, other.right) - max(self.left, other.left))
        h = max(0, min(self.bottom, other.bottom) - max(self.top, other.top))
        inter = w * h
        union = self.width * self.height + other.width * other.height - inter
        return inter / union if union else 0.0
