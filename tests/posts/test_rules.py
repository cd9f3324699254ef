"""Caption and post rules, table-driven on every preset, with real register names."""

from __future__ import annotations

from datetime import datetime

import pytest
from conftest import DATA

from classlens.policy import PRESETS, policy_for
from classlens.posts.counting import graphemes, lengths, mastodon_length, x_length
from classlens.posts.names import NameIndex
from classlens.posts.rules import PhotoFacts, PostFacts, check_post
from classlens.register.csv_import import parse_register

WEDNESDAY_NOON = datetime(2026, 11, 18, 12, 0)
SATURDAY_NIGHT = datetime(2026, 11, 21, 20, 0)


@pytest.fixture(scope="module")
def names() -> NameIndex:
    """Every name in the demo register: accents, hyphens, apostrophes, preferred names."""
    rows = parse_register((DATA / "register_ours.csv").read_bytes()).rows
    return NameIndex(n for r in rows for n in (r.given_name, r.preferred_name, r.family_name)
                     if n)


def rules(caption, preset="private-feed", names=None, platform="x", photos=None, alts=None,
          at=WEDNESDAY_NOON):
    post = PostFacts(caption=caption, class_name="Oak", platform=platform,
                     photos=photos or [], alt_texts=alts or [], at=at)
    return {(p.rule, p.severity) for p in check_post(post, policy_for(preset), names or
                                                      NameIndex([]))}


CAPTIONS = [
    # (id, caption, {preset: expected problems})
    ("clean", "Oak: a wonderful science morning.",
     {"private-feed": set(), "public-feed": set(), "no-faces": set()}),
    ("class name missing", "A wonderful science morning in Oak.",
     {"private-feed": {("class-name-first", "error")}, "public-feed": set(), "no-faces": set()}),
    ("class name any case, dash", "OAK - science", {p: set() for p in PRESETS}),
    ("class name needs a separator", "Oakwood trip",
     {"private-feed": {("class-name-first", "error")}, "public-feed": set(), "no-faces": set()}),
    ("hashtag", "Oak: science week #STEM",
     {p: {("hashtag", "error")} for p in PRESETS}),
    ("mention", "Oak: thanks @museum for the visit",
     {p: {("mention", "error")} for p in PRESETS}),
    ("e-mail is not a mention", "Oak: write to office@school.example for forms",
     {p: set() for p in PRESETS}),
    ("future time", "Oak: we will be at the museum at 3pm",
     {p: {("trip-safety", "warning")} for p in PRESETS}),
    ("tomorrow", "Oak: see you tomorrow at the gates",
     {p: {("trip-safety", "warning")} for p in PRESETS}),
    ("past is fine", "Oak: we visited the museum this week",
     {p: set() for p in PRESETS}),
]


@pytest.mark.parametrize("preset", sorted(PRESETS))
@pytest.mark.parametrize(("caption", "expected"), [c[1:] for c in CAPTIONS],
                         ids=[c[0] for c in CAPTIONS])
def test_caption_rules_on_every_preset(preset, caption, expected):
    assert rules(caption, preset) == expected[preset]


NAME_CASES = [
    ("given name with accent, plain", "Oak: zoe painted", ("pupil-name", "error")),
    ("possessive", "Oak: Zoë's painting", ("pupil-name", "error")),
    ("typographic apostrophe", "Oak: look at Zoe’s painting", ("pupil-name", "error")),
    ("apostrophe in the name", "Oak: well done O'Brien", ("pupil-name", "error")),
    ("family name without accent", "Oak: the Nguyen family", ("pupil-name", "error")),
    ("hyphenated name whole", "Oak: Garcia-Lopez won", ("pupil-name", "error")),
    ("part of a hyphenated name", "Oak: Lopez won", ("pupil-name", "error")),
    ("preferred name", "Oak: Ollie scored", ("pupil-name", "error")),
    ("upper case", "OAK: TOMAS SCORED", ("pupil-name", "error")),
    ("everyday word Grace", "Oak: sang Amazing Grace", ("pupil-name-word", "warning")),
    ("everyday word May", "Oak: our trip in May", ("pupil-name-word", "warning")),
    ("everyday word Hope (family name)", "Oak: we hope you enjoy", ("pupil-name-word", "warning")),
    ("inside another word is not a name", "Oak: amazing gracefulness", None),
]


@pytest.mark.parametrize("preset", sorted(PRESETS))
@pytest.mark.parametrize(("caption", "expected"), [c[1:] for c in NAME_CASES],
                         ids=[c[0] for c in NAME_CASES])
def test_pupil_names_on_every_preset(names, preset, caption, expected):
    found = {r for r in rules(caption, preset, names) if r[0].startswith("pupil-name")}
    assert found == ({expected} if expected else set())


def test_names_in_alt_text(names):
    assert ("pupil-name", "error") in rules("Oak: art", names=names, photos=[PhotoFacts(1, 0, 0)],
                                            alts=["Zoë holding a painting"])


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_posting_window(preset):
    found = rules("Oak: art", preset, at=SATURDAY_NIGHT)
    assert (("posting-window", "warning") in found) is (preset == "no-faces")
    assert ("posting-window", "warning") not in rules("Oak: art", preset, at=WEDNESDAY_NOON)


def test_images_alt_text_and_blurred_photos():
    photo = PhotoFacts(1, faces=3, shown=1)
    assert rules("Oak: art", photos=[photo]) == {("alt-text", "error")}
    assert rules("Oak: art", photos=[photo], alts=["Children painting"]) == set()
    assert rules("Oak: art", photos=[photo], alts=["x" * 1001]) == {("alt-text-length", "error")}
    assert rules("Oak: art", platform="bluesky", photos=[photo], alts=["x" * 1001]) == set()
    blurred = PhotoFacts(2, faces=2, shown=0)
    assert ("all-blurred", "warning") in rules("Oak: art", photos=[blurred], alts=["a"])
    assert rules("Oak: art", photos=[PhotoFacts(3, 0, 0)], alts=["work"]) == set()
    five = [PhotoFacts(i, 0, 0) for i in range(5)]
    assert ("image-count", "error") in rules("Oak: art", photos=five, alts=["a"] * 5)
    assert ("image-count", "error") not in rules("Oak: art", platform="facebook", photos=five,
                                                 alts=["a"] * 5)
    blocked = PhotoFacts(4, 1, 0, blocked_by=("P1",))
    assert ("never-publish", "error") in rules("Oak: art", photos=[blocked], alts=["a"])
    big = PhotoFacts(5, 0, 0, exported_bytes=1_500_000)
    assert ("image-size", "error") in rules("Oak: art", platform="bluesky", photos=[big],
                                            alts=["a"])
    assert ("image-size", "error") not in rules("Oak: art", platform="x", photos=[big],
                                                alts=["a"])


# Expected weighted lengths from twitter-text's conformance suite (validate.yml,
# WeightedTweetsWithDiscountedEmojiCounterTest, config v3) and its urls sections.
X_CONFORMANCE = [
    ("This is a test.", 15),
    ("Hi http://test.co", 26),
    ("http://test.co", 23),
    ("Test https://test.com test https://test.com test.com test", 86),
    ("285 chars-" + "xxxxxxxxxx-" * 25, 285),
    ("https://www.twitter.com/aloha " * 10, 240),
    ("H\U0001f431\u263a\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466", 7),
    ("\U0001f637\U0001f47e\U0001f621\U0001f525\U0001f4a9", 10),
    ("\U0001f64b\U0001f3fd\U0001f468\u200d\U0001f3a4", 4),
    ("1\u20e3", 2),
    ("Unicode 10.0 emoji: \U0001f92a; \U0001f9d5; \U0001f9d5\U0001f3fe; \U0001f3f4\U000e0067"
     "\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", 34),
    ("Unicode 9.0 emoji: \U0001f920; \U0001f483; \U0001f483\U0001f3fe", 29),
    ("randomurl" * 7 + "r.com", 68),  # a 64-character label is no domain
    ("example.com", 23),
    ("foo.co.jp", 23),
    ("A\u0301B", 2),  # NFC makes Á one character
    ("故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。" * 5, 320),
]


@pytest.mark.parametrize(("text", "expected"), X_CONFORMANCE)
def test_x_weighted_length_agrees_with_twitter_text(text, expected):
    assert x_length(text) == expected


def test_other_platforms_count_their_own_way():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert graphemes(family) == 1 and graphemes("Zoë") == 3
    assert mastodon_length("see https://example.com/a/very/long/path ok") == 4 + 23 + 3
    bluesky = lengths("bluesky", "é" * 300)
    assert [(n.count, n.limit, n.over) for n in bluesky] == [(300, 300, False), (600, 3000, False)]
    assert rules("Oak: " + "x" * 300, platform="bluesky") == {("text-length", "error")}
    assert rules("Oak: " + "x" * 275, platform="x") == set()
    assert rules("Oak: " + "x" * 276, platform="x") == {("text-length", "error")}
    assert rules("Oak: " + "x" * 1000, platform="website") == set()
