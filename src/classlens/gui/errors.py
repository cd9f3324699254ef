"""One place that shows errors to the user (Anki's errors.py)."""

from __future__ import annotations

import logging
import sys
import threading
import traceback

from classlens.errors import ClassLensError
from classlens.gui.changes import announce
from classlens.gui.i18n import _
from classlens.gui.qt import QtWidgets

log = logging.getLogger("classlens.gui")
# Tests replace this to see what the user would have been shown.
shown: list[str] = []


def show_exception(parent: QtWidgets.QWidget | None, error: BaseException) -> None:
    """A refused request gets its plain message; a bug gets the details too."""
    message = str(error)
    shown.append(message)
    box = QtWidgets.QMessageBox(parent)
    box.setObjectName("errorDialog")
    if isinstance(error, ClassLensError):
        box.setIcon(QtWidgets.QMessageBox.Icon.Warning)
        box.setWindowTitle(_("Not done"))
        box.setText(message)
    else:
        log.error("unexpected error", exc_info=error)
        box.setIcon(QtWidgets.QMessageBox.Icon.Critical)
        box.setWindowTitle(_("Something went wrong"))
        box.setText(_("ClassLens hit an unexpected problem. Nothing was published."))
        box.setDetailedText("".join(traceback.format_exception(error)))
    if QtWidgets.QApplication.platformName() in ("offscreen", "minimal"):
        box.open()  # never block a headless run on a modal dialog
    else:
        box.exec()


def attempt(parent: QtWidgets.QWidget | None, action, changes=None):
    """Run one user action against the core; a refusal or error is shown, not raised.

    Returns the action's result, or None when it was refused. When it succeeded
    and `changes` (a `changes.Changes`) is given, every screen hears of it.
    """
    try:
        result = action()
    except Exception as error:  # noqa: BLE001 - every refusal reaches the user
        show_exception(parent, error)
        return None
    if changes is not None:
        announce(changes, parent)
    return result


def install_excepthook() -> None:
    def hook(kind, value, tb):
        show_exception(QtWidgets.QApplication.activeWindow(), value)

    sys.excepthook = hook
    threading.excepthook = lambda args: log.error("error in a thread", exc_info=args.exc_value)
