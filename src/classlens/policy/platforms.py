"""The platforms a channel can publish to, and what each accepts.

Figures from ../DOMAIN.md "Platform limits"; the long edge is what the
platform displays at most, so larger exports only leak detail.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlatformLimits:
    long_edge: int  # pixels of an exported image's longer side
    max_bytes: int  # per image
    max_images: int  # per post


PLATFORM_LIMITS: dict[str, PlatformLimits] = {
    "x": PlatformLimits(4096, 5_000_000, 4),
    "bluesky": PlatformLimits(2000, 1_000_000, 4),
    "mastodon": PlatformLimits(3840, 10_000_000, 4),
    "facebook": PlatformLimits(2048, 10_000_000, 10),
    "instagram": PlatformLimits(1440, 8_000_000, 10),
    "website": PlatformLimits(2000, 5_000_000, 20),
    "newsletter": PlatformLimits(2400, 5_000_000, 20),
    "other": PlatformLimits(2400, 5_000_000, 20),
}
PLATFORMS: tuple[str, ...] = tuple(PLATFORM_LIMITS)
