"""The words people read: every core name through one module, table-driven."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from classlens.faces.box import Box
from classlens.gui import words
from classlens.photos.decisions import FaceDecision
from classlens.register.consent import ALL_CATEGORIES, Reason, Verdict
from classlens.services.photos import FaceView


@dataclass
class Channel:
    name: str
    category: str
    platform: str


@pytest.mark.parametrize("channel, shown", [
    (Channel("social_private", "social_private", "x"), "Private feed (X)"),
    (Channel("social_public", "social_public", "x"), "Public social media (X)"),
    (Channel("website", "website", "website"), "School website"),
    (Channel("newsletter", "newsletter", "newsletter"), "Newsletter"),
    (Channel("press", "press", "other"), "Press and local news"),
    (Channel("display", "display", "other"), "Displays in school"),
    (Channel("oak_feed", "social_private", "mastodon"), "oak feed (Mastodon)"),
    (Channel("PTA page", "social_public", "facebook"), "PTA page (Facebook)"),
])
def test_channels_have_their_school_names(channel, shown):
    assert words.channel_name(channel) == shown


def test_every_category_has_a_name_without_underscores():
    for category in ALL_CATEGORIES:
        name = words.category_name(category)
        assert "_" not in name and name[0].isupper() and name != category


@pytest.mark.parametrize("value, shown", [
    (date(2027, 11, 24), "24 Nov 2027"),
    ("2027-11-24", "24 Nov 2027"),
    ("2026-01-05T09:30:00", "5 Jan 2026"),
    (date(2026, 12, 31), "31 Dec 2026"),
    (None, ""),
])
def test_dates_are_written_the_uk_way(value, shown):
    assert words.uk_date(value) == shown


def test_date_and_time():
    assert words.uk_date_time("2026-11-24T14:05:00") == "24 Nov 2026, 14:05"


@pytest.mark.parametrize("verdict, shown", [
    (Verdict(Reason.ALLOWED), "Consent given"),
    (Verdict(Reason.OFF_ROLL), "Has left the school"),
    (Verdict(Reason.NEVER_PUBLISH), "Must never be published"),
    (Verdict(Reason.REFUSED_BY_PUPIL), "Refused by the pupil"),
    (Verdict(Reason.REFUSED_BY_PARENT), "Refused by a parent or carer"),
    (Verdict(Reason.NOT_RECORDED), "No consent recorded"),
    (Verdict(Reason.EXPIRED, date(2027, 11, 24)), "Consent ran out on 24 Nov 2027"),
])
def test_every_reason_is_a_sentence(verdict, shown):
    assert words.consent_sentence(verdict) == shown


def test_no_reason_is_left_without_words():
    for reason in Reason:
        verdict = Verdict(reason, date(2026, 1, 1) if reason is Reason.EXPIRED else None)
        assert words.consent_sentence(verdict)


@dataclass
class Pupil:
    given_name: str = "Joseph"
    family_name: str = "Bloggs"
    preferred_name: str | None = None
    class_name: str | None = "Oak"
    on_roll: bool = True
    never_publish: bool = False
    consent: dict | None = None


@pytest.mark.parametrize("pupil, shown", [
    (Pupil(), "Joseph Bloggs (Oak)"),
    (Pupil(preferred_name="Joe"), "Joe Bloggs (Oak)"),
    (Pupil(class_name=None), "Joseph Bloggs"),
])
def test_pupils_by_name_with_class(pupil, shown):
    assert words.pupil_name(pupil) == shown


# Every combination of on roll, never publish and the recorded consent: the badge and
# the "may be shown" answer never say yes for a leaver or a never-publish pupil.
@pytest.mark.parametrize("on_roll", [True, False])
@pytest.mark.parametrize("never", [True, False])
@pytest.mark.parametrize("reason", list(Reason))
def test_register_badges_never_say_granted_for_leavers_or_never_publish(on_roll, never, reason):
    verdict = Verdict(reason, date(2026, 1, 1) if reason is Reason.EXPIRED else None)
    pupil = Pupil(on_roll=on_roll, never_publish=never,
                  consent={"website": verdict, "biometric": verdict})
    badge = words.register_badge(pupil, "website")
    if not on_roll:
        assert badge == "left"
    elif never:
        assert badge == "never publish"
    else:
        assert badge == {Reason.ALLOWED: "granted", Reason.EXPIRED: "expired",
                         Reason.NOT_RECORDED: "not recorded"}.get(reason, "refused")
    assert words.may_be_shown(pupil, "website") == (
        on_roll and not never and reason is Reason.ALLOWED)
    # Biometric consent is the recorded consent itself.
    assert words.register_badge(pupil, "biometric") in ("granted", "expired", "not recorded",
                                                        "refused")


def face(decision: FaceDecision, **fields) -> FaceView:
    base = {"id": 7, "box": Box(0, 0, 10, 10), "source": "detector", "pupil_id": None,
            "identified_by": None, "distance": 0.34, "note": None}
    base.update(fields)
    return FaceView(decisions={"website": decision}, **base)


NAMES = {"H801200001001": "Joe Bloggs (Oak)"}


@pytest.mark.parametrize("view, verdicts, shown", [
    (face(FaceDecision(True, "recognised as H801200001001: consent granted", "H801200001001"),
          pupil_id="H801200001001", identified_by="recognition"),
     {"H801200001001": Verdict(Reason.ALLOWED)},
     "Shown: recognised as Joe Bloggs (Oak) — consent given"),
    (face(FaceDecision(False, "recognised as H801200001001: refused by parent/carer"),
          pupil_id="H801200001001", identified_by="recognition"),
     {"H801200001001": Verdict(Reason.REFUSED_BY_PARENT)},
     "Blurred: recognised as Joe Bloggs (Oak) — refused by a parent or carer"),
    (face(FaceDecision(True, "named by a reviewer as H801200001001: consent granted"),
          pupil_id="H801200001001", identified_by="reviewer", reviewed_by="ms.khan"),
     {"H801200001001": Verdict(Reason.ALLOWED)},
     "Shown: named as Joe Bloggs (Oak) by ms.khan — consent given"),
    (face(FaceDecision(False, "not identified (two pupils too close to call)"),
          note="two pupils too close to call"), {},
     "Blurred: not recognised (looks like more than one pupil, so nobody is named)"),
    (face(FaceDecision(True, "cleared by a reviewer: not a face"), reviewed_by="mr.jones"), {},
     "Shown: mr.jones said this is not a face"),
    (face(FaceDecision(False, "blur region added by a reviewer"), source="manual"), {},
     "Blurred: a reviewer drew a blur over this area"),
    (face(FaceDecision(False, "blurred by a reviewer"), pupil_id="H801200001001",
          identified_by="recognition", reviewed_by="ms.khan"),
     {"H801200001001": Verdict(Reason.ALLOWED)},
     "Blurred: recognised as Joe Bloggs (Oak) — ms.khan asked for it to be blurred"),
    (face(FaceDecision(False, "school policy: no faces are published")), {},
     "Blurred: not recognised — the school's policy publishes no faces"),
])
def test_faces_are_described_without_ids_or_distances(view, verdicts, shown):
    text = words.describe_face(view, "website", NAMES, verdicts)
    assert text == shown
    assert "H8012" not in text and "distance" not in text and "0.34" not in text


@pytest.mark.parametrize("role, shown", [("teacher", "Teacher"), ("ict", "ICT leader"),
                                         ("slt", "Senior leadership")])
def test_roles(role, shown):
    assert words.role_name(role) == shown


def test_lengths_in_plain_words():
    from classlens.posts.counting import lengths

    text = words.length_summary("x", lengths("x", "Oak: a lovely day"))
    assert text.startswith("X: 17 of 280 characters") and "weighted" not in text


@pytest.mark.parametrize("reason, shown", [
    ("website: refused by parent/carer", "Refused by a parent or carer"),
    ("social_private: pupil must never be published", "Must never be published"),
    ("website: pupil is no longer on roll", "Has left the school"),
    ("website: consent expired on 2027-11-24", "Consent ran out on 24 Nov 2027"),
    ("press: refused by the pupil", "Refused by the pupil"),
    ("removal requested by a parent", "Removal requested by a parent"),
    (None, ""),
])
def test_takedown_reasons_in_words(reason, shown):
    assert words.takedown_reason(reason) == shown
