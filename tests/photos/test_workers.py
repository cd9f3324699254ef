"""The worker processes of a batch: started ahead of it, used by it, never left behind."""

from __future__ import annotations

import os
import time
from pathlib import Path

import jobs
import pytest

from classlens.tasks import Workers, run_parallel

pytestmark = pytest.mark.skipif(not Path("/proc").exists(), reason="reads /proc")


def children() -> set[int]:
    """The live (not zombie) worker processes this test process started (not
    multiprocessing's own resource tracker)."""
    own = str(os.getpid())
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue  # ended while we looked
        if fields[1] == own and fields[0] != "Z" and b"spawn_main" in command:
            found.add(int(stat.parent.name))
    return found


def settle(expected: int, before: set[int]) -> set[int]:
    """Our new children, once there are `expected` of them (or 30 s have passed)."""
    deadline = time.monotonic() + 30
    while True:
        new = children() - before
        if len(new) == expected or time.monotonic() > deadline:
            return new
        time.sleep(0.05)


def test_started_workers_exist_before_the_batch_and_do_its_work():
    before = children()
    with Workers(2) as workers:
        started = settle(2, before)
        assert len(started) == 2  # running while the caller still opens the register
        results = dict(run_parallel(jobs.pid, list(range(6)), workers=workers))
    assert sorted(results) == list(range(6))
    assert {pid for _, pid in results.values()} <= started  # no second pool was made
    assert settle(0, before) == set()


def test_workers_started_for_a_refused_batch_end_with_it():
    before = children()
    with Workers(2):
        assert len(settle(2, before)) == 2
        # (the password was wrong: the command ends before any work)
    assert settle(0, before) == set()


@pytest.mark.parametrize("items", [[], [7]])
def test_a_batch_of_one_runs_here_and_ends_the_started_workers(items):
    before = children()
    with Workers(2) as workers:
        settle(2, before)
        results = list(run_parallel(jobs.pid, items, workers=workers))
        assert settle(0, before) == set()  # ended as soon as it was clear they were not needed
    assert results == [(item, (item, os.getpid())) for item in items]


def test_a_worker_that_dies_costs_only_the_items_it_held():
    with Workers(2) as workers:
        results = dict(run_parallel(jobs.dies_on, list(range(12)), (5,), workers=workers,
                                    on_crash=lambda item, error: -1))
    assert sorted(results) == list(range(12))
    lost = [item for item, result in results.items() if result == -1]
    assert 5 in lost and len(lost) <= 4  # at most two items per worker were in flight
    assert all(results[item] == item for item in results if item not in lost)
