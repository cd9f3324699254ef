"""The register file's columns: our field names in the order our export writes
them, which ones a file must have, how long each may be, and our guess at
which of a school's headings (SIMS, Arbor, Bromcom) holds each field."""

from __future__ import annotations

from classlens.register.consent import ALL_CATEGORIES

# Our column names, in the order our export writes them. A school's MIS export
# has one row per pupil and one expiry for all its answers; our own export also
# gives each category its expiry and evidence, and has a second row for a
# pupil's own decisions (decided_by "pupil"), so that it round-trips exactly.
CONSENT_FIELDS = {f"consent_{c}": c for c in ALL_CATEGORIES}
EXPIRY_FIELDS = {f"consent_{c}_expires": c for c in ALL_CATEGORIES}
EVIDENCE_FIELDS = {f"consent_{c}_evidence": c for c in ALL_CATEGORIES}
FIELDS: tuple[str, ...] = (
    "pupil_id",
    "given_name",
    "family_name",
    "preferred_name",
    "class",
    "year_group",
    *CONSENT_FIELDS,
    "decided_by",
    "consent_expires",
    "never_publish",
    "never_publish_reason",
    "on_roll",
    *(name for c in ALL_CATEGORIES
      for name in (f"consent_{c}_expires", f"consent_{c}_evidence")),
)
REQUIRED = ("pupil_id", "given_name", "family_name", "class")
# What the database holds; every other cell may be at most MAX_CELL long.
MAX_LENGTH = {"pupil_id": 40, "given_name": 100, "family_name": 100, "preferred_name": 100,
              "class": 100, "year_group": 20}
MAX_CELL = 1000
# Free text may hold line breaks and tabs; no cell may hold other control characters
# (a NUL byte means a damaged or binary file; the database refuses it).
MULTILINE = {"never_publish_reason", *EVIDENCE_FIELDS}


def guess_mapping(headings: list[str]) -> dict[str, str]:
    """Our field for each heading that carries our name or a name an MIS gives it
    (SIMS, Arbor, Bromcom; see register/headings.py, the one table of them)."""
    from classlens.register.headings import recognise  # it reads FIELDS from here

    return recognise(headings)
