"""The worker processes of a batch: started ahead of it, used by it, never left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
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
    workers = Workers(2).start(6)
    started = settle(2, before)
    assert len(started) == 2  # running while the caller still opens the register
    results = dict(run_parallel(jobs.pid, list(range(6)), workers=workers))
    assert sorted(results) == list(range(6))
    assert {pid for _, pid in results.values()} <= started  # no second pool was made
    assert settle(0, before) == set()


def test_workers_started_for_a_refused_batch_end_with_it():
    before = children()
    workers = Workers(2).start(10)
    assert len(settle(2, before)) == 2
    workers.close()  # the password was wrong: the command ends before any work
    assert settle(0, before) == set()


@pytest.mark.parametrize(("count", "items", "started"), [(4, 2, 2), (4, 1, 0), (2, 0, 0)])
def test_no_more_workers_start_than_there_are_items(count, items, started):
    before = children()
    workers = Workers(count).start(items)
    assert len(settle(started, before)) == started
    time.sleep(0.3)
    assert len(children() - before) == started  # and no more came later
    workers.close()
    assert settle(0, before) == set()


@pytest.mark.parametrize("items", [[], [7]])
def test_a_batch_of_one_runs_here_and_ends_workers_started_for_more(items):
    before = children()
    workers = Workers(2).start(2)
    settle(2, before)
    results = list(run_parallel(jobs.pid, items, workers=workers))
    assert settle(0, before) == set()  # ended as soon as it was clear they were not needed
    assert results == [(item, (item, os.getpid())) for item in items]


def test_a_batch_given_at_once_to_started_workers_survives_their_recycling():
    """Workers are replaced every RECYCLE_AFTER items; a batch submitted while
    the started workers were still starting once lost them all at their first
    replacement and waited forever (CPython gh-115634). Run apart, with a
    time limit, so that a hang fails the test instead of the suite."""
    script = (
        "import jobs\n"
        "from classlens import tasks\n"
        "tasks.RECYCLE_AFTER = 3\n"
        "pids = set()\n"
        "for n in range(2, 16):  # which batch size lost the workers depended on timing\n"
        "    workers = tasks.Workers(2).start(n)\n"
        "    results = dict(tasks.run_parallel(jobs.pid, list(range(n)), workers=workers))\n"
        "    assert sorted(results) == list(range(n)), results\n"
        "    pids |= {pid for _, pid in results.values()}\n"
        "print(len(pids))\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(jobs.__file__).parent), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 2 * 14  # workers were replaced within batches


def test_a_worker_that_dies_costs_only_the_items_it_held():
    workers = Workers(2).start(12)
    results = dict(run_parallel(jobs.dies_on, list(range(12)), (5,), workers=workers,
                                on_crash=lambda item, error: -1))
    assert sorted(results) == list(range(12))
    lost = [item for item, result in results.items() if result == -1]
    assert 5 in lost and len(lost) <= 4  # at most two items per worker were in flight
    assert all(results[item] == item for item in results if item not in lost)


def test_a_started_worker_killed_before_the_batch_costs_no_more_than_its_pool():
    before = children()
    workers = Workers(2).start(8)
    victim, *_ = settle(2, before)
    os.kill(victim, signal.SIGKILL)  # the out-of-memory killer, while the register opens
    results = dict(run_parallel(jobs.pid, list(range(8)), workers=workers,
                                on_crash=lambda item, error: None))
    assert sorted(results) == list(range(8))  # every item has its result or its error
    assert any(results.values())  # and the batch went on in a new pool
    assert victim not in {result[1] for result in results.values() if result}
