"""Long work with progress and cancellation, for the CLI and the GUI alike.

The core never sees Qt: a batch function takes a `TaskState`, reports
progress through it and stops when cancellation is requested. The GUI's
worker helper turns the callbacks into signals on its own.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.resource_tracker
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


RECYCLE_AFTER = 40


class Cancelled(Exception):
    """The user asked to stop; work finished before that is kept."""


class TaskState:
    def __init__(self, on_progress: Callable[[int, int, str], None] | None = None):
        self._cancel = threading.Event()
        self._on_progress = on_progress

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def progress(self, done: int, total: int, message: str = "") -> None:
        if self._on_progress is not None:
            self._on_progress(done, total, message)


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _exit_with_parent(initializer: Callable[[], None] | None) -> None:
    """In each worker: end the moment the parent process ends, however it ended
    (kill -9 included), instead of running on through the photos already sent."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        def watch() -> None:
            parent.join()  # returns when the parent's end of the pipe closes
            os._exit(1)

        threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()
        # Ctrl-C in a terminal reaches every process of the command: the parent
        # stops the batch, and its workers end with it, without a traceback each.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # see _ctrl_c_held
    if initializer is not None:
        initializer()


class Workers:
    """The worker processes of one batch, which can be started before the batch
    is known.

    A command starts them first (`Workers(n, warm_up).start(items)`) so that
    each worker's own start-up, a new Python loading numpy and the detector
    (about 0.3 s of a core), runs while the command opens the register and
    checks a password, rather than after it. "spawn" is safe inside a GUI with
    threads and behaves the same on Windows. Workers are replaced every
    RECYCLE_AFTER items: native libraries fragment their heap over hundreds of
    large images, and a fresh process gives it back.
    """

    def __init__(self, count: int | None = None,
                 initializer: Callable[[], None] | None = None) -> None:
        self.count = count or default_workers()
        self.initializer = initializer
        self._started: ProcessPoolExecutor | None = None
        self._starting: list[Future] = []

    def start(self, items: int | None = None) -> Workers:
        """Start the workers now: no more of them than there are `items`, and
        none for a single item (it is done in this process)."""
        if items is not None:
            self.count = max(1, min(self.count, items))
        if self.count > 1 and self._started is None:
            self._started = self.new_pool()
            with _ctrl_c_held():
                # The pool spawns a process for each task waiting for one.
                self._starting = [self._started.submit(int) for _ in range(self.count)]
        return self

    def new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.count, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_exit_with_parent, initargs=(self.initializer,),
                                   max_tasks_per_child=RECYCLE_AFTER)

    def take(self) -> ProcessPoolExecutor:
        """The started pool once its workers are up (the caller now owns it), or a
        new one if none was started or one of its workers died starting.

        The wait matters: a start-up task still running when the batch is
        submitted leaves the pool counting an idle worker that is not there,
        and it then does not replace the workers it retires after RECYCLE_AFTER
        items (CPython gh-115634) until none is left and the batch waits forever.
        """
        pool, self._started = self._started, None
        if pool is not None:
            wait(self._starting)
            if any(future.exception() for future in self._starting):
                pool.shutdown(wait=False)
                pool = None
        return pool or self.new_pool()

    def close(self) -> None:
        """Stop workers that were started and never used (the batch was refused)."""
        if self._started is not None:
            self._started.shutdown(wait=False, cancel_futures=True)
            self._started = None


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Processes started inside begin with Ctrl-C blocked, and ignore it once
    they run (`_exit_with_parent`): a Ctrl-C while they load their libraries
    stops the command once, with no traceback from each of them. Here, a
    Ctrl-C in the meantime waits the milliseconds a spawn takes, then stops
    the command as usual. (Signal masks are per thread, inherited by the
    processes a thread starts, and POSIX only; elsewhere, and in the app's
    background threads, there is no Ctrl-C to hold.)"""
    if not hasattr(signal, "pthread_sigmask") or (
            threading.current_thread() is not threading.main_thread()):
        yield
        return
    # The first spawn starts multiprocessing's resource tracker, which unblocks
    # SIGINT in this thread when it has started: start it before blocking.
    multiprocessing.resource_tracker.ensure_running()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def run_parallel(
    function: Callable[..., R],
    items: list[T],
    args: tuple[Any, ...] = (),
    workers: Workers | None = None,
    state: TaskState | None = None,
    on_crash: Callable[[T, BaseException], R] | None = None,
) -> Iterator[tuple[T, R]]:
    """Yield (item, function(item, *args)) as results complete, across processes.

    CPU-bound face work runs in separate processes: dlib and onnxruntime hold
    the GIL for parts of their work. At most two items per worker are in
    flight, so memory stays flat however long the batch. When a worker dies
    (a native crash, the out-of-memory killer), the items it may have held get
    `on_crash(item, error)` as their result and the batch goes on in a new pool.
    """
    state = state or TaskState()
    workers = workers or Workers()
    if workers.count == 1 or len(items) <= 1:
        workers.close()  # one photo: not worth another process
        if workers.initializer and items:
            workers.initializer()
        for item in items:
            if state.cancelled:
                raise Cancelled
            yield item, function(item, *args)
        return
    queue: Iterator[T] = iter(items)
    while True:
        crashed = yield from _run_pool(function, queue, args, workers.take(), workers.count,
                                       state, on_crash)
        if not crashed:
            return


def _run_pool(function, queue, args, pool: ProcessPoolExecutor, workers: int, state, on_crash):
    """One pool's share of the queue; True when a worker died and the rest of the
    queue still needs a new pool."""
    pending: dict[Future, Any] = {}
    with pool:
        try:
            while True:
                for item in queue:  # two items a worker in flight
                    try:
                        pending[pool.submit(function, item, *args)] = item
                    except BrokenProcessPool as error:  # a worker died since the last result
                        yield from _crashed([item, *pending.values()], error, on_crash)
                        return True
                    if len(pending) >= 2 * workers:
                        break
                if not pending:
                    return False
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    item = pending.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool as error:
                        yield from _crashed([item, *pending.values()], error, on_crash)
                        return True
                    yield item, result
                if state.cancelled:
                    raise Cancelled
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _crashed(items: list, error: BrokenProcessPool, on_crash) -> Iterator[tuple[Any, Any]]:
    """The pool is unusable: every item it held fails with it (which one killed
    the worker cannot be told)."""
    if on_crash is None:
        raise error
    for item in items:
        yield item, on_crash(item, error)
