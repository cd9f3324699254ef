"""Policy presets: a school's written social-media policy as named settings.

Each preset is drawn from a real policy in the seeds. Later parts of the
product read these settings (caption rules, face decisions, quotas); a school
may override single settings, which are stored with the school.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any


@dataclass(frozen=True)
class PostingWindow:
    """When posts may go out: weekdays (0 = Monday) between two times."""

    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    start: time = time(8, 0)
    end: time = time(18, 0)

    def contains(self, moment: datetime) -> bool:
        return moment.weekday() in self.weekdays and self.start <= moment.time() <= self.end

    def describe(self) -> str:
        names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        days = ", ".join(names[d] for d in self.weekdays)
        return f"{days} {self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class Policy:
    name: str
    summary: str
    source: str
    account: str  # "private" (vetted followers) or "public"
    # Faces: "consented" shows only pupils cleared by the consent register and
    # blurs everyone else; "none" blurs every face whatever the consent.
    faces: str = "consented"
    biometric_recognition: bool = True
    caption_starts_with_class: bool = False
    allow_hashtags: bool = False
    allow_mentions: bool = False
    posts_per_class_week_min: int | None = None
    posts_per_class_week_max: int | None = None
    group_shots_preferred: bool = False
    # "school-year": consents recorded without an expiry lapse at the end of
    # the school year (31 August), so they must be renewed each year.
    consent_renewal: str | None = None
    report_events_afterwards: bool = True
    posting_window: PostingWindow | None = None
    # Whether posts may be about one child (seed 004: never).
    individual_child_content: bool = True
    # Face matching: a match needs a distance under the tolerance AND this
    # margin over the second-nearest pupil (measured: README "Recognition").
    match_tolerance: float = 0.5
    match_margin: float = 0.1
    blur_style: str = "gaussian"  # or "pixelate"
    # Account settings the policy promises parents (policy/account_checklist.py),
    # confirmed by SLT each term.
    account_promises: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def recognises_faces(self) -> bool:
        """Face recognition (templates, matching) is on: never under no-faces."""
        return self.biometric_recognition and self.faces != "none"

    def default_expiry(self, recorded: date) -> date | None:
        """The expiry a consent recorded on `recorded` gets when none is given."""
        if self.consent_renewal != "school-year":
            return None
        year = recorded.year if recorded.month < 9 else recorded.year + 1
        return date(year, 8, 31)

    def settings(self) -> dict[str, Any]:
        """The named settings as plain values (for JSON and the README)."""
        values = dataclasses.asdict(self)
        if self.posting_window is not None:
            values["posting_window"] = self.posting_window.describe()
        return values

    def with_overrides(self, overrides: dict[str, Any]) -> Policy:
        """This policy with some settings changed by the school."""
        known = {f.name for f in dataclasses.fields(self)} - {"name", "summary", "source"}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"unknown policy setting(s): {', '.join(sorted(unknown))}")
        for name, value in overrides.items():
            _check_type(name, getattr(self, name), value)
        return dataclasses.replace(self, **overrides)


# Settings with a fixed set of values, or a safe range: a typo must never fail
# open (say "None" for "none" showing faces again), nor a number loosen face
# matching until strangers are "recognised" (measured: README "Recognition").
CHOICES: dict[str, tuple[Any, ...]] = {
    "faces": ("consented", "none"),
    "account": ("private", "public"),
    "blur_style": ("gaussian", "pixelate"),
    "consent_renewal": (None, "school-year"),
}
RANGES: dict[str, tuple[float, float]] = {
    "match_tolerance": (0.3, 0.55),
    "match_margin": (0.05, 0.5),
}


def _check_type(name: str, current: Any, value: Any) -> None:
    """A school's override must have the type of the setting it replaces, and
    one of its values or a number in its range."""
    if name in CHOICES and value not in CHOICES[name]:
        raise ValueError(f"{name} must be one of "
                         f"{', '.join(json.dumps(c) for c in CHOICES[name])}, not {value!r}")
    if isinstance(current, bool) or name in ("caption_starts_with_class",):
        ok = isinstance(value, bool)
    elif isinstance(current, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif isinstance(current, int) or name.startswith("posts_per_class_week"):
        ok = value is None or (isinstance(value, int) and not isinstance(value, bool))
    elif isinstance(current, str) or current is None:
        ok = value is None or isinstance(value, str)
    else:
        ok = False  # structured settings (posting window) come from presets only
    if not ok:
        raise ValueError(f"{name} cannot be set to {value!r}")
    if name in RANGES:
        low, high = RANGES[name]
        if not low <= value <= high:
            raise ValueError(f"{name} must be between {low} and {high}, not {value!r}")


PRESETS: dict[str, Policy] = {
    p.name: p
    for p in (
        Policy(
            name="private-feed",
            summary=(
                "Private account with vetted followers; every post starts with the class "
                "name; no names; no hashtags; each class posts 1 to 2 times a week; "
                "pupils without consent are blurred."
            ),
            source="Redbourn Primary School Twitter policy (seed 003)",
            account="private",
            caption_starts_with_class=True,
            posts_per_class_week_min=1,
            posts_per_class_week_max=2,
            account_promises=("protected", "messages-off", "no-reposting"),
        ),
        Policy(
            name="public-feed",
            summary=(
                "Public account; group shots; no names; consent renewed every school "
                "year; events reported afterwards; only approved staff post."
            ),
            source="Whitehouse Primary School Twitter policy (seed 002)",
            account="public",
            group_shots_preferred=True,
            consent_renewal="school-year",
            account_promises=("no-personal-reposts", "password"),
        ),
        Policy(
            name="no-faces",
            summary=(
                "Public account; no children's faces at all (every face blurred); no "
                "names; nothing about one child; posts Monday to Friday 8:00-18:00 only; "
                "no details of where children will be on a trip."
            ),
            source="St Joseph's Catholic Primary School Twitter policy (seed 004)",
            account="public",
            faces="none",
            biometric_recognition=False,
            posting_window=PostingWindow(),
            individual_child_content=False,
            account_promises=("messages-off", "follows-educational", "no-replies",
                              "password"),
        ),
    )
}

DEFAULT_PRESET = "private-feed"


def policy_for(preset: str, overrides: dict[str, Any] | None = None) -> Policy:
    try:
        policy = PRESETS[preset]
    except KeyError:
        raise ValueError(
            f"unknown policy preset {preset!r}; choose one of: {', '.join(PRESETS)}"
        ) from None
    return policy.with_overrides(overrides) if overrides else policy
