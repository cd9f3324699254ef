"""The register (ICT leader, SLT): pupils, consent badges, editing, enrolment, import."""

from __future__ import annotations

from pathlib import Path

from classlens.gui.errors import attempt
from classlens.gui.i18n import _
from classlens.gui.import_wizard import ImportWizard
from classlens.gui.qt import Qt, QtCore, QtGui, QtWidgets
from classlens.gui.worker import run_in_background
from classlens.posts.names import fold
from classlens.register.consent import ALL_CATEGORIES, CATEGORIES, Reason, state_label
from classlens.services.register import PupilView

BADGE = {  # background and text colour per consent state
    "granted": ("#d7f0dc", "#14532d"),
    "refused": ("#f8d7da", "#7f1d1d"),
    "expired": ("#fdebc8", "#7c4a03"),
    "not recorded": ("#e5e7eb", "#374151"),
}
FIXED = ["Pupil ID", "Name", "Class"]


class PupilTableModel(QtCore.QAbstractTableModel):
    """Pupils and their consent per category, as the consent rules see them today."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.pupils: list[PupilView] = []

    def set_pupils(self, pupils: list[PupilView]) -> None:
        self.beginResetModel()
        self.pupils = pupils
        self.endResetModel()

    def rowCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self.pupils)

    def columnCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(FIXED) + len(ALL_CATEGORIES)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if section < len(FIXED):
                return _(FIXED[section])
            return ALL_CATEGORIES[section - len(FIXED)].replace("_", " ")
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
        verdict = pupil.consent[ALL_CATEGORIES[column - len(FIXED)]]
        label = state_label(verdict)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.UserRole):
            return label
        if role == Qt.ItemDataRole.ToolTipRole:
            return verdict.message
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

    def filterAcceptsRow(self, row, parent) -> bool:  # noqa: N802
        pupil = self.sourceModel().pupils[row]  # type: ignore[attr-defined]
        if self.class_name and pupil.class_name != self.class_name:
            return False
        if self.renewal_only and pupil.pupil_id not in self.needs_renewal:
            return False
        if self.missing_category and pupil.consent[self.missing_category].reason is \
                Reason.ALLOWED:
            return False
        if self.search:
            haystack = fold(" ".join(filter(None, (pupil.pupil_id, pupil.given_name,
                                                   pupil.preferred_name, pupil.family_name))))
            return all(word in haystack for word in fold(self.search).split())
        return True


class RegisterView(QtWidgets.QWidget):
    def __init__(self, services, user, parent=None):
        super().__init__(parent)
        self.services, self.user = services, user
        self.can_manage = user.role == "ict"
        self.model = PupilTableModel(self)
        self.proxy = PupilFilter(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)

        self.class_box = QtWidgets.QComboBox(objectName="classFilter")
        self.filter_box = QtWidgets.QComboBox(objectName="consentFilter")
        self.filter_box.addItem(_("All pupils"), None)
        self.filter_box.addItem(_("Needs renewal (30 days)"), "renewal")
        for category in CATEGORIES:
            self.filter_box.addItem(_("No consent for {}").format(category.replace("_", " ")),
                                    category)
        self.search = QtWidgets.QLineEdit(objectName="search",
                                          placeholderText=_("Search by name or id"))
        self.search.setClearButtonEnabled(True)
        self.import_button = QtWidgets.QPushButton(_("Import from MIS…"), objectName="import")
        self.export_button = QtWidgets.QPushButton(_("Export…"), objectName="export")
        self.edit_button = QtWidgets.QPushButton(_("Record consent…"), objectName="edit")
        self.enrol_button = QtWidgets.QPushButton(_("Enrol photos…"), objectName="enrol")
        for button in (self.import_button, self.export_button, self.enrol_button):
            button.setEnabled(self.can_manage)

        self.table = QtWidgets.QTableView(objectName="pupils")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.setAcceptDrops(True)
        self.table.viewport().setAcceptDrops(True)
        self.table.viewport().installEventFilter(self)
        self.summary = QtWidgets.QLabel(objectName="summary")

        bar = QtWidgets.QHBoxLayout()
        for widget in (self.class_box, self.filter_box, self.search):
            bar.addWidget(widget)
        bar.addStretch()
        for widget in (self.edit_button, self.enrol_button, self.import_button,
                       self.export_button):
            bar.addWidget(widget)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        hint = _("Drop reference photos on a pupil to enrol them (biometric consent needed).")
        layout.addWidget(QtWidgets.QLabel(hint if self.can_manage else ""))
        layout.addWidget(self.summary)

        self.class_box.currentIndexChanged.connect(self._filter_changed)
        self.filter_box.currentIndexChanged.connect(self._filter_changed)
        self.search.textChanged.connect(self._filter_changed)
        self.import_button.clicked.connect(self.open_import_wizard)
        self.export_button.clicked.connect(self.export_register)
        self.edit_button.clicked.connect(self.edit_consent)
        self.enrol_button.clicked.connect(self.choose_enrolment_photos)
        self.table.doubleClicked.connect(lambda _index: self.edit_consent())
        self.reload()

    # -- data ----------------------------------------------------------------

    def reload(self) -> None:
        pupils = self.services.list_pupils(viewer=self.user.username)
        self.model.set_pupils(pupils)
        self.proxy.needs_renewal = {e["pupil_id"] for e in self.services.expiring_consents(30)}
        current = self.class_box.currentText()
        self.class_box.blockSignals(True)
        self.class_box.clear()
        self.class_box.addItem(_("All classes"), None)
        for name in sorted({p.class_name for p in pupils if p.class_name}):
            self.class_box.addItem(name, name)
        index = self.class_box.findText(current)
        self.class_box.setCurrentIndex(max(0, index))
        self.class_box.blockSignals(False)
        self._filter_changed()
        self.table.resizeColumnsToContents()

    def _filter_changed(self) -> None:
        self.proxy.class_name = self.class_box.currentData()
        choice = self.filter_box.currentData()
        self.proxy.renewal_only = choice == "renewal"
        self.proxy.missing_category = choice if choice in CATEGORIES else None
        self.proxy.search = self.search.text()
        self.proxy.refresh()
        self.summary.setText(_("{shown} of {total} pupils").format(
            shown=self.proxy.rowCount(), total=self.model.rowCount()))

    def selected_pupil(self) -> PupilView | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.pupils[self.proxy.mapToSource(rows[0]).row()]

    # -- actions -------------------------------------------------------------

    def edit_consent(self) -> None:
        pupil = self.selected_pupil()
        if pupil is None:
            return
        dialog = ConsentDialog(pupil, self)
        if dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted:
            self.record_consent(pupil.pupil_id, *dialog.values())

    def record_consent(self, pupil_id, category, status, decided_by, expires, evidence) -> None:
        attempt(self, lambda: self.services.set_consent(
            self.user.username, pupil_id, category, status, decided_by, expires,
            evidence or None))
        self.reload()

    def choose_enrolment_photos(self) -> None:
        pupil = self.selected_pupil()
        if pupil is None:
            return
        files, _filter = QtWidgets.QFileDialog.getOpenFileNames(
            self, _("Reference photos of {}").format(pupil.given_name), "",
            _("Photos (*.jpg *.jpeg *.png *.webp *.heic)"))
        if files:
            self.enrol(pupil.pupil_id, files)

    def enrol(self, pupil_id: str, files: list[str]):
        def done(report) -> None:
            lines = [_("Enrolled {n} reference photo(s).").format(n=report.enrolled)]
            lines += [f"{Path(e['file']).name}: {e['message']}" for e in report.errors]
            lines += [f"{Path(n['file']).name}: {n['message']}" for n in report.notes]
            self.summary.setText(" ".join(lines))
            self.reload()

        return run_in_background(self, lambda state: self.services.enrol(
            self.user.username, pupil_id, files), done, _("Enrolling reference photos"),
            cancellable=False)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - drag and drop on a pupil
        if watched is self.table.viewport() and self.can_manage:
            if (event.type() in (QtCore.QEvent.Type.DragEnter, QtCore.QEvent.Type.DragMove)
                    and event.mimeData().hasUrls()):
                event.acceptProposedAction()
                return True
            if event.type() == QtCore.QEvent.Type.Drop and event.mimeData().hasUrls():
                index = self.table.indexAt(event.position().toPoint())
                if index.isValid():
                    pupil = self.model.pupils[self.proxy.mapToSource(index).row()]
                    self.enrol(pupil.pupil_id, [u.toLocalFile() for u in event.mimeData().urls()])
                    event.acceptProposedAction()
                    return True
        return super().eventFilter(watched, event)

    def open_import_wizard(self) -> ImportWizard:
        wizard = ImportWizard(self.services, self.user.username, self)
        wizard.finished.connect(lambda _result: self.reload())
        wizard.open()
        return wizard

    def export_register(self) -> None:
        path, _filter = QtWidgets.QFileDialog.getSaveFileName(
            self, _("Export the register"), "register.csv", _("CSV files (*.csv)"))
        if path:
            count = attempt(self, lambda: self.services.export_register(self.user.username,
                                                                        Path(path)))
            if count is not None:
                self.summary.setText(_("Exported {n} pupils to {path}.").format(n=count,
                                                                               path=path))


class ConsentDialog(QtWidgets.QDialog):
    def __init__(self, pupil: PupilView, parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Consent for {}").format(
            pupil.display_name))
        self.category = QtWidgets.QComboBox(objectName="category")
        for category in ALL_CATEGORIES:
            self.category.addItem(category.replace("_", " "), category)
        self.status = QtWidgets.QComboBox(objectName="status")
        self.status.addItem(_("Granted"), "granted")
        self.status.addItem(_("Refused"), "refused")
        self.decided_by = QtWidgets.QComboBox(objectName="decidedBy")
        self.decided_by.addItem(_("Parent or carer"), "parent")
        self.decided_by.addItem(_("The pupil"), "pupil")
        self.has_expiry = QtWidgets.QCheckBox(_("Expires on"))
        self.expires = QtWidgets.QDateEdit(QtCore.QDate.currentDate().addYears(1))
        self.expires.setCalendarPopup(True)
        self.expires.setEnabled(False)
        self.has_expiry.toggled.connect(self.expires.setEnabled)
        self.evidence = QtWidgets.QLineEdit(placeholderText=_("Form scan, e-mail reference…"))
        self.current = QtWidgets.QLabel()
        self.category.currentIndexChanged.connect(
            lambda: self.current.setText(_("Now: {}").format(
                pupil.consent[self.category.currentData()].message)))
        self.category.currentIndexChanged.emit(0)
        form = QtWidgets.QFormLayout(self)
        form.addRow(_("Category"), self.category)
        form.addRow("", self.current)
        form.addRow(_("Decision"), self.status)
        form.addRow(_("Decided by"), self.decided_by)
        expiry = QtWidgets.QHBoxLayout()
        expiry.addWidget(self.has_expiry)
        expiry.addWidget(self.expires)
        form.addRow(_("Expiry"), expiry)
        form.addRow(_("Evidence"), self.evidence)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Save
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self):
        expires = self.expires.date().toPython() if self.has_expiry.isChecked() else None
        return (self.category.currentData(), self.status.currentData(),
                self.decided_by.currentData(), expires, self.evidence.text().strip())

