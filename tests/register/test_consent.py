"""The consent function, table-driven: every reason, and who wins."""

from datetime import date

import pytest

from classlens.register.consent import (
    BIOMETRIC,
    CATEGORIES,
    Decision,
    PupilFacts,
    Reason,
    may_process_biometrics,
    may_show,
    state_label,
)

TODAY = date(2026, 11, 22)
ON_ROLL = PupilFacts()
LEFT = PupilFacts(on_roll=False)
NEVER = PupilFacts(never_publish=True)


def grant(by="parent", expires=None, category="website"):
    return Decision(category, "granted", by, expires)


def refuse(by="parent", category="website"):
    return Decision(category, "refused", by)


CASES = [
    # (id, facts, decisions, expected reason, expected expiry in the verdict)
    ("granted by parent", ON_ROLL, [grant()], Reason.ALLOWED, None),
    ("granted by competent pupil", ON_ROLL, [grant("pupil")], Reason.ALLOWED, None),
    ("granted until today", ON_ROLL, [grant(expires=TODAY)], Reason.ALLOWED, None),
    ("nothing recorded", ON_ROLL, [], Reason.NOT_RECORDED, None),
    ("only another category recorded", ON_ROLL, [grant(category="press")],
     Reason.NOT_RECORDED, None),
    ("refused by parent", ON_ROLL, [refuse()], Reason.REFUSED_BY_PARENT, None),
    ("refused by pupil", ON_ROLL, [refuse("pupil")], Reason.REFUSED_BY_PUPIL, None),
    ("pupil refusal beats parent grant", ON_ROLL, [grant(), refuse("pupil")],
     Reason.REFUSED_BY_PUPIL, None),
    ("parent refusal beats pupil grant", ON_ROLL, [grant("pupil"), refuse()],
     Reason.REFUSED_BY_PARENT, None),
    ("both refuse: the pupil's refusal is named", ON_ROLL, [refuse(), refuse("pupil")],
     Reason.REFUSED_BY_PUPIL, None),
    ("expired yesterday", ON_ROLL, [grant(expires=date(2026, 11, 21))],
     Reason.EXPIRED, date(2026, 11, 21)),
    ("expired grants name the latest expiry", ON_ROLL,
     [grant(expires=date(2025, 8, 31)), grant("pupil", expires=date(2026, 8, 31))],
     Reason.EXPIRED, date(2026, 8, 31)),
    ("one valid grant is enough", ON_ROLL,
     [grant(expires=date(2025, 8, 31)), grant("pupil", expires=date(2027, 8, 31))],
     Reason.ALLOWED, None),
    ("expired refusal is still a refusal", ON_ROLL, [refuse()], Reason.REFUSED_BY_PARENT, None),
    ("never publish beats a grant", NEVER, [grant()], Reason.NEVER_PUBLISH, None),
    ("off roll beats a grant", LEFT, [grant()], Reason.OFF_ROLL, None),
    ("off roll and never publish: off roll", PupilFacts(False, True), [grant()],
     Reason.OFF_ROLL, None),
    ("never publish beats nothing recorded", NEVER, [], Reason.NEVER_PUBLISH, None),
]


@pytest.mark.parametrize(("facts", "decisions", "reason", "expired_on"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_may_show(facts, decisions, reason, expired_on):
    verdict = may_show(facts, decisions, "website", TODAY)
    assert verdict.reason is reason
    assert verdict.allowed is (reason is Reason.ALLOWED)
    assert bool(verdict) is verdict.allowed
    assert verdict.expired_on == expired_on


def test_every_reason_is_covered_by_the_table():
    assert {c[3] for c in CASES} == set(Reason)


@pytest.mark.parametrize("category", CATEGORIES)
def test_consent_is_per_category(category):
    """A private-feed grant does not cover the public account (seed 000)."""
    decisions = [grant(category=category)]
    for other in CATEGORIES:
        expected = Reason.ALLOWED if other == category else Reason.NOT_RECORDED
        assert may_show(ON_ROLL, decisions, other, TODAY).reason is expected


def test_biometric_is_not_a_publication_category():
    with pytest.raises(ValueError, match="not a publication category"):
        may_show(ON_ROLL, [grant(category=BIOMETRIC)], BIOMETRIC, TODAY)


def test_messages_say_why():
    assert may_show(ON_ROLL, [grant(expires=date(2026, 8, 31))], "website",
                    TODAY).message == "consent expired on 2026-08-31"
    assert may_show(ON_ROLL, [refuse("pupil")], "website", TODAY).message == "refused by the pupil"
    assert may_show(ON_ROLL, [], "website", TODAY).message == "no consent recorded"
    assert may_show(NEVER, [], "website", TODAY).message == "pupil must never be published"
    assert may_show(LEFT, [], "website", TODAY).message == "pupil is no longer on roll"


def bio(status, by="parent", expires=None):
    return Decision(BIOMETRIC, status, by, expires)


BIOMETRIC_CASES = [
    ("parent grants", ON_ROLL, [bio("granted")], Reason.ALLOWED),
    ("pupil's own grant is not enough (PoFA s.26)", ON_ROLL, [bio("granted", "pupil")],
     Reason.NOT_RECORDED),
    ("pupil objects", ON_ROLL, [bio("granted"), bio("refused", "pupil")],
     Reason.REFUSED_BY_PUPIL),
    ("parent objects", ON_ROLL, [bio("refused")], Reason.REFUSED_BY_PARENT),
    ("parent grant expired, pupil grant valid", ON_ROLL,
     [bio("granted", expires=date(2026, 1, 1)), bio("granted", "pupil")], Reason.EXPIRED),
    ("nothing recorded", ON_ROLL, [], Reason.NOT_RECORDED),
    ("a publication grant is not biometric consent", ON_ROLL, [grant()], Reason.NOT_RECORDED),
    ("left the school", LEFT, [bio("granted")], Reason.OFF_ROLL),
    # A never-publish pupil with biometric consent can still be recognised, so
    # that a photo of them is caught and excluded rather than merely blurred.
    ("never publish does not stop recognition", NEVER, [bio("granted")], Reason.ALLOWED),
]


@pytest.mark.parametrize(("facts", "decisions", "reason"), [c[1:] for c in BIOMETRIC_CASES],
                         ids=[c[0] for c in BIOMETRIC_CASES])
def test_may_process_biometrics(facts, decisions, reason):
    assert may_process_biometrics(facts, decisions, TODAY).reason is reason


@pytest.mark.parametrize(("reason", "label"), [
    (Reason.ALLOWED, "granted"), (Reason.EXPIRED, "expired"),
    (Reason.NOT_RECORDED, "not recorded"), (Reason.REFUSED_BY_PARENT, "refused"),
    (Reason.REFUSED_BY_PUPIL, "refused"), (Reason.NEVER_PUBLISH, "refused"),
    (Reason.OFF_ROLL, "refused"),
])
def test_state_labels(reason, label):
    from classlens.register.consent import Verdict
    assert state_label(Verdict(reason, date(2026, 1, 1))) == label
