"""The one place ClassLens imports Qt from (Anki's aqt.qt, qutebrowser's qt/)."""

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt, Signal, Slot

__all__ = ["Qt", "QtCore", "QtGui", "QtWidgets", "Signal", "Slot"]
