"""What the columns of an MIS export are called: one table for SIMS, Arbor, Bromcom
and spreadsheets, and the one rule that matches a heading to a register field.

A heading matches a field when, after `normalise` (case, spacing, punctuation
and "&"/"and" ignored), it is the field's own name, one of its synonyms, or a
synonym wrapped in the words schools put round consent columns ("Photos -
Website", "Website consent", "Photo consent: website"). A heading that two
fields could claim, or a field that two headings could fill, is left for the
user to choose: a guess must never be a silent mistake.
"""

from __future__ import annotations

import re
import unicodedata

from classlens.register.columns import FIELDS

# field -> (plain label, synonyms as seen in SIMS, Arbor and Bromcom exports)
HEADINGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pupil_id": ("Pupil number (UPN)", (
        "upn", "unique pupil number", "pupil upn", "student upn", "upn number", "pupil id",
        "student id", "pupil number", "learner id", "mis id")),
    "given_name": ("First name", (
        "legal forename", "forename", "forenames", "first name", "firstname", "given name",
        "legal first name", "student first name", "pupil forename", "legal forenames")),
    "family_name": ("Surname", (
        "legal surname", "surname", "last name", "lastname", "family name", "legal last name",
        "student surname", "pupil surname")),
    "preferred_name": ("Known as (preferred first name)", (
        "preferred forename", "preferred first name", "preferred name", "known as",
        "chosen name", "preferred forenames")),
    "class": ("Class (registration group)", (
        "reg group", "registration group", "reg form", "registration form", "form",
        "form group", "tutor group",
        "class", "registration class", "reg class", "class name")),
    "year_group": ("Year group", (
        "nc year", "nc year actual", "year group", "year", "national curriculum year",
        "curriculum year", "year group name")),
    "consent_website": ("Consent: school website", ("website", "school website")),
    "consent_social_public": ("Consent: public social media", (
        "social media public", "public social media", "public social networking")),
    "consent_social_private": ("Consent: private feed", (
        "social media private", "private social media", "private feed",
        "private social media feed", "closed social media")),
    "consent_newsletter": ("Consent: newsletter", (
        "newsletter", "newsletters", "school newsletter")),
    "consent_press": ("Consent: press and local news", (
        "press", "media press", "local press", "newspaper", "newspapers", "press and media",
        "external media")),
    "consent_display": ("Consent: displays in school", (
        "display", "displays", "school displays", "wall displays", "displays in school")),
    "consent_video": ("Consent: video", ("video", "videos", "filming", "video recording")),
    "consent_biometric": ("Consent: face recognition (biometrics)", (
        "biometric", "biometrics", "biometric data", "biometric consent")),
    "decided_by": ("Consent given by (parent or pupil)", (
        "consent given by", "given by", "consent from", "decided by", "consent provided by",
        "consent by", "respondent")),
    "consent_expires": ("Consent review or expiry date", (
        "consent review date", "review date", "consent expiry", "consent expires",
        "consent expiry date", "expiry date", "consent end date", "expires")),
    "never_publish": ("Never publish (yes or no)", (
        "never publish", "do not publish", "do not photograph", "never photograph",
        "photo restriction")),
    "never_publish_reason": ("Why never published", (
        "never publish reason", "do not publish reason", "photo restriction reason")),
    "on_roll": ("On roll (yes or no)", ("on roll", "on roll status", "current pupil")),
}
# Words schools wrap round a consent column's name.
_WRAPPERS = ("photos", "photo", "photographs", "photograph", "photography", "images",
             "image", "media", "consent", "permission", "permissions")


def label(field: str) -> str:
    """The plain label of a field; a per-category expiry or evidence column too."""
    if field in HEADINGS:
        return HEADINGS[field][0]
    match = re.fullmatch(r"consent_(\w+?)_(expires|evidence)", field)
    if match and f"consent_{match[1]}" in HEADINGS:
        category = HEADINGS[f"consent_{match[1]}"][0].removeprefix("Consent: ")
        what = "expiry date" if match[2] == "expires" else "evidence"
        return f"Consent: {category} ({what})"
    return field.replace("_", " ").capitalize()


def normalise(heading: str) -> str:
    """Case, accents, spacing and punctuation ignored; "&" is "and"."""
    text = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode()
    text = text.casefold().replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _unwrapped(words: str) -> set[str]:
    """The heading and the heading without consent wrappers at either end."""
    forms = {words}
    parts = words.split()
    while parts and parts[0] in _WRAPPERS:
        parts = parts[1:]
        forms.add(" ".join(parts))
    while parts and parts[-1] in _WRAPPERS:
        parts = parts[:-1]
        forms.add(" ".join(parts))
    return {f for f in forms if f}


def _compact(words: str) -> str:
    # "U.P.N", "RegGroup" and "Reg Group" are one heading: spacing is ignored too.
    return words.replace(" ", "")


def _candidates(heading: str) -> set[str]:
    """The fields a heading could be."""
    words = normalise(heading)
    found = {f for f in FIELDS if _compact(normalise(f)) == _compact(words)}
    if found:
        return found  # our own name wins outright
    for field, (plain, synonyms) in HEADINGS.items():
        keys = {_compact(normalise(s)) for s in (*synonyms, plain)}
        if field.startswith("consent_") and field != "consent_expires":
            forms = _unwrapped(words)
        else:
            forms = {words}
        if {_compact(f) for f in forms} & keys:
            found.add(field)
    return found


def recognise(headings: list[str]) -> dict[str, str]:
    """Field -> heading, for every field exactly one heading can be and that
    heading can be only that field. Anything doubtful is left out."""
    claims: dict[str, list[str]] = {}
    for heading in headings:
        if not heading or not heading.strip():
            continue
        fields = _candidates(heading)
        if len(fields) == 1:
            claims.setdefault(next(iter(fields)), []).append(heading)
    return {field: found[0] for field, found in claims.items() if len(found) == 1}
