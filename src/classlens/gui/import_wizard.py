"""Register import wizard: pick the MIS file, map its columns with a live
preview, see every problem with its row before anything is written, import."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from classlens.gui import messages
from classlens.gui.changes import Changes, announce
from classlens.gui.errors import attempt
from classlens.gui.i18n import _
from classlens.gui.qt import QtCore, QtWidgets
from classlens.gui.words import category_name, uk_date
from classlens.register.columns import FIELDS, REQUIRED, guess_mapping
from classlens.register.csv_table import preview
from classlens.register.headings import label

if TYPE_CHECKING:
    from classlens.services.register_files import ImportReport

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
        """Finish: the real, all-or-nothing import, with the grants the user ticked;
        then say what was done, in a message that stays."""
        report = attempt(self, lambda: self.services.register_files.import_register(
            self.actor, self.path, self.mapping(), self.check_page.mark_left.isChecked(),
            accept_grants=self.check_page.accepted_pupils()))
        if report is None:
            return  # the error is shown; the wizard stays open, nothing was written
        self.report = report
        if report.errors:
            self.check_page.initializePage()
            return
        announce(Changes(register=True, photos=True, posts=True), self)
        done = _("Imported the register from {file}: {c} new, {u} updated, {same} "
                 "unchanged, {left} marked as left.").format(
            file=self.path.name, c=report.created, u=report.updated,
            same=report.unchanged, left=report.left)
        if report.held:
            done += " " + _("{n} consent change(s) held back, not imported.").format(
                n=len(report.held))
        messages.info(done)
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

    def isComplete(self) -> bool:
        return Path(self.path.text()).is_file()

    def validatePage(self) -> bool:
        self._wizard.path = Path(self.path.text())
        return True


class MappingPage(QtWidgets.QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self._wizard = wizard
        self.setTitle(_("Match your columns"))
        self.setSubTitle(_("ClassLens has matched the columns it recognised. Check them, and "
                           "choose the column for anything it left empty. Bold ones are "
                           "needed."))
        self.combos: dict[str, QtWidgets.QComboBox] = {}
        form = QtWidgets.QFormLayout()
        for name in FIELDS:
            combo = QtWidgets.QComboBox(objectName=f"map_{name}")
            combo.setMinimumContentsLength(28)
            combo.setSizeAdjustPolicy(
                QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setAccessibleName(label(name))
            combo.currentIndexChanged.connect(self._update_preview)
            combo.currentIndexChanged.connect(self.completeChanged)
            text = QtWidgets.QLabel(f"<b>{label(name)}</b>" if name in REQUIRED
                                    else label(name))
            text.setBuddy(combo)
            form.addRow(text, combo)
            self.combos[name] = combo
        self.matched = QtWidgets.QLabel(objectName="matched", wordWrap=True)
        fields = QtWidgets.QWidget()
        fields.setLayout(form)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidget(fields)
        scroll.setWidgetResizable(True)
        self.preview = QtWidgets.QTableWidget(objectName="preview")
        outer = QtWidgets.QVBoxLayout(self)
        outer.addWidget(self.matched)
        split = QtWidgets.QHBoxLayout()
        split.addWidget(scroll, 3)
        split.addWidget(self.preview, 2)
        outer.addLayout(split)
        self.rows: list[list[str]] = []
        self.headings: list[str] = []

    def initializePage(self) -> None:
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
        missing = [label(n) for n in REQUIRED if n not in guessed]
        self.matched.setText(_("Recognised {n} of your {total} columns.").format(
            n=len(guessed), total=len([h for h in self.headings if h]))
            + (" " + _("Still to choose: {fields}.").format(fields=", ".join(missing))
               if missing else ""))
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
        self.preview.setHorizontalHeaderLabels([label(c) for c in columns])
        for r, row in enumerate(self.rows):
            for c, name in enumerate(columns):
                position = self.headings.index(mapping[name])
                value = row[position] if position < len(row) else ""
                self.preview.setItem(r, c, QtWidgets.QTableWidgetItem(value))
        self.preview.resizeColumnsToContents()

    def isComplete(self) -> bool:
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
        self.changes = QtWidgets.QTreeWidget(objectName="pupilChanges")
        self.changes.setHeaderLabels([_("Pupil"), _("What will change")])
        self.changes.setColumnWidth(0, 260)
        self.changes.setAccessibleName(_("Changes per pupil"))
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.mark_left)
        layout.addWidget(self.errors)
        layout.addWidget(self.changes, 1)
        layout.addWidget(self.held_label)
        layout.addWidget(self.held)
        self.report: ImportReport | None = None

    def initializePage(self) -> None:
        assert self._wizard.path is not None  # the file page is complete
        self.report = self._wizard.services.register_files.import_register(
            self._wizard.actor, self._wizard.path, self._wizard.mapping(),
            self.mark_left.isChecked(), dry_run=True)
        report = self.report
        problems = report.errors
        self.errors.setRowCount(len(problems))
        for r, p in enumerate(problems):
            field = self._field_of(p.column)
            column = label(field) if field else p.column
            for c, value in enumerate((str(p.row), column, p.value, p.message)):
                self.errors.setItem(r, c, QtWidgets.QTableWidgetItem(value))
        self.errors.setVisible(bool(problems))
        self._show_changes()
        self._show_held()
        if problems:
            self.summary.setText(_("{n} problem(s) found. Nothing will be imported until "
                                   "they are fixed in the file.").format(n=len(problems)))
        else:
            self.summary.setText(_("Ready: {c} new, {u} updated, {same} unchanged, {left} "
                                   "marked as left. Each change is listed below. Press "
                                   "Finish to import.").format(
                c=report.created, u=report.updated, same=report.unchanged, left=report.left)
                + (_(" {n} consent(s) held back: see below.").format(n=len(report.held))
                   if report.held else ""))
        self.completeChanged.emit()

    def _field_of(self, column: str) -> str | None:
        """Our field for a column name in a problem (the user's heading or ours)."""
        mapping = self._wizard.mapping()
        if column in FIELDS:
            return column
        return next((f for f, heading in mapping.items() if heading == column), None)

    def _show_changes(self) -> None:
        """Per pupil, what Finish will change, in words (new pupils and leavers too)."""
        self.changes.clear()
        report = self.report
        by_pupil: dict[str, list] = {}
        for change in report.changes:
            by_pupil.setdefault(change.pupil_id, []).append(change)
        known = {p.pupil_id: p for p in self._wizard.services.pupils.list_pupils()}
        for pupil_id, items in by_pupil.items():
            pupil = known.get(pupil_id)
            name = (f"{pupil.preferred_name or pupil.given_name} {pupil.family_name}"
                    f" ({pupil.class_name or ''})" if pupil else pupil_id)
            top = QtWidgets.QTreeWidgetItem([name, _("{n} change(s)").format(n=len(items))])
            for change in items:
                top.addChild(QtWidgets.QTreeWidgetItem(["", change_in_words(change)]))
            self.changes.addTopLevelItem(top)
            top.setExpanded(True)
        extra = []
        if report.created:
            self._show_new_pupils(known)
        if report.left:
            extra.append(_("{n} pupil(s) not in this file will be marked as left").format(
                n=report.left))
        for text in extra:
            self.changes.addTopLevelItem(QtWidgets.QTreeWidgetItem([text, ""]))
        self.changes.setVisible(bool(by_pupil or extra or report.created))

    def _show_new_pupils(self, known: dict) -> None:
        """The pupils Finish adds, by name and class, with the consent the file gives."""
        from classlens.register.csv_import import read_register

        assert self._wizard.path is not None  # the file page is complete
        parsed = read_register(self._wizard.path, self._wizard.mapping())
        rows: dict[str, list] = {}
        for row in parsed.rows:
            if row.pupil_id not in known:
                rows.setdefault(row.pupil_id, []).append(row)
        top = QtWidgets.QTreeWidgetItem([_("New pupils"), _("{n} to add").format(
            n=len(rows))])
        for pupil_rows in rows.values():
            first = pupil_rows[0]
            granted = sorted({category_name(c) for r in pupil_rows
                              for c, v in r.consents.items() if v == "granted"})
            name = f"{first.preferred_name or first.given_name} {first.family_name}"
            top.addChild(QtWidgets.QTreeWidgetItem([
                f"{name} ({first.class_name})",
                _("consent given for: {what}").format(what=", ".join(granted))
                if granted else _("no consent given in this file")]))
        self.changes.addTopLevelItem(top)
        top.setExpanded(len(rows) <= 30)

    def _show_held(self) -> None:
        """One tick per pupil, unticked: a held grant needs a deliberate yes."""
        self.held.clear()
        by_pupil: dict[str, list] = {}
        for h in self.report.held if self.report else []:
            by_pupil.setdefault(h.pupil_id, []).append(h)
        for pupil_id, items in by_pupil.items():
            pupil = self._wizard.services.pupils.pupil(pupil_id)
            name = pupil.display_name
            changes = "; ".join(f"{category_name(h.category)}: {_(h.old)} → {_(h.new)}"
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

    def isComplete(self) -> bool:
        return self.report is not None and not self.report.errors


_FIELD_WORDS = {"given_name": "first name", "family_name": "surname",
                "preferred_name": "known as", "class_name": "class", "year_group": "year group",
                "on_roll": "on roll", "never_publish": "never publish",
                "never_publish_reason": "why never published"}


def _value(text: str | None) -> str:
    """A register value in words: "granted until 2027-08-31" -> "granted until 31 Aug 2027"."""
    if text is None or text == "":
        return _("nothing")
    return re.sub(r"\d{4}-\d{2}-\d{2}", lambda m: uk_date(m[0]), text)


def change_in_words(change) -> str:
    """One import change (import_plan.Change) as a line a person reads."""
    match = re.fullmatch(r"consent_(\w+) \((parent|pupil)\)( evidence)?", change.field)
    if match:
        who = _("parent or carer") if match[2] == "parent" else _("the pupil")
        what = f"{category_name(match[1])} ({who})"
        if match[3]:
            what += " " + _("evidence")
    else:
        what = _(_FIELD_WORDS.get(change.field, change.field.replace("_", " "))).capitalize()
    return f"{what}: {_value(change.old)} → {_value(change.new)}"
