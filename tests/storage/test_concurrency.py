"""Several people on one register at once: nobody's change is lost silently."""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter

import pytest
from conftest import PASSWORD

from classlens.errors import ConcurrentChange
from classlens.services import Services
from classlens.storage import Database

LOAD_SECONDS = float(os.environ.get("CLASSLENS_LOAD_SECONDS", "60"))


def test_the_second_of_two_simultaneous_approvals_is_refused(school):
    """Two heads approve the same post at the same moment, each on their own connection."""
    school.users.add_user("admin", "head", "slt", PASSWORD)
    school.users.add_user("admin", "deputy", "slt", PASSWORD)
    post = school.posts.stage("teacher1", "Oak", "website", "Oak: the Blue Room.", [1],
                              ["Two people"])
    school.posts.submit("teacher1", post.id)
    first = Services(Database(school.db.url), school.library_root, key_file=school.key_file)
    second = Services(Database(school.db.url), school.library_root, key_file=school.key_file)
    both_read = threading.Barrier(2)
    results: dict[str, object] = {}

    def approve(services, who):
        # Both read the submitted post before either writes: the race the lock is for.
        original = services.posts._decider

        def decider(session, actor, post_row):
            original(session, actor, post_row)
            both_read.wait(timeout=10)

        services.posts._decider = decider
        try:
            results[who] = services.posts.approve(who, post.id).status
        except ConcurrentChange as error:
            results[who] = error

    threads = [threading.Thread(target=approve, args=(s, w))
               for s, w in ((first, "head"), (second, "deputy"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    outcomes = sorted(results.values(), key=lambda r: isinstance(r, Exception))
    assert outcomes[0] == "approved"
    assert isinstance(outcomes[1], ConcurrentChange)
    winner = next(w for w, r in results.items() if r == "approved")
    assert f"post {post.id} was changed by {winner} at " in str(outcomes[1])
    assert "(it is now approved)" in str(outcomes[1])
    assert "nothing was saved: reload it" in str(outcomes[1])
    assert school.posts.post(post.id).approver == winner
    assert [e["action"] for e in school.audit_log.audit()].count("post.approved") == 1
    first.db.close()
    second.db.close()


def test_ten_clients_editing_consents_lose_no_update(backend, school):
    """Ten clients record consents as fast as they can; every change that was
    accepted is in the audit log and the register ends as the log says."""
    if backend != "postgresql":
        pytest.skip("the load test is about the shared PostgreSQL register")
    pupils, categories = ["OBAMA", "BIDEN", "COLLINS"], ["website", "press", "video"]
    accepted: Counter = Counter()
    conflicts = Counter()
    stop = time.monotonic() + LOAD_SECONDS
    errors: list[BaseException] = []

    def client(number: int) -> None:
        services = Services(Database(school.db.url), school.library_root,
                            key_file=school.key_file)
        rng = random.Random(number)
        try:
            while time.monotonic() < stop:
                status = rng.choice(["granted", "refused"])
                try:
                    services.pupils.set_consent("admin", rng.choice(pupils), rng.choice(categories),
                                                status, evidence=f"client {number}")
                    accepted[number] += 1
                except ConcurrentChange:
                    conflicts[number] += 1
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            services.db.close()

    before = sum(1 for e in school.audit_log.audit() if e["action"] == "consent.set")
    threads = [threading.Thread(target=client, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=LOAD_SECONDS + 120)
    assert errors == []
    log = [e for e in school.audit_log.audit() if e["action"] == "consent.set"]
    assert len(log) - before == sum(accepted.values()) > 0
    # The newest logged change of each consent is what the register holds.
    for pupil in pupils:
        for category in categories:
            newest = next((e for e in log if e["subject"] == f"pupil:{pupil}"
                           and e["field"] == f"{category} (parent)"), None)
            if newest is None:
                continue
            expected = "granted" if newest["new"].startswith("granted") else "refused"
            assert school.pupils.pupil(pupil).as_dict()["consent"][category] == expected
