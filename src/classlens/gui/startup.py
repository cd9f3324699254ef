"""The first window: on screen at once, with progress while the demo school is built.

Building the demo (enrolling, importing and analysing its photos) takes tens of
seconds the first time; the user sees this window straight away instead of
nothing. The demo is built on a pool thread (the
services are thread-safe: the workers already use them off the UI thread).
"""

from __future__ import annotations

import os
import sys
import time

from classlens.gui.i18n import _
from classlens.gui.qt import Qt, QtCore, QtWidgets
from classlens.gui.worker import run_in_background


class StartupWindow(QtWidgets.QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("startupWindow")
        self.setWindowTitle(_("ClassLens"))
        title = QtWidgets.QLabel(_("ClassLens"), objectName="startupTitle")
        title.setStyleSheet("font-size: 20pt; font-weight: bold")
        self.label = QtWidgets.QLabel(_("Preparing the demo school: staff, pupils, consent "
                                        "forms and photos. This takes a little while the "
                                        "first time only."), objectName="startupLabel",
                                      wordWrap=True)
        self.bar = QtWidgets.QProgressBar(objectName="startupProgress")
        self.bar.setRange(0, 0)  # busy: the demo builder reports no steps
        self.bar.setAccessibleName(_("Preparing the demo school"))
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(title, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self.setFixedSize(460, 170)


_reported = False


def report_first_window() -> None:
    """For tools/measure_startup.py: the wall-clock moment the first window is on
    screen, on stderr, once, when CLASSLENS_REPORT_STARTUP is set."""
    global _reported  # noqa: PLW0603 - reported once per process
    if os.environ.get("CLASSLENS_REPORT_STARTUP") and not _reported:
        _reported = True
        print(f"classlens-first-window {time.time():.3f}", file=sys.stderr, flush=True)


def build_demo_with_progress():
    """Show the start-up window, build the demo off the UI thread and return its
    Services; None if building failed (the error is shown)."""
    from classlens.demo import open_demo

    window = StartupWindow()
    window.show()
    QtWidgets.QApplication.processEvents()
    report_first_window()
    outcome: dict = {}
    loop = QtCore.QEventLoop()

    operation = run_in_background(window, lambda _state: open_demo(),
                                  lambda services: outcome.setdefault("services", services),
                                  _("Preparing the demo school"),
                                  on_failure=lambda error: outcome.setdefault("error", error),
                                  cancellable=False, show_progress=False)
    operation.finished.connect(loop.quit)
    if not operation.done:
        loop.exec()
    window.close()
    return outcome.get("services")
