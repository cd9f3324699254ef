"""Register import wizard: pick the MIS file, map its columns with a live
preview, see every problem with its row before anything is written, import."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from classlens.gui.i18n import _
from classlens.gui.qt import QtCore, QtWidgets
from classlens.register.csv_import import FIELDS, REQUIRED, guess_mapping, preview

if TYPE_CHECKING:
    from classlens.services.register import ImportReport

PREVIEW_ROWS = 5


class ImportWizard(QtWidgets.QWizard):
    def __init__(self, services, actor: str, parent=None):
        super().__init__(parent)
        self.setObjectName("importWizard")
        self.setWindowTitle(_("Import the register"))
        self.services, self.actor = services, actor
        self.path: Path | None = None
        self.report = None
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.check_page = CheckPage(self)
        for page in (self.file_page, self.mapping_page, self.check_page):
            self.addPage(page)
        self.resize(900, 560)

    def mapping(self) -> dict[str, str]:
        return self.mapping_page.mapping()

    def accept(self) -> None:
        """Finish: the real, all-or-nothing import, with the grants the user ticked."""
        self.report = self.services.import_register(
            self.actor, self.path, self.mapping(), self.check_page.mark_left.isChecked(),
            accept_grants=self.check_page.accepted_pupils())
        super().accept()


class FilePage(QtWidgets.QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.setTitle(_("Choose the export from your MIS"))
        self.setSubTitle(_("A CSV file from SIMS, Arbor, Bromcom or a spreadsheet: UTF-8 or "
                           "Windows-1252, commas or semicolons."))
        self.path = QtWidgets.QLineEdit(objectName="path")
        browse = QtWidgets.QPushButton(_("Browse…"))
        browse.clicked.connect(self._browse)
        self.path.textChanged.connect(self.completeChanged)
        row = QtWidgets.QHBoxLayout(self)
        row.addWidget(self.path)
        row.addWidget(browse)
        self._wizard = wizard

    def _browse(self) -> None:
        path, _filter = QtWidgets.QFileDialog.getOpenFileName(
            self, _("Register file"), "", _("CSV files (*.csv *.txt);;All files (*)"))
        if path:
            self.path.setText(path)

    def isComplete(self) -> bool:  # noqa: N802
        return Path(self.path.text()).is_file()

    def validatePage(self) -> bool:  # noqa: N802
        self._wizard.path = Path(self.path.text())
        return True


class MappingPage(QtWidgets.QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self._wizard = wizard
        self.setTitle(_("Match your columns"))
        self.setSubTitle(_("For each ClassLens field, choose the column of your file that "
                           "holds it. Fields in bold are required."))
        self.combos: dict[str, QtWidgets.QComboBox] = {}
        form = QtWidgets.QFormLayout()
        for name in FIELDS:
            combo = QtWidgets.QComboBox(objectName=f"map_{name}")
            combo.currentIndexChanged.connect(self._update_preview)
            combo.currentIndexChanged.connect(self.completeChanged)
            label = QtWidgets.QLabel(f"<b>{name}</b>" if name in REQUIRED else name)
            form.addRow(label, combo)
            self.combos[name] = combo
        fields = QtWidgets.QWidget()
        fields.setLayout(form)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidget(fields)
        scroll.setWidgetResizable(True)
        self.preview = QtWidgets.QTableWidget(objectName="preview")
        split = QtWidgets.QHBoxLayout(self)
        split.addWidget(scroll, 1)
        split.addWidget(self.preview, 2)
        self.rows: list[list[str]] = []
        self.headings: list[str] = []

    def initializePage(self) -> None:  # noqa: N802
        assert self._wizard.path is not None  # the file page is complete
        self.headings, self.rows = preview(self._wizard.path, PREVIEW_ROWS)
        guessed = guess_mapping(self.headings)
        for name, combo in self.combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(_("(not in my file)"), None)
            for heading in self.headings:
                combo.addItem(heading, heading)
            combo.setCurrentIndex(max(0, combo.findData(guessed.get(name))))
            combo.blockSignals(False)
        self._update_preview()

    def mapping(self) -> dict[str, str]:
        return {name: combo.currentData() for name, combo in self.combos.items()
                if combo.currentData() is not None}

    def _update_preview(self) -> None:
        mapping = self.mapping()
        columns = [name for name in FIELDS if name in mapping]
        self.preview.clear()
        self.preview.setColumnCount(len(columns))
        self.preview.setRowCount(len(self.rows))
        self.preview.setHorizontalHeaderLabels(columns)
        for r, row in enumerate(self.rows):
            for c, name in enumerate(columns):
                position = self.headings.index(mapping[name])
                value = row[position] if position < len(row) else ""
                self.preview.setItem(r, c, QtWidgets.QTableWidgetItem(value))
        self.preview.resizeColumnsToContents()

    def isComplete(self) -> bool:  # noqa: N802
        return all(self.combos[name].currentData() is not None for name in REQUIRED)


class CheckPage(QtWidgets.QWizardPage):
    """A dry run: every problem with its row, before anything is written."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self._wizard = wizard
        self.setTitle(_("Check before importing"))
        self.summary = QtWidgets.QLabel(objectName="checkSummary", wordWrap=True)
        self.errors = QtWidgets.QTableWidget(objectName="errors")
        self.errors.setColumnCount(4)
        self.errors.setHorizontalHeaderLabels([_("Row"), _("Column"), _("Value"), _("Problem")])
        self.errors.horizontalHeader().setStretchLastSection(True)
        self.mark_left = QtWidgets.QCheckBox(_("Mark pupils who are not in this file as left"),
                                             objectName="markLeft")
        self.mark_left.toggled.connect(self.initializePage)
        self.held_label = QtWidgets.QLabel(wordWrap=True)
        self.held_label.setText(_(
            "This file would give consent that ClassLens does not hold now: a refusal, or a "
            "decision recorded here since the last import (a parent may have phoned). These "
            "are not imported unless you tick the pupil, having checked that the family "
            "really agreed."))
        self.held = QtWidgets.QListWidget(objectName="heldGrants")
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.mark_left)
        layout.addWidget(self.errors)
        layout.addWidget(self.held_label)
        layout.addWidget(self.held)
        self.report: ImportReport | None = None

    def initializePage(self) -> None:  # noqa: N802
        self.report = self._wizard.services.import_register(
            self._wizard.actor, self._wizard.path, self._wizard.mapping(),
            self.mark_left.isChecked(), dry_run=True)
        report = self.report
        problems = report.errors
        self.errors.setRowCount(len(problems))
        for r, p in enumerate(problems):
            for c, value in enumerate((str(p.row), p.column, p.value, p.message)):
                self.errors.setItem(r, c, QtWidgets.QTableWidgetItem(value))
        self.errors.setVisible(bool(problems))
        self._show_held()
        if problems:
            self.summary.setText(_("{n} problem(s) found. Nothing will be imported until "
                                   "they are fixed in the file.").format(n=len(problems)))
        else:
            self.summary.setText(_("Ready: {c} new, {u} updated, {same} unchanged, {left} "
                                   "marked as left. Press Finish to import.").format(
                c=report.created, u=report.updated, same=report.unchanged, left=report.left)
                + (_(" {n} consent(s) held back: see below.").format(n=len(report.held))
                   if report.held else ""))
        self.completeChanged.emit()

    def _show_held(self) -> None:
        """One tick per pupil, unticked: a held grant needs a deliberate yes."""
        self.held.clear()
        by_pupil: dict[str, list] = {}
        for h in self.report.held if self.report else []:
            by_pupil.setdefault(h.pupil_id, []).append(h)
        for pupil_id, items in by_pupil.items():
            pupil = self._wizard.services.pupil(pupil_id)
            name = pupil.display_name
            changes = "; ".join(f"{h.category.replace('_', ' ')}: {h.old} → {h.new}"
                                for h in items)
            item = QtWidgets.QListWidgetItem(f"{name} ({pupil.class_name or ''}): {changes}")
            item.setData(QtCore.Qt.ItemDataRole.UserRole, pupil_id)
            item.setFlags(item.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(QtCore.Qt.CheckState.Unchecked)
            self.held.addItem(item)
        self.held.setVisible(bool(by_pupil))
        self.held_label.setVisible(bool(by_pupil))

    def accepted_pupils(self) -> set[str]:
        return {self.held.item(i).data(QtCore.Qt.ItemDataRole.UserRole)
                for i in range(self.held.count())
                if self.held.item(i).checkState() == QtCore.Qt.CheckState.Checked}

    def isComplete(self) -> bool:  # noqa: N802
        return self.report is not None and not self.report.errors
