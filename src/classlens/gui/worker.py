"""Long work off the UI thread, with progress after ~600 ms, Cancel and one error path.

    run_in_background(parent, lambda state: services.photo_import.import_photos(..., state),
                      on_success, label="Importing photos")

The function gets a core `TaskState`; its progress reaches the dialog through
a queued signal, so widgets are only touched on the main thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from classlens.gui.changes import Changes, announce
from classlens.gui.errors import show_exception
from classlens.gui.i18n import _
from classlens.gui.qt import QtCore, QtWidgets, Signal
from classlens.tasks import Cancelled, TaskState

PROGRESS_DELAY_MS = 600


class _Signals(QtCore.QObject):
    progress = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()


class _Runnable(QtCore.QRunnable):
    def __init__(self, function: Callable[[TaskState], Any], state: TaskState,
                 signals: _Signals):
        super().__init__()
        self.function, self.state, self.signals = function, state, signals

    def run(self) -> None:
        try:
            result = self.function(self.state)
        except Cancelled:
            self.signals.cancelled.emit()
        except BaseException as error:  # noqa: BLE001 - shown to the user, not lost
            self.signals.failed.emit(error)
        else:
            self.signals.succeeded.emit(result)
        finally:
            self.signals.finished.emit()


class Operation(QtCore.QObject):
    """One piece of background work and its progress dialog."""

    finished = Signal()

    def __init__(self, parent: QtCore.QObject, function, on_success, label: str,
                 on_failure=None, cancellable: bool = True, changes: Changes | None = None,
                 show_progress: bool = True, report_errors: bool = True):
        super().__init__(parent)
        self._changes, self._show_progress = changes, show_progress
        self._report_errors = report_errors
        self._parent, self._label, self._cancellable = parent, label, cancellable
        self._on_success, self._on_failure = on_success, on_failure
        self.signals = _Signals(self)
        self.state = TaskState(lambda d, t, m: self.signals.progress.emit(d, t, m))
        self.dialog: QtWidgets.QProgressDialog | None = None
        self.done = False
        self._last = (0, 0, "")
        self.signals.progress.connect(self._progress)
        self.signals.succeeded.connect(self._succeeded)
        self.signals.failed.connect(self._failed)
        self.signals.finished.connect(self._finished)
        self._runnable = _Runnable(function, self.state, self.signals)
        self._runnable.setAutoDelete(False)

    def start(self) -> Operation:
        if self._show_progress:
            QtCore.QTimer.singleShot(PROGRESS_DELAY_MS, self._show_dialog)
        QtCore.QThreadPool.globalInstance().start(self._runnable)
        return self

    def cancel(self) -> None:
        self.state.cancel()

    def _show_dialog(self) -> None:
        if self.done:
            return
        self.dialog = QtWidgets.QProgressDialog(self._label, _("Cancel") if self._cancellable
                                                else "", 0, 0, self._parent)
        self.dialog.setObjectName("progressDialog")
        self.dialog.setWindowModality(QtCore.Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(0)
        if self._cancellable:
            self.dialog.canceled.connect(self.cancel)
        else:
            self.dialog.setCancelButton(None)
        self._progress(*self._last)
        self.dialog.show()

    def _progress(self, done: int, total: int, message: str) -> None:
        self._last = (done, total, message)
        if self.dialog is not None:
            self.dialog.setMaximum(total)
            self.dialog.setValue(done)
            if message:
                self.dialog.setLabelText(f"{self._label}\n{message}")

    def _succeeded(self, result) -> None:
        if self._on_success is not None:
            self._on_success(result)
        if self._changes is not None:
            announce(self._changes, self._parent)

    def _failed(self, error: BaseException) -> None:
        if self._on_failure is not None:
            self._on_failure(error)
        if self._report_errors:
            parent = self._parent
            show_exception(parent if isinstance(parent, QtWidgets.QWidget) else None, error)

    def _finished(self) -> None:
        self.done = True
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog.hide()
        self.finished.emit()


def run_in_background(parent, function, on_success=None, label: str = "",
                      on_failure=None, cancellable: bool = True,
                      changes: Changes | None = None,
                      show_progress: bool = True, report_errors: bool = True) -> Operation:
    """Run `function(state)` off the UI thread; on success call `on_success(result)`
    and then announce `changes` to every screen. Work the user did not ask for
    (thumbnails) runs without progress or error dialogs: `show_progress` and
    `report_errors` False."""
    return Operation(parent, function, on_success, label, on_failure, cancellable,
                     changes, show_progress, report_errors).start()
