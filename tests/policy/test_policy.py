from datetime import date, datetime

import pytest

from classlens.policy import PRESETS, policy_for


def test_three_presets_from_the_seeds():
    assert set(PRESETS) == {"private-feed", "public-feed", "no-faces"}


def test_private_feed_is_redbourns_policy():
    policy = policy_for("private-feed")
    assert policy.account == "private"
    assert policy.caption_starts_with_class
    assert not policy.allow_hashtags
    assert (policy.posts_per_class_week_min, policy.posts_per_class_week_max) == (1, 2)
    assert policy.faces == "consented"


def test_public_feed_renews_consent_each_school_year():
    policy = policy_for("public-feed")
    assert policy.account == "public" and policy.group_shots_preferred
    assert policy.default_expiry(date(2026, 11, 22)) == date(2027, 8, 31)
    assert policy.default_expiry(date(2027, 3, 1)) == date(2027, 8, 31)
    assert policy.default_expiry(date(2027, 9, 1)) == date(2028, 8, 31)
    assert policy_for("private-feed").default_expiry(date(2026, 11, 22)) is None


def test_no_faces_blurs_everyone_and_keeps_office_hours():
    policy = policy_for("no-faces")
    assert policy.faces == "none" and not policy.biometric_recognition
    window = policy.posting_window
    assert window.contains(datetime(2026, 11, 20, 8, 0))  # Friday 8:00
    assert window.contains(datetime(2026, 11, 20, 18, 0))
    assert not window.contains(datetime(2026, 11, 20, 18, 1))
    assert not window.contains(datetime(2026, 11, 21, 12, 0))  # Saturday
    assert policy.settings()["posting_window"] == "Mon, Tue, Wed, Thu, Fri 08:00-18:00"


def test_school_overrides_and_their_errors():
    assert policy_for("private-feed", {"allow_hashtags": True}).allow_hashtags
    with pytest.raises(ValueError, match="unknown policy setting"):
        policy_for("private-feed", {"allow_emoji": True})
    with pytest.raises(ValueError, match="unknown policy preset 'strict'"):
        policy_for("strict")
