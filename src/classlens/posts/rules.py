"""The school's policy as rules over a post: caption, alt texts, photos, timing.

Pure: `check_post` sees plain values and returns problems, each with a rule
id, a severity and a message a teacher understands. An error blocks the post;
a warning needs the author's explicit acknowledgement (by rule id).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import regex

from classlens.policy.platforms import PLATFORM_LIMITS
from classlens.policy.presets import Policy
from classlens.posts.counting import lengths
from classlens.posts.names import NameIndex, fold

ERROR, WARNING = "error", "warning"
ALT_LIMITS = {"x": 1000, "bluesky": 2000, "mastodon": 1500}
DEFAULT_ALT_LIMIT = 1000

HASHTAG = regex.compile(r"(?<![\p{L}\p{N}_&])[#＃][\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*")
MENTION = regex.compile(r"(?<![\p{L}\p{N}_.])[@＠][A-Za-z0-9_]{1,15}(?![A-Za-z0-9_@])")
# Telling the world where children will be, and when (seeds 002 and 004).
FUTURE = [
    (r"\b(tomorrow|tonight|later today|later this (morning|afternoon|evening)|next (week|"
     r"monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b", "a future day or time"),
    (r"\b(we|they|the children|the class|pupils)\s*(will|'ll|are going to|are heading|"
     r"are off to)\b", "what the children are going to do"),
    (r"\b(heading|on (our|the) way) to\b", "where the children are going"),
    (r"\b(arriv\w*|back|leav\w*|meet\w*|pick[- ]?up)\b[^.!?\n]{0,30}\b(at|by|around)\s+\d{1,2}"
     r"([:.]\d{2})?\s*(am|pm)?\b", "a time the children will be somewhere"),
    (r"\bat\s+\d{1,2}([:.]\d{2})?\s*(am|pm)\b", "a clock time"),
]
SEPARATORS = ":-–—,.!|;"


@dataclass(frozen=True)
class Problem:
    rule: str
    severity: str
    message: str

    def as_dict(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "message": self.message}


@dataclass(frozen=True)
class PhotoFacts:
    """What the rules need to know of one photo as it will be exported."""

    photo_id: int
    faces: int
    shown: int
    blocked_by: tuple[str, ...] = ()  # never-publish pupils identified in it
    exported_bytes: int | None = None


@dataclass
class PostFacts:
    caption: str
    class_name: str
    platform: str
    photos: list[PhotoFacts] = field(default_factory=list)
    alt_texts: list[str] = field(default_factory=list)
    at: datetime | None = None  # when it goes out (export time), for the posting window


def check_post(post: PostFacts, policy: Policy, names: NameIndex) -> list[Problem]:
    problems: list[Problem] = []
    problems += _class_name_first(post, policy)
    problems += _names(post.caption, "The caption", names)
    for number, alt in enumerate(post.alt_texts, start=1):
        problems += _names(alt, f"The alt text of image {number}", names)
    if not policy.allow_hashtags:
        tags = HASHTAG.findall(post.caption)
        if tags:
            problems.append(Problem("hashtag", ERROR, f"Remove the hashtag(s) {', '.join(tags)}: "
                                    "the school's policy does not allow hashtags."))
    if not policy.allow_mentions:
        mentions = MENTION.findall(post.caption)
        if mentions:
            problems.append(Problem("mention", ERROR, f"Remove {', '.join(mentions)}: the "
                                    "school's policy does not allow mentioning accounts."))
    problems += _length(post)
    problems += _images(post)
    if policy.report_events_afterwards:
        problems += _trip_safety(post.caption)
    if policy.posting_window is not None and post.at is not None \
            and not policy.posting_window.contains(post.at):
        problems.append(Problem(
            "posting-window", WARNING, f"It is {post.at:%A %H:%M}: the policy posts only "
            f"{policy.posting_window.describe()}, except for school events. Acknowledge if "
            "this is an event."))
    return problems


def _class_name_first(post: PostFacts, policy: Policy) -> list[Problem]:
    if not policy.caption_starts_with_class:
        return []
    caption, name = fold(post.caption.strip()), fold(post.class_name.strip())
    rest = caption[len(name):]
    if caption.startswith(name) and (not rest or rest[0].isspace() or rest[0] in SEPARATORS):
        return []
    return [Problem("class-name-first", ERROR, f"Start the caption with the class name, for "
                    f"example \"{post.class_name}: ...\" (school policy).")]


def _names(text: str, where: str, names: NameIndex) -> list[Problem]:
    problems = []
    for hit in names.find(text):
        if hit.everyday_word:
            problems.append(Problem(
                "pupil-name-word", WARNING, f"{where} contains \"{hit.name}\", which is a "
                "pupil's name as well as an everyday word. Acknowledge only if it is not "
                "the pupil."))
        else:
            problems.append(Problem("pupil-name", ERROR, f"{where} names a pupil "
                                    f"(\"{hit.name}\"): no pupil names in posts."))
    return problems


def _length(post: PostFacts) -> list[Problem]:
    return [Problem("text-length", ERROR, f"The caption is {length.count} {length.unit} long; "
                    f"{post.platform} allows {length.limit}.")
            for length in lengths(post.platform, post.caption) if length.over]


def _images(post: PostFacts) -> list[Problem]:
    limits = PLATFORM_LIMITS[post.platform]
    problems = []
    if len(post.photos) > limits.max_images:
        problems.append(Problem("image-count", ERROR, f"{len(post.photos)} photos: "
                                f"{post.platform} takes at most {limits.max_images} per post."))
    alt_limit = ALT_LIMITS.get(post.platform, DEFAULT_ALT_LIMIT)
    for number, photo in enumerate(post.photos, start=1):
        alt = post.alt_texts[number - 1] if number <= len(post.alt_texts) else ""
        if not alt.strip():
            problems.append(Problem("alt-text", ERROR, f"Image {number} needs alt text "
                                    "describing it for people who cannot see it."))
        elif len(alt) > alt_limit:
            problems.append(Problem("alt-text-length", ERROR, f"The alt text of image {number} "
                                    f"is {len(alt)} characters; {post.platform} allows "
                                    f"{alt_limit}."))
        if photo.blocked_by:
            problems.append(Problem("never-publish", ERROR, f"Image {number} (photo "
                                    f"{photo.photo_id}) shows a pupil who must never be "
                                    "published; remove it from the post."))
        if photo.faces and not photo.shown:
            problems.append(Problem("all-blurred", WARNING, f"Every face in image {number} is "
                                    "blurred: a photo of blurred children helps nobody. "
                                    "Acknowledge to post it anyway."))
        if photo.exported_bytes is not None and photo.exported_bytes > limits.max_bytes:
            problems.append(Problem("image-size", ERROR, f"Image {number} is "
                                    f"{photo.exported_bytes:,} bytes after export; "
                                    f"{post.platform} takes {limits.max_bytes:,}."))
    return problems


def _trip_safety(caption: str) -> list[Problem]:
    found = []
    lowered = caption.lower().replace("\u2019", "'")
    for pattern, what in FUTURE:
        match = re.search(pattern, lowered)
        if match:
            found.append(f"\"{caption[match.start():match.end()]}\" ({what})")
    if not found:
        return []
    return [Problem("trip-safety", WARNING, "The caption may tell people where children will "
                    f"be: {'; '.join(found)}. Report events afterwards (school policy).")]
