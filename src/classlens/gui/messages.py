"""Messages that stay until dismissed (qutebrowser's message bridge).

Screens say what happened through `info`/`warning`; the main window's
`MessageArea` shows each one with a Dismiss button, so a result is not lost
when a screen refreshes under it. `recent()` is what a user has been told.
"""

from __future__ import annotations

import logging

from classlens.gui.i18n import _
from classlens.gui.qt import QtCore, QtWidgets, Signal

log = logging.getLogger("classlens.gui.messages")
_recent: list[str] = []


class _Bridge(QtCore.QObject):
    posted = Signal(str, str)  # level ("info", "warning"), text


_bridge: _Bridge | None = None


def bridge() -> _Bridge:
    global _bridge  # noqa: PLW0603 - one bridge per process, made on first use
    if _bridge is None:
        _bridge = _Bridge()
    return _bridge


def info(text: str) -> None:
    _post("info", text)


def warning(text: str) -> None:
    _post("warning", text)


def _post(level: str, text: str) -> None:
    log.info("%s: %s", level, text)
    _recent.append(text)
    del _recent[:-50]
    bridge().posted.emit(level, text)


def recent() -> list[str]:
    return list(_recent)


COLOURS = {"info": ("#e0f2fe", "#0c4a6e"), "warning": ("#fef3c7", "#78350f")}


class MessageArea(QtWidgets.QWidget):
    """A stack of messages above the screens; each stays until its Dismiss."""

    MAX_SHOWN = 4

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("messageArea")
        self.setAccessibleName(_("Messages"))
        self._layout = QtWidgets.QVBoxLayout(self)
        self._layout.setContentsMargins(6, 4, 6, 0)
        self._layout.setSpacing(2)
        bridge().posted.connect(self.add)

    def add(self, level: str, text: str) -> None:
        row = QtWidgets.QFrame(objectName=f"message_{level}")
        background, colour = COLOURS.get(level, COLOURS["info"])
        row.setStyleSheet(f"QFrame {{ background: {background}; border-radius: 4px; }} "
                          f"QLabel {{ color: {colour}; }}")
        layout = QtWidgets.QHBoxLayout(row)
        layout.setContentsMargins(8, 3, 4, 3)
        label = QtWidgets.QLabel(text, objectName="messageText", wordWrap=True)
        label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        dismiss = QtWidgets.QPushButton(_("Dismiss"), objectName="dismissMessage")
        dismiss.setAccessibleName(_("Dismiss message"))
        dismiss.clicked.connect(lambda: self._remove(row))
        layout.addWidget(label, 1)
        layout.addWidget(dismiss)
        self._layout.addWidget(row)
        while self._layout.count() > self.MAX_SHOWN:  # the oldest go first
            self._remove(self._layout.itemAt(0).widget())

    def _remove(self, row: QtWidgets.QWidget) -> None:
        self._layout.removeWidget(row)
        row.hide()
        row.deleteLater()

    def texts(self) -> list[str]:
        return [self._layout.itemAt(i).widget().findChild(QtWidgets.QLabel).text()
                for i in range(self._layout.count())]
