"""Comparing people's names as families and platforms write them.

"Mrs Siân Elizabeth Davies", "sian davies", "Davies, Siân" and "Liz Davies"
are compared by their first given name and their surname only: without
accents, case, titles or middle names, with common short forms ("Liz" for
Elizabeth, "Dai" for Dafydd) and with Irish and Welsh particles joined to the
surname ("Ó Súilleabháin", "O'Suilleabhain" and "OSuilleabhain" are one).
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from classlens.posts.names import fold

TITLES = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "rev", "revd", "sir",
    "dame", "lady", "lord", "fr", "sr", "mstr", "master", "cllr",
})
# Joined to the word after them: "ó súilleabháin" -> "osuilleabhain".
PARTICLES = frozenset({
    "o", "mac", "mc", "ni", "nic", "ui", "ua", "ap", "ab", "van", "von", "der", "den",
    "de", "da", "di", "du", "la", "le", "st", "saint", "bin", "bint", "al", "el",
})
WORD = regex.compile(r"[\p{L}\p{N}]+")

# Common short forms, English, Welsh and Irish. Each group is one name as
# friends and forms write it; a name may be in several ("harry"). Names in
# other languages (Siân and Jane, Seán and John) are different names here:
# people write their own name one way, and a looser match lets strangers in.
SHORT_FORMS = (
    "william bill billy will willy liam",
    "gwilym gwil wil",
    "elizabeth liz lizzie lizzy beth betty bet eliza libby elsie",
    "robert rob robbie bob bobby bert",
    "richard rich richie rick ricky dick",
    "james jim jimmy jamie jamey",
    "john jon johnny jack",
    "sean shaun shawn",
    "ieuan iefan ianto",
    "jonathan jon jonny",
    "catherine katherine kathryn katharine kate katie kath cathy cath kathy kay",
    "thomas tom tommy",
    "tomos twm tom",
    "david dave davey dai dafydd dewi",
    "margaret maggie meg peggy",
    "mary molly polly",
    "jane jenny janey",
    "michael mike mick mickey micky",
    "christopher chris kit",
    "christine chris chrissie christina",
    "nicholas nick nicky",
    "nicola nicky nikki",
    "stephen steven steve stevie",
    "anthony antony tony",
    "andrew andy drew",
    "alexander alex alec sandy",
    "alexandra alex lexi sandra",
    "samuel sam sammy",
    "samantha sam sammy",
    "benjamin ben benny",
    "daniel dan danny",
    "edward ed eddie ted teddy ned",
    "joseph joe joey",
    "josephine jo josie",
    "joanne joanna jo",
    "matthew matt matty",
    "patrick pat paddy",
    "patricia pat patsy trish tricia",
    "peter pete",
    "philip phillip phil",
    "rebecca becky becca",
    "susan sue susie suzanne",
    "deborah debra debbie deb",
    "victoria vicky vicki tori",
    "charles charlie chas chuck",
    "charlotte charlie lottie",
    "gareth gaz",
    "rhiannon rhi",
    "gwenllian gwen",
    "gwendolyn gwen",
    "rhodri rhod",
    "llywelyn llew",
    "hywel howell",
    "owen owain",
    "siobhan shiv",
    "niamh neve",
    "kenneth ken kenny",
    "timothy tim timmy",
    "gerald gerry",
    "geraldine gerry",
    "frances fran frankie",
    "francis frank frankie",
    "helen helena nell nellie",
    "eleanor ellie nell nora",
    "abigail abby abbie",
    "amanda mandy",
    "jennifer jen jenny",
    "jessica jess jessie",
    "lucy lucie",
    "oliver ollie olly",
    "harold harry hal",
    "henry harry hal hank",
)


def _groups() -> dict[str, frozenset[str]]:
    by_name: dict[str, set[str]] = {}
    for line in SHORT_FORMS:
        group = set(line.split())
        for name in group:
            by_name.setdefault(name, set()).update(group)
    return {name: frozenset(group) for name, group in by_name.items()}


EQUIVALENTS = _groups()


def name_words(text: str) -> list[str]:
    """Folded words of a name, titles dropped, particles joined to their surname."""
    text = fold(text)
    if text.count(",") == 1:  # "Davies, Siân" as registers write it
        family, given = text.split(",")
        text = f"{given} {family}"
    # Apostrophes and hyphens join ("o'neill", "jones-evans"): one surname.
    text = regex.sub(r"(?<=\p{L})['\-](?=\p{L})", "", text)
    found = [w for w in WORD.findall(text) if w not in TITLES]
    joined: list[str] = []
    carry = ""
    for index, word in enumerate(found):
        # A particle joins the next word, except as a given name ("Al Davies").
        if word in PARTICLES and index > 0 and index < len(found) - 1:
            carry += word
            continue
        joined.append(carry + word)
        carry = ""
    return joined


def same_given_name(a: str, b: str) -> bool:
    if a == b:
        return True
    return b in EQUIVALENTS.get(a, ()) or a in EQUIVALENTS.get(b, ())


@dataclass(frozen=True)
class PersonName:
    """A name from a record: first given name and surname, folded."""

    given: str
    family: str
    written: str  # as the record spells it, for reasons

    @classmethod
    def parse(cls, written: str) -> PersonName | None:
        words = name_words(written)
        if len(words) < 2:
            return None
        return cls(words[0], words[-1], " ".join(written.split()))

    def found_in(self, text: str) -> bool:
        """Whether `text` (a display name) names this person: a given name that is
        theirs or a short form of it, followed later by their surname."""
        return any(surname == self.family and self.given_before(words, start)
                   for words in (name_words(text),)
                   for start, surname in surnames(words))

    def given_before(self, words: list[str], start: int) -> bool:
        return any(same_given_name(word, self.given) for word in words[:start])


def surnames(words: list[str]) -> list[tuple[int, str]]:
    """Every way a surname may sit in a display name's words, with where it starts:
    written in parts ("Jones Evans") or whole ("Jones-Evans")."""
    return [(j, "".join(words[j:k])) for j in range(1, len(words))
            for k in range(j + 1, min(j + 3, len(words)) + 1)]


class NameBook:
    """Many people's names, looked up by surname and given name: one display name
    is compared with the records that share both, not with the whole register."""

    def __init__(self):
        self._by_name: dict[tuple[str, str], list] = {}
        self._order: dict[int, int] = {}  # id(value) -> when it was added

    def add(self, name: PersonName | None, value) -> None:
        if name is not None:
            self._by_name.setdefault((name.family, name.given), []).append(value)
            self._order.setdefault(id(value), len(self._order))

    def find(self, text: str) -> list:
        """The values of every record `text` names, in the order they were added."""
        words = name_words(text)
        found: dict[int, object] = {}
        for start, surname in surnames(words):
            for word in set(words[:start]):
                for given in EQUIVALENTS.get(word, frozenset()) | {word}:
                    for value in self._by_name.get((surname, given), ()):
                        found.setdefault(id(value), value)
        return sorted(found.values(), key=lambda v: self._order[id(v)])
