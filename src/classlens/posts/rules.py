"""The school's policy as rules over a post: caption, alt texts, photos, timing.

Pure: `check_post` sees plain values and returns problems, each with a rule
id, a severity and a message a teacher understands. An error blocks the post;
a warning needs the author's explicit acknowledgement (by rule id).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
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
# Telling the world where children are right now (seed 004: "where children will
# be at a specific time" is as true of the present as of the future).
PRESENT = [
    (r"\b(we|they|the children|the class|pupils)\s*('re|'m| are| am)\s+(now\s+|currently\s+|"
     r"still\s+|here\s+)?(at|in|on)\b", "where the children are"),
    (r"\b(currently|right now|at the moment|as we speak|still) (at|in)\b",
     "where the children are now"),
    (r"\b(right now|at the moment|as we speak|live from|just arrived)\b", "the present moment"),
    (r"\b(until|till|til)\s+\d{1,2}([:.]\d{2})?\s*(am|pm)?\b", "until when they will be there"),
]
SEPARATORS = ":-–—,.!|;"
# Content about one child (seed 004: "John has been much better behaved today").
# A capitalised word doing something as a person, a singular pronoun doing it,
# praise of one named person, or the words of a one-child post.
ONE_CHILD_VERBS = (
    r"has|had|was|is|did|won|made|got|earned|received|achieved|behaved|tried|worked|showed|"
    r"shared|scored|read|wrote|drew|painted|finished|managed|became|learned|learnt|"
    r"remembered|helped|completed|passed|lost|wins|gets|loves|enjoyed"
)
ONE_CHILD = [
    regex.compile(rf"(?<![\p{{L}}\p{{N}}'’])(\p{{Lu}}[\p{{L}}'’\-]+)\s+(?:{ONE_CHILD_VERBS})\b"),
    regex.compile(r"\b(?:well done|congratulations|congrats|happy birthday|thank you|"
                  r"thanks|bravo|proud of)(?:,)?\s+(?:to\s+)?(\p{Lu}[\p{L}'’\-]+)"),
]
ONE_CHILD_PHRASES = regex.compile(
    r"(?i)(?<![\p{L}])((?:he|she)\s+(?:" + ONE_CHILD_VERBS + r")\b|star of the week|"
    r"pupil of the week|child of the week|one (?:of our )?(?:pupils|children|child|boys|girls)|"
    r"\b(?:a|this|one) (?:pupil|child|boy|girl|student) (?:in|from|who))")
# Capitalised words that start sentences or name groups, not one child.
NOT_A_CHILD = frozenset("""
the this that these those there here today yesterday everyone everybody everything
nobody somebody someone anyone it its we our they their what who which when where why
how year years class classes reception nursery school team group science maths math
english art music pe lunch assembly sports sport football netball rugby cricket
swimming reading writing phonics learning homework behaviour attendance singing
christmas easter harvest diwali eid hanukkah spring summer autumn winter monday
tuesday wednesday thursday friday saturday sunday january february march april may
june july august september october november december all both each every most some
many none one two three four five six everyone's mr mrs ms miss dr sir staff
teacher teachers parents governors head headteacher choir orchestra club council
ks1 ks2 eyfs work
""".split())


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
    kind: str = "general"  # or "event": events do not count towards the weekly quota
    # General posts of the class already staged in the post's week (this one not counted).
    class_posts_this_week: int | None = None
    removal_requested_by: str | None = None  # an open removal request for this post


def check_post(post: PostFacts, policy: Policy, names: NameIndex) -> list[Problem]:
    problems: list[Problem] = []
    problems += _class_name_first(post, policy)
    problems += _names(post.caption, "The caption", names)
    for number, alt in enumerate(post.alt_texts, start=1):
        problems += _names(alt, f"The alt text of image {number}", names)
    if not policy.allow_hashtags:
        tags = [tag for text in (post.caption, *post.alt_texts) for tag in HASHTAG.findall(text)]
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
        for number, alt in enumerate(post.alt_texts, start=1):
            problems += _trip_safety(alt, f"The alt text of image {number}")
    if not policy.individual_child_content:
        problems += _one_child(post)
    if policy.group_shots_preferred:
        problems += _group_shots(post)
    problems += _weekly_quota(post, policy)
    if post.removal_requested_by:
        problems.append(Problem("removal-requested", ERROR, f"{post.removal_requested_by} "
                                "asked for this post to be removed: it cannot go out while "
                                "the request is open."))
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


def _trip_safety(caption: str, where: str = "The caption") -> list[Problem]:
    found = []
    lowered = caption.lower().replace("\u2019", "'")
    for pattern, what in FUTURE + PRESENT:
        match = re.search(pattern, lowered)
        if match:
            found.append(f"\"{caption[match.start():match.end()]}\" ({what})")
    if not found:
        return []
    return [Problem("trip-safety", WARNING, f"{where} may tell people where children are or "
                    f"will be: {'; '.join(found)}. Report events afterwards (school policy).")]


def _one_child(post: PostFacts) -> list[Problem]:
    """Content about one child, named or not (names on the register are the
    pupil-name rule's; this catches the rest: "Jonah has been...")."""
    found = []
    skip = NOT_A_CHILD | {w.casefold() for w in post.class_name.split()}
    for text in (post.caption, *post.alt_texts):
        plain = text.replace("\u2019", "'")
        for pattern in ONE_CHILD:
            for match in pattern.finditer(plain):
                word = match.group(1).strip("'-")
                before = plain[:match.start(1)].split()
                if word.casefold() in skip or (before and fold(before[-1]).strip(".")
                                               in NOT_A_CHILD):
                    continue  # "Mr Evans has", "The class has"
                found.append(match.group(0))
        found += [m.group(1) for m in ONE_CHILD_PHRASES.finditer(plain)]
    if not found:
        return []
    quoted = "; ".join(f"\"{f}\"" for f in dict.fromkeys(found))
    return [Problem("individual-child", WARNING, f"The post seems to be about one child "
                    f"({quoted}): the policy posts nothing about an individual child. Write "
                    "about the class or year group, or acknowledge if it is not a child.")]


def _group_shots(post: PostFacts) -> list[Problem]:
    return [Problem("group-shot", WARNING, f"Image {number} shows exactly one pupil: the "
                    "policy prefers group shots. Acknowledge to post it anyway.")
            for number, photo in enumerate(post.photos, start=1) if photo.shown == 1]


def _weekly_quota(post: PostFacts, policy: Policy) -> list[Problem]:
    high = policy.posts_per_class_week_max
    if post.kind != "general" or high is None or post.class_posts_this_week is None \
            or post.class_posts_this_week < high:
        return []
    return [Problem("weekly-quota", WARNING, f"{post.class_name} already has "
                    f"{post.class_posts_this_week} general post(s) this week; the policy "
                    f"asks for at most {high}. Make it an event post if it is one (sports "
                    "day, a trip, a visitor), or acknowledge.")]


def blocking(problems: Iterable[Problem], acknowledged: Collection[str]) -> list[Problem]:
    """What stops a post: errors, and warnings the author has not acknowledged."""
    return [p for p in problems
            if p.severity == ERROR or (p.severity == WARNING and p.rule not in acknowledged)]
