"""One signal that says what an operation changed (Anki's `operation_did_execute`).

An action that changes data announces it here with a `Changes`; each screen
listens and refreshes what it shows from that, instead of actions calling
`reload()` on the screens they guess are affected.

    changes.announce(Changes(photos=True), origin=self)
    changes.hub(services).operation_did_execute.connect(self._on_changes)

There is one hub per open school (per `Services`), so two windows on the same
school follow each other, and nothing crosses between schools.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, fields

from classlens.gui.qt import QtCore, Signal


@dataclass(frozen=True)
class Changes:
    photos: bool = False  # photos imported, faces reviewed or blurred
    posts: bool = False  # a post staged, edited, submitted, decided, exported, removed
    register: bool = False  # pupils, consent, never-publish flags, enrolment
    users: bool = False  # staff accounts
    school: bool = False  # channels, policy settings, backups restored

    @classmethod
    def everything(cls) -> Changes:
        return cls(**{f.name: True for f in fields(cls)})

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


class _Hub(QtCore.QObject):
    # (Changes, the widget that made the change or None)
    operation_did_execute = Signal(object, object)


# One hub per open school, forgotten with it (the core object knows nothing of Qt).
_hubs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def hub(services) -> _Hub:
    """The change signal of one open school."""
    found = _hubs.get(services)
    if found is None:
        found = _hubs[services] = _Hub()
    return found


def _services_of(origin):
    """The school a widget works on: its own `services`, or its parent's."""
    while origin is not None:
        services = getattr(origin, "services", None)
        if services is not None:
            return services
        origin = origin.parent() if hasattr(origin, "parent") else None
    return None


def announce(changed: Changes, origin=None, services=None) -> None:
    services = services or _services_of(origin)
    if changed and services is not None:
        hub(services).operation_did_execute.emit(changed, origin)
