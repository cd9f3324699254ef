"""Matching a face against enrolled pupils: strict, and never a guess.

A face is recognised only if its nearest pupil is closer than `tolerance`
AND clearly closer than the second-nearest pupil (`margin`). The recogniser
was trained on adults; children, siblings and twins are confused more
often, so both defaults are strict (see README for the measurements).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_TOLERANCE = 0.5
DEFAULT_MARGIN = 0.1

UNMATCHED = "no enrolled pupil close enough"
AMBIGUOUS = "two pupils too close to call"
TOO_SMALL = "too small to recognise"
NOT_COMPARED = "not compared"


@dataclass(frozen=True)
class Match:
    pupil: int | None  # the matched pupil's row id
    distance: float | None  # to the nearest pupil
    note: str | None  # why there is no match


def match_face(
    encoding: np.ndarray | None,
    enrolled: Mapping[int, Sequence[np.ndarray]],
    tolerance: float = DEFAULT_TOLERANCE,
    margin: float = DEFAULT_MARGIN,
) -> Match:
    """Compare one face with every enrolled pupil (their nearest template)."""
    if not enrolled:
        return Match(None, None, NOT_COMPARED)
    if encoding is None:
        return Match(None, None, TOO_SMALL)
    nearest = sorted(
        (float(np.min(np.linalg.norm(np.asarray(templates) - encoding, axis=1))), pupil)
        for pupil, templates in enrolled.items() if len(templates)
    )
    best_distance, best_pupil = nearest[0]
    if best_distance >= tolerance:
        return Match(None, best_distance, UNMATCHED)
    if len(nearest) > 1 and nearest[1][0] - best_distance < margin:
        return Match(None, best_distance, AMBIGUOUS)
    return Match(best_pupil, best_distance, None)
