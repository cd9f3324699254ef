"""Work for worker-process tests: functions a spawned worker finds by name."""

from __future__ import annotations

import os


def pid(item: int) -> tuple[int, int]:
    """(the item, the process that handled it)."""
    return item, os.getpid()


def dies_on(item: int, fatal: int) -> int:
    """The item, or the end of the process (as a native crash would end it)."""
    if item == fatal:
        os._exit(3)
    return item
