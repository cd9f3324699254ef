"""A verdict with a reason for each follower request, from the school's records.

Pure: the caller gives the follower rows and what the school knows (pupils,
parents' contacts, staff). Verdicts that are not accepted come first, so a
follower who matches a pupil is never passed as a parent because a parent
has the same name: pupil, then business, then staff, then parent, else
unknown. The reasons never contain a parent's e-mail address.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import regex

from classlens.followers.person_names import NameBook, PersonName
from classlens.posts.names import fold

PARENT, STAFF, PUPIL, BUSINESS, UNKNOWN = "parent", "staff", "pupil", "business", "unknown"
VERDICTS = (PARENT, STAFF, PUPIL, BUSINESS, UNKNOWN)
ACCEPTED = (PARENT, STAFF)
# Words that mark a business, a media organisation, a service or a charity
# (seed 003 accepts none of them). Bios are read only for words no private
# person uses of themselves ("Ltd", "services"); a name also for trades and
# hobbies-turned-business ("Photography", "Nails").
BUSINESS_WORDS = (
    "ltd", "limited", "plc", "llp", "llc", "inc", "co uk", "and sons", "services",
    "solutions", "shop", "store", "salon", "agency", "consultancy", "lettings",
    "estate agents", "recruitment", "wholesale", "catering", "takeaway", "restaurant", "cafe",
    "bakery", "boutique", "plumbing", "builders", "roofing", "electrical", "garage",
    "official account", "official page", "news", "media", "radio", "magazine", "gazette",
    "journalist", "reporter", "councillor", "charity", "registered charity", "foundation",
    "buy now", "book now", "dm to order", "dm for prices", "we deliver", "discount code",
)
NAME_ONLY_WORDS = (
    "photography", "photographer", "studio", "studios", "fitness", "gym", "beauty", "nails",
    "lashes", "tuition", "tutoring", "cleaning", "properties", "estates", "marketing",
    "consulting", "repairs", "dog grooming", "events", "hire", "design", "designs",
)
_BUSINESS = regex.compile(r"\b(" + "|".join(regex.escape(w) for w in BUSINESS_WORDS) + r")\b")
_BUSINESS_NAME = regex.compile(
    r"\b(" + "|".join(regex.escape(w) for w in BUSINESS_WORDS + NAME_ONLY_WORDS) + r")\b")
# A bio that reads like a primary pupil's own ("Year 6", "I'm 10", "yr5 at
# Redbourn"): seed 003 accepts no pupil's own account. A parent's bio ("Mum of a
# Year 6") names the parent, so any such word cancels it.
CHILD_BIO = regex.compile(r"\b(?:year|yr|y)\s?[1-6]\b|"
                          r"\b(?:i'?m|i am|age|aged)\s+(?:[4-9]|1[0-2])\b")
GROWN_UP = regex.compile(r"\b(?:mum|mom|mam|mummy|mother|dad|daddy|father|parent|carer|"
                         r"nan|nanny|gran|granny|grandma|grandad|grandpa|teacher|teaching|"
                         r"governor|wife|husband|of|my)\b")
EMAIL = regex.compile(r"[^@\s<>()]+@[^@\s<>()]+\.[^@\s<>()]+")


@dataclass(frozen=True)
class FollowerRow:
    handle: str
    display_name: str
    bio: str = ""


@dataclass(frozen=True)
class ContactFacts:
    name: str
    relation: str
    is_parent: bool
    pupil_class: str | None
    email: str | None  # folded; never shown


@dataclass(frozen=True)
class PupilName:
    name: str  # given (or preferred) and family name
    class_name: str | None


@dataclass(frozen=True)
class Verdict:
    handle: str
    display_name: str
    verdict: str
    reason: str

    def as_dict(self) -> dict:
        return {"handle": self.handle, "display_name": self.display_name,
                "verdict": self.verdict, "reason": self.reason}


class SchoolDirectory:
    """Pupils, parents' contacts and staff, parsed once for many followers."""

    def __init__(self, pupils: Iterable[PupilName], contacts: Iterable[ContactFacts],
                 staff: Iterable[str]):
        self.pupils, self.contacts, self.staff = NameBook(), NameBook(), NameBook()
        self.emails: dict[str, ContactFacts] = {}
        for pupil in pupils:
            self.pupils.add(PersonName.parse(pupil.name), pupil)
        for contact in contacts:
            self.contacts.add(PersonName.parse(contact.name), contact)
            if contact.email:
                self.emails.setdefault(contact.email, contact)
        for written in staff:
            self.staff.add(PersonName.parse(written), " ".join(written.split()))

    def judge(self, row: FollowerRow) -> Verdict:
        name = " ".join(row.display_name.split())

        def verdict(kind: str, reason: str) -> Verdict:
            return Verdict(row.handle, row.display_name, kind, reason)

        pupil = next(iter(self.pupils.find(name)), None)
        parent_too = self._contact(row)
        if pupil is not None:
            also = (" It is also a parent's name: if it is the parent, they can show the "
                    "office who they are." if parent_too else "")
            return verdict(PUPIL, f"The name matches a pupil on roll ({pupil.name}"
                           f"{', ' + pupil.class_name if pupil.class_name else ''}): pupils "
                           f"are not accepted as followers.{also}")
        bio = " ".join(fold(row.bio).replace("\u2019", "'").split())
        child = CHILD_BIO.search(bio)
        if child and not GROWN_UP.search(bio):
            return verdict(PUPIL, f"The bio reads like a pupil's own account (\"{child.group(0)}"
                           "\"): pupils are not accepted as followers.")
        business = _business_word(name, _BUSINESS_NAME) or _business_word(row.bio, _BUSINESS)
        if business:
            where = "name" if _business_word(name, _BUSINESS_NAME) else "bio"
            return verdict(BUSINESS, f"The {where} says \"{business}\": businesses, media, "
                           "services and charities are not accepted.")
        staff = next(iter(self.staff.find(name)), None)
        if staff is not None:
            return verdict(STAFF, f"Matches a member of staff ({staff}).")
        if parent_too is not None:
            contact, how = parent_too
            of = f"a pupil in {contact.pupil_class}" if contact.pupil_class else "a pupil"
            if contact.is_parent:
                return verdict(PARENT, f"{how} {contact.name} ({contact.relation.lower()} "
                               f"of {of}, on roll).")
            return verdict(UNKNOWN, f"{how} {contact.name}, {contact.relation.lower()} of "
                           f"{of}: only parents and principal carers are accepted; the "
                           "headteacher decides exceptions.")
        return verdict(UNKNOWN, "Not found among parents' contacts, staff or pupils: "
                       "check who this is before accepting.")

    def _contact(self, row: FollowerRow) -> tuple[ContactFacts, str] | None:
        """The contact this follower is, by e-mail address first, then by name; a
        parent wins over another relative of the same name."""
        for text in (row.handle, row.display_name):
            for address in EMAIL.findall(text):
                contact = self.emails.get(fold(address).strip(".,;"))
                if contact is not None:
                    return contact, "The e-mail address is that of"
        matches = self.contacts.find(row.display_name)
        if not matches:
            return None
        matches.sort(key=lambda c: not c.is_parent)
        return matches[0], "Matches"


def _business_word(text: str, words: regex.Pattern) -> str | None:
    match = words.search(" ".join(fold(text).replace("&", " and ").split()))
    return match.group(1) if match else None
