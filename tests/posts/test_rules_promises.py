"""The seeds' remaining promises as post rules, table-driven over every preset:
nothing about one child, group shots, where children are now, alt texts, weekly quota."""

from __future__ import annotations

from datetime import datetime

import pytest

from classlens.policy import PRESETS, policy_for
from classlens.posts.names import NameIndex
from classlens.posts.rules import PhotoFacts, PostFacts, check_post

WEDNESDAY_NOON = datetime(2026, 11, 18, 12, 0)
PRESET_NAMES = list(PRESETS)


def rules(caption, preset, photos=None, alts=None, kind="general", others=None,
          names=("Annie", "Nguyễn")):
    post = PostFacts(caption=caption, class_name="Oak", platform="x", photos=photos or [],
                     alt_texts=alts or [], at=WEDNESDAY_NOON, kind=kind,
                     class_posts_this_week=others)
    return {p.rule for p in check_post(post, policy_for(preset), NameIndex(names))}


ONE_CHILD = [
    # (caption, about one child?)
    ("Oak: Jonah has been much better behaved today, well done", True),
    ("Oak: Jonah has been much better behaved today", True),
    ("Oak: well done to Priya for her reading", True),
    ("Oak: congratulations Mateusz on your swimming badge!", True),
    ("Oak: She worked so hard on her poem today", True),
    ("Oak: our star of the week!", True),
    ("Oak: one of our pupils won the county chess final", True),
    ("Oak: Siobhán won the art prize", True),
    ("Oak: Year 4 produced some fantastic art work today", False),
    ("Oak: everyone has had a lovely day at the museum.", False),
    ("Oak: the class has worked hard. Mr Evans has been brilliant.", False),
    ("Oak: Science was fun this week.", False),
    ("Oak: Oak has been busy with magnets.", False),
    ("Oak: Christmas is coming and the choir has been practising.", False),
]


@pytest.mark.parametrize("preset", PRESET_NAMES)
@pytest.mark.parametrize("caption,one_child", ONE_CHILD)
def test_posts_about_one_child_are_flagged_where_the_policy_forbids_them(caption, one_child,
                                                                         preset):
    flagged = "individual-child" in rules(caption, preset)
    assert flagged is (one_child and not policy_for(preset).individual_child_content)


def test_only_no_faces_forbids_content_about_one_child():
    assert [p for p in PRESETS if not policy_for(p).individual_child_content] == ["no-faces"]


def test_one_child_in_an_alt_text_is_flagged_too():
    assert "individual-child" in rules("Oak: art week.", "no-faces",
                                       [PhotoFacts(1, 0, 0)], ["Jonah has painted a tiger"])


@pytest.mark.parametrize("preset", PRESET_NAMES)
@pytest.mark.parametrize("faces,shown,warned", [
    (1, 1, True), (6, 1, True), (6, 2, False), (6, 0, False), (0, 0, False), (3, 3, False)])
def test_a_photo_showing_exactly_one_pupil_is_warned_under_group_shots(preset, faces, shown,
                                                                       warned):
    problems = rules("Oak: art week.", preset, [PhotoFacts(1, faces, shown)], ["Paintings."])
    assert ("group-shot" in problems) is (warned and policy_for(preset).group_shots_preferred)


WHEREABOUTS = [
    ("Oak: we're at the zoo right now!", True),
    ("Oak: we are at the zoo", True),
    ("Oak: currently at the science museum until 3pm", True),
    ("Oak: the children are now at the beach", True),
    ("Oak: here until 2.30pm, then the coach", True),
    ("Oak: live from sports day", True),
    ("Oak: we will be at the park at 3pm", True),  # the future, as before
    ("Oak: we had a wonderful day at the zoo.", False),
    ("Oak: what we learned at the museum yesterday", False),
]


@pytest.mark.parametrize("preset", PRESET_NAMES)
@pytest.mark.parametrize("text,warned", WHEREABOUTS)
def test_where_the_children_are_now_in_a_caption_or_an_alt_text(preset, text, warned):
    assert ("trip-safety" in rules(text, preset)) is warned
    in_alt = rules("Oak: a day out.", preset, [PhotoFacts(1, 0, 0)], [text.split(": ", 1)[1]])
    assert ("trip-safety" in in_alt) is warned


@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_hashtags_in_alt_texts(preset):
    problems = rules("Oak: a day out.", preset, [PhotoFacts(1, 0, 0)], ["Children #zoo"])
    assert ("hashtag" in problems) is (not policy_for(preset).allow_hashtags)


@pytest.mark.parametrize("preset", PRESET_NAMES)
@pytest.mark.parametrize("kind", ["general", "event"])
@pytest.mark.parametrize("others", [None, 0, 1, 2, 3])
def test_the_third_general_post_of_the_week_needs_acknowledging(preset, kind, others):
    high = policy_for(preset).posts_per_class_week_max
    expected = kind == "general" and high is not None and others is not None and others >= high
    assert ("weekly-quota" in rules("Oak: a day out.", preset, kind=kind, others=others)) \
        is expected
