"""Finding pupils' names in text: whole words, any case, with or without accents.

"Zoë's", "ZOE", "zoe" and "Zoe’s" all find Zoë. Hyphenated and multi-word
names are found whole ("García-López", "Ó Súilleabháin") and by their parts.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import regex

from classlens.posts.common_words import EVERYDAY_WORDS

WORD = regex.compile(r"[\p{L}\p{N}]+(?:['-][\p{L}\p{N}]+)*")
MIN_PART = 3  # parts of hyphenated names shorter than this ("Le") are not names alone


def fold(text: str) -> str:
    """Lower case without accents, with typographic apostrophes made plain and
    invisible characters (zero-width spaces and joiners, soft hyphens, byte
    order marks: Unicode "format" characters) taken out: a platform shows
    "Ei\u00adleen" as "Eileen", so the rules must read it so too."""
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = text.replace("\u2019", "'").replace("\u02bc", "'").replace("\u2018", "'")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Folded words, possessives taken off ("zoe's" -> "zoe", "james'" -> "james")."""
    found = []
    for word in WORD.findall(fold(text)):
        found.append(word.removesuffix("'s").strip("'"))
    return [w for w in found if w]


@dataclass(frozen=True)
class NameHit:
    name: str  # as the register spells it
    everyday_word: bool


class NameIndex:
    """All the names to look for, built once from the register."""

    def __init__(self, names: Iterable[str]):
        self._phrases: dict[tuple[str, ...], str] = {}
        for name in names:
            if not name or not name.strip():
                continue
            whole = tuple(words(name))
            if whole:
                self._phrases.setdefault(whole, name.strip())
            for word in whole:
                for part in word.split("-"):
                    if len(part) >= MIN_PART:
                        self._phrases.setdefault((part,), name.strip())
        self._longest = max((len(p) for p in self._phrases), default=0)

    def find(self, text: str) -> list[NameHit]:
        tokens = words(text)
        hits: dict[str, NameHit] = {}
        for size in range(self._longest, 0, -1):
            for start in range(len(tokens) - size + 1):
                window = tuple(tokens[start:start + size])
                candidates = [window]
                # A hyphenated caption word is also looked up by its parts.
                if size == 1 and "-" in window[0]:
                    candidates += [(part,) for part in window[0].split("-")]
                for candidate in candidates:
                    name = self._phrases.get(candidate)
                    if name and name not in hits:
                        hits[name] = NameHit(name, _everyday(candidate))
        return list(hits.values())


def _everyday(phrase: tuple[str, ...]) -> bool:
    return len(phrase) == 1 and phrase[0] in EVERYDAY_WORDS
