"""The register (ICT leader, SLT): pupils, consent badges, editing, enrolment, import.

The table and its filters are in `pupil_table`, the consent form in `consent_form`."""

from __future__ import annotations

from pathlib import Path

from classlens.gui import messages
from classlens.gui.changes import Changes, announce, hub
from classlens.gui.consent_form import ConsentFormDialog
from classlens.gui.errors import attempt, show_exception
from classlens.gui.i18n import _
from classlens.gui.import_wizard import ImportWizard
from classlens.gui.pupil_table import PupilFilter, PupilTableModel
from classlens.gui.qt import Qt, QtCore, QtWidgets
from classlens.gui.words import category_name, pupil_name
from classlens.gui.worker import run_in_background
from classlens.register.consent import CATEGORIES, REFUSED
from classlens.services.pupils import PupilView


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
            export = self.services.register_files.export_register
            count = attempt(self, lambda: export(self.user.username, Path(path)))
            if count is not None:
                messages.info(_("Exported {n} pupils to {path}.").format(n=count, path=path))
