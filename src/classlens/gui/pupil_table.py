"""The register's table: pupils and a consent badge per category, and the
filters above it (class, needs renewal, may not be shown, name)."""

from __future__ import annotations

from classlens.gui.i18n import _
from classlens.gui.qt import Qt, QtCore, QtGui
from classlens.gui.words import category_name, consent_sentence, may_be_shown, register_badge
from classlens.posts.names import fold
from classlens.register.consent import ALL_CATEGORIES
from classlens.services.pupils import PupilView

BADGE = {  # background and text colour per consent state
    "granted": ("#d7f0dc", "#14532d"),
    "refused": ("#f8d7da", "#7f1d1d"),
    "expired": ("#fdebc8", "#7c4a03"),
    "not recorded": ("#e5e7eb", "#374151"),
    "never publish": ("#7f1d1d", "#ffffff"),
    "left": ("#d1d5db", "#374151"),
}
FIXED = ["UPN", "Name", "Class"]


class PupilTableModel(QtCore.QAbstractTableModel):
    """Pupils and their consent per category, as the consent rules see them today."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.pupils: list[PupilView] = []

    def set_pupils(self, pupils: list[PupilView]) -> None:
        self.beginResetModel()
        self.pupils = pupils
        self.endResetModel()

    def rowCount(self, parent=QtCore.QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.pupils)

    def columnCount(self, parent=QtCore.QModelIndex()) -> int:
        return 0 if parent.isValid() else len(FIXED) + len(ALL_CATEGORIES)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if section < len(FIXED):
                return _(FIXED[section])
            return category_name(ALL_CATEGORIES[section - len(FIXED)])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        pupil, column = self.pupils[index.row()], index.column()
        if column < len(FIXED):
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.UserRole):
                name = pupil.display_name
                if pupil.never_publish:
                    name += "  ⚠ " + _("never publish")
                if not pupil.on_roll:
                    name += "  (" + _("left") + ")"
                return [pupil.pupil_id, name, pupil.class_name or ""][column]
            if role == Qt.ItemDataRole.ToolTipRole and column == 1 and pupil.never_publish:
                return pupil.never_publish_reason or _("Must never be published")
            return None
        category = ALL_CATEGORIES[column - len(FIXED)]
        verdict = pupil.consent[category]
        label = register_badge(pupil, category)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.UserRole):
            return label
        if role == Qt.ItemDataRole.ToolTipRole:
            if label in ("never publish", "left"):
                return _("{flag}; the consent form says: {form}").format(
                    flag=label.capitalize(), form=consent_sentence(verdict).lower())
            return consent_sentence(verdict)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QtGui.QColor(BADGE[label][0])
        if role == Qt.ItemDataRole.ForegroundRole:
            return QtGui.QColor(BADGE[label][1])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        return None


class PupilFilter(QtCore.QSortFilterProxyModel):
    """Filter by class, by "needs renewal", by "no consent for a category", by name."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.class_name: str | None = None
        self.needs_renewal: set[str] = set()
        self.renewal_only = False
        self.missing_category: str | None = None
        self.search = ""

    def refresh(self) -> None:
        self.beginFilterChange()
        self.endFilterChange(QtCore.QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row, parent) -> bool:
        pupil = self.sourceModel().pupils[row]  # type: ignore[attr-defined]
        if self.class_name and pupil.class_name != self.class_name:
            return False
        if self.renewal_only and pupil.pupil_id not in self.needs_renewal:
            return False
        # "No consent for" counts leavers and never-publish pupils, as publishing does.
        if self.missing_category and may_be_shown(pupil, self.missing_category):
            return False
        if self.search:
            haystack = fold(" ".join(filter(None, (pupil.pupil_id, pupil.given_name,
                                                   pupil.preferred_name, pupil.family_name))))
            return all(word in haystack for word in fold(self.search).split())
        return True
