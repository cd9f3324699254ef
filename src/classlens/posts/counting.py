"""Text length as each platform counts it.

- X: twitter-text v3 weighted length. Text is NFC-normalised; each code point
  weighs 1 in U+0000-U+10FF and a few punctuation ranges, 2 elsewhere; an
  emoji sequence (ZWJ family, skin tone, flag, keycap) weighs 2 in all; every
  URL counts as 23. Limit 280.
- Bluesky: 300 graphemes and 3000 UTF-8 bytes.
- Mastodon: 500 graphemes, URLs as 23.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex

URL_LENGTH = 23
# twitter-text config/v3.json
X_LIMIT = 280
X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))

# URLs as twitter-text finds them: with a scheme, or a bare domain under a
# known top-level domain. Domain labels are at most 63 characters.
_TLDS = ("com|org|net|edu|gov|int|info|biz|name|io|co|me|ly|tv|app|dev|uk|ie|us|ca|au|nz|"
         "de|fr|es|it|nl|be|jp|cn|in|eu|school|education|academy")
URL = regex.compile(
    r"(?<![\p{L}\p{N}@.])(?:https?://[^\s<>\"]+|(?:www\.)?(?:[\p{L}\p{N}](?:[\p{L}\p{N}_-]{0,61}"
    r"[\p{L}\p{N}])?\.)+(?:" + _TLDS + r")(?![\p{L}\p{N}])(?:/[^\s<>\"]*)?)",
    regex.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""


def urls(text: str) -> list[tuple[int, int]]:
    """(start, end) of each URL, without trailing punctuation."""
    spans = []
    for match in URL.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _TRAILING:
            end -= 1
        label_ok = all(len(label) <= 63 for label in
                       regex.sub(r"^https?://", "", text[start:end]).split("/")[0].split("."))
        if label_ok:
            spans.append((start, end))
    return spans


def _is_emoji(cluster: str) -> bool:
    first = cluster[0]
    return bool(regex.match(r"\p{Extended_Pictographic}", first)) or "\u20e3" in cluster or \
        bool(regex.match(r"\p{Regional_Indicator}", first))


def _x_weight(cluster: str) -> int:
    if _is_emoji(cluster):
        return 2
    return sum(1 if any(a <= ord(c) <= b for a, b in X_LIGHT_RANGES) else 2 for c in cluster)


def _replace_urls(text: str, placeholder_weight: int) -> tuple[str, int]:
    """The text without its URLs, and the count the URLs add."""
    spans = urls(text)
    for start, end in reversed(spans):
        text = text[:start] + text[end:]
    return text, len(spans) * placeholder_weight


def x_length(text: str) -> int:
    text = unicodedata.normalize("NFC", text)
    rest, count = _replace_urls(text, URL_LENGTH)
    return count + sum(_x_weight(c) for c in regex.findall(r"\X", rest))


def graphemes(text: str) -> int:
    return len(regex.findall(r"\X", text))


def mastodon_length(text: str) -> int:
    rest, count = _replace_urls(text, URL_LENGTH)
    return count + graphemes(rest)


@dataclass(frozen=True)
class Length:
    count: int
    limit: int | None
    unit: str

    @property
    def over(self) -> bool:
        return self.limit is not None and self.count > self.limit


def lengths(platform: str, text: str) -> list[Length]:
    """Every length the platform limits, as the platform counts it."""
    if platform == "x":
        return [Length(x_length(text), X_LIMIT, "weighted characters")]
    if platform == "bluesky":
        return [Length(graphemes(text), 300, "characters"),
                Length(len(text.encode("utf-8")), 3000, "bytes")]
    if platform == "mastodon":
        return [Length(mastodon_length(text), 500, "characters")]
    if platform == "instagram":
        return [Length(graphemes(text), 2200, "characters")]
    if platform == "facebook":
        return [Length(graphemes(text), 63206, "characters")]
    return [Length(graphemes(text), None, "characters")]
