"""How a pupil is named on screen: the one place that decides it."""

from __future__ import annotations


def display_name(given_name: str, family_name: str, preferred_name: str | None = None) -> str:
    """The name the pupil goes by (the preferred name when the register has one),
    then the family name."""
    return f"{preferred_name or given_name} {family_name}"
