"""One signal that says what an operation changed (Anki's `operation_did_execute`).

An action that changes data announces it here with a `Changes`; each screen
listens and refreshes what it shows from that, instead of actions calling
`reload()` on the screens they guess are affected.

    changes.announce(Changes(photos=True), origin=self)
    changes.hub().operation_did_execute.connect(self._on_changes)
"""

from __future__ import annotations

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


_hub: _Hub | None = None


def hub() -> _Hub:
    global _hub
    if _hub is None:
        _hub = _Hub()
    return _hub


def announce(changed: Changes, origin=None) -> None:
    if changed:
        hub().operation_did_execute.emit(changed, origin)
