"""The register (ICT leader, SLT): pupils, consent badges, editing, enrolment, import."""

from __future__ import annotations

from pathlib import Path

from classlens.gui import messages
from classlens.gui.changes import Changes, announce, hub
from classlens.gui.errors import attempt, show_exception
from classlens.gui.i18n import _
from classlens.gui.import_wizard import ImportWizard
from classlens.gui.qt import Qt, QtCore, QtGui, QtWidgets
from classlens.gui.words import (
    category_name,
    consent_sentence,
    may_be_shown,
    pupil_name,
    register_badge,
)
from classlens.gui.worker import run_in_background
from classlens.posts.names import fold
from classlens.register.consent import ALL_CATEGORIES, CATEGORIES, GRANTED, REFUSED
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
            self.filter_box.addItem(_("May not be shown: {}").format(category_name(category)),
                                    category)
        self.search = QtWidgets.QLineEdit(objectName="search",
                                          placeholderText=_("Search by name or id"))
        self.search.setClearButtonEnabled(True)
        self.import_button = QtWidgets.QPushButton(_("Import from MIS…"), objectName="import")
        self.export_button = QtWidgets.QPushButton(_("Export…"), objectName="export")
        self.edit_button = QtWidgets.QPushButton(_("Record a consent form…"), objectName="edit")
        self.enrol_button = QtWidgets.QPushButton(_("Enrol photos…"), objectName="enrol")
        for button in (self.import_button, self.export_button, self.enrol_button):
            button.setEnabled(self.can_manage)

        self.table = QtWidgets.QTableView(objectName="pupils")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        # By class, and within a class in the register's own order (family name).
        self.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setMinimumSectionSize(70)
        self.table.setAccessibleName(_("Pupils and their consent"))
        self.search.setAccessibleName(_("Search pupils"))
        self.class_box.setAccessibleName(_("Class"))
        self.filter_box.setAccessibleName(_("Show"))
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
        hub(self.services).operation_did_execute.connect(self.on_changes)
        self._sized = False
        self.reload()

    def on_changes(self, changes: Changes, _origin) -> None:
        if changes.register or changes.school:
            self.reload()

    # -- data ----------------------------------------------------------------

    def reload(self) -> None:
        selected = self.selected_pupil()  # kept across the reload
        pupils = self.services.pupils.list_pupils(viewer=self.user.username)
        self.model.set_pupils(pupils)
        expiring = self.services.pupils.expiring_consents(30)
        self.proxy.needs_renewal = {e["pupil_id"] for e in expiring}
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
        # Sized once to the first pupils; later reloads keep the user's widths.
        if pupils and not self._sized:
            self.table.resizeColumnsToContents()
            self._sized = True
        if selected is not None:
            self.select_pupil(selected.pupil_id)

    def _filter_changed(self) -> None:
        self.proxy.class_name = self.class_box.currentData()
        choice = self.filter_box.currentData()
        self.proxy.renewal_only = choice == "renewal"
        self.proxy.missing_category = choice if choice in CATEGORIES else None
        self.proxy.search = self.search.text()
        self.proxy.refresh()
        self.summary.setText(_("{shown} of {total} pupils").format(
            shown=self.proxy.rowCount(), total=self.model.rowCount()))

    def select_pupil(self, pupil_id: str) -> None:
        for row in range(self.proxy.rowCount()):
            source = self.proxy.mapToSource(self.proxy.index(row, 0))
            if self.model.pupils[source.row()].pupil_id == pupil_id:
                self.table.selectRow(row)
                return

    def selected_pupil(self) -> PupilView | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.pupils[self.proxy.mapToSource(rows[0]).row()]

    # -- actions -------------------------------------------------------------

    def edit_consent(self) -> ConsentFormDialog | None:
        """One parental (or pupil's) form: every category recorded at once."""
        pupil = self.selected_pupil()
        if pupil is None:
            messages.warning(_("Choose a pupil first, then record their consent form."))
            return None
        dialog = ConsentFormDialog(pupil, self)
        dialog.accepted.connect(lambda: self.record_form(pupil.pupil_id, *dialog.values()))
        dialog.open()
        return dialog

    def record_form(self, pupil_id, decisions: dict[str, str], decided_by, expires,
                    evidence) -> list[str]:
        """Record the form's decisions; refusals first, so a form cut short never
        leaves a grant recorded without the refusals written beside it."""
        done: list[str] = []
        order = sorted(decisions, key=lambda c: decisions[c] != REFUSED)
        for category in order:
            try:
                self.services.pupils.set_consent(self.user.username, pupil_id, category,
                                                 decisions[category], decided_by, expires,
                                                 evidence or None)
            except Exception as error:  # noqa: BLE001 - say what was and was not saved
                saved = ", ".join(category_name(c) for c in done) or _("nothing")
                show_exception(self, type(error)(_(
                    "{problem}. Saved before this: {saved}. Not saved: {rest}.").format(
                        problem=str(error), saved=saved,
                        rest=", ".join(category_name(c) for c in order[len(done):]))))
                break
            done.append(category)
        if done:
            announce(Changes(register=True, photos=True, posts=True), self)
            pupil = self.services.pupils.pupil(pupil_id)
            messages.info(_("Recorded {pupil}'s form: {what}.").format(
                pupil=pupil_name(pupil), what="; ".join(
                    f"{category_name(c)} {_(decisions[c])}" for c in done)))
        return done

    def record_consent(self, pupil_id, category, status, decided_by, expires, evidence) -> None:
        self.record_form(pupil_id, {category: status}, decided_by, expires, evidence)

    def choose_enrolment_photos(self) -> None:
        pupil = self.selected_pupil()
        if pupil is None:
            messages.warning(_("Choose a pupil first, then their reference photos."))
            return
        files, _filter = QtWidgets.QFileDialog.getOpenFileNames(
            self, _("Reference photos of {}").format(pupil.given_name), "",
            _("Photos (*.jpg *.jpeg *.png *.webp *.heic)"))
        if files:
            self.enrol(pupil.pupil_id, files)

    def enrol(self, pupil_id: str, files: list[str]):
        name = pupil_name(self.services.pupils.pupil(pupil_id))

        def done(report) -> None:
            lines = [_("{pupil}: enrolled {n} reference photo(s).").format(
                pupil=name, n=report.enrolled)]
            lines += [f"{Path(e['file']).name}: {e['message']}" for e in report.errors]
            lines += [f"{Path(n['file']).name}: {n['message']}" for n in report.notes]
            (messages.warning if report.errors or not report.enrolled else messages.info)(
                " ".join(lines))

        return run_in_background(self, lambda state: self.services.enrolment.enrol(
            self.user.username, pupil_id, files), done, _("Enrolling reference photos"),
            cancellable=False, changes=Changes(register=True, photos=True))

    def eventFilter(self, watched, event) -> bool:
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
        wizard.open()
        return wizard

    def export_register(self) -> None:
        path, _filter = QtWidgets.QFileDialog.getSaveFileName(
            self, _("Export the register"), "register.csv", _("CSV files (*.csv)"))
        if path:
            count = attempt(self,
                            lambda: self.services.register_files.export_register(self.user.username,
                                                                                       Path(path)))
            if count is not None:
                messages.info(_("Exported {n} pupils to {path}.").format(n=count, path=path))


class ConsentFormDialog(QtWidgets.QDialog):
    """One consent form: a decision per category (or "not on this form"), who
    decided, expiry and evidence, all saved together."""

    def __init__(self, pupil: PupilView, parent=None):
        super().__init__(parent)
        self.setObjectName("consentForm")
        self.setWindowTitle(_("Consent form for {}").format(pupil_name(pupil)))
        self.decisions: dict[str, QtWidgets.QComboBox] = {}
        grid = QtWidgets.QGridLayout()
        grid.addWidget(QtWidgets.QLabel(_("<b>Category</b>")), 0, 0)
        grid.addWidget(QtWidgets.QLabel(_("<b>Now</b>")), 0, 1)
        grid.addWidget(QtWidgets.QLabel(_("<b>On this form</b>")), 0, 2)
        for row, category in enumerate(ALL_CATEGORIES, start=1):
            box = QtWidgets.QComboBox(objectName=f"decision_{category}")
            box.addItem(_("Not on this form"), None)
            box.addItem(_("Yes, granted"), GRANTED)
            box.addItem(_("No, refused"), REFUSED)
            box.setAccessibleName(category_name(category))
            self.decisions[category] = box
            label = QtWidgets.QLabel(category_name(category))
            label.setBuddy(box)
            grid.addWidget(label, row, 0)
            grid.addWidget(QtWidgets.QLabel(consent_sentence(pupil.consent[category])), row, 1)
            grid.addWidget(box, row, 2)
        self.all_yes = QtWidgets.QPushButton(_("All yes"), objectName="allYes")
        self.all_no = QtWidgets.QPushButton(_("All no"), objectName="allNo")
        self.all_yes.clicked.connect(lambda: self.set_all(GRANTED))
        self.all_no.clicked.connect(lambda: self.set_all(REFUSED))
        quick = QtWidgets.QHBoxLayout()
        quick.addStretch()
        quick.addWidget(self.all_yes)
        quick.addWidget(self.all_no)
        self.decided_by = QtWidgets.QComboBox(objectName="decidedBy")
        self.decided_by.addItem(_("Parent or carer"), "parent")
        self.decided_by.addItem(_("The pupil"), "pupil")
        self.has_expiry = QtWidgets.QCheckBox(_("Expires on"), objectName="hasExpiry")
        self.expires = QtWidgets.QDateEdit(QtCore.QDate.currentDate().addYears(1))
        self.expires.setDisplayFormat("d MMM yyyy")
        self.expires.setCalendarPopup(True)
        self.expires.setEnabled(False)
        self.has_expiry.toggled.connect(self.expires.setEnabled)
        self.evidence = QtWidgets.QLineEdit(objectName="evidence",
                                            placeholderText=_("Form scan, e-mail reference…"))
        self.message = QtWidgets.QLabel(objectName="message", wordWrap=True)
        self.message.setStyleSheet("color: #b91c1c")
        form = QtWidgets.QFormLayout()
        form.addRow(_("Decided by"), self.decided_by)
        expiry = QtWidgets.QHBoxLayout()
        expiry.addWidget(self.has_expiry)
        expiry.addWidget(self.expires)
        form.addRow(_("Expiry"), expiry)
        form.addRow(_("Evidence"), self.evidence)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Save
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(quick)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def set_all(self, status: str) -> None:
        for box in self.decisions.values():
            box.setCurrentIndex(box.findData(status))

    def set_decision(self, category: str, status: str | None) -> None:
        box = self.decisions[category]
        box.setCurrentIndex(box.findData(status))

    def _save(self) -> None:
        if not any(box.currentData() for box in self.decisions.values()):
            self.message.setText(_("Nothing to save: choose yes or no for at least one "
                                   "category."))
            return
        self.accept()

    def values(self):
        expires = self.expires.date().toPython() if self.has_expiry.isChecked() else None
        decisions = {c: box.currentData() for c, box in self.decisions.items()
                     if box.currentData()}
        return (decisions, self.decided_by.currentData(), expires, self.evidence.text().strip())
