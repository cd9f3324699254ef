"""The platforms a channel can publish to."""

PLATFORMS: tuple[str, ...] = (
    "x", "bluesky", "mastodon", "facebook", "instagram", "website", "newsletter", "other",
)
