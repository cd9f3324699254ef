"""Parents' and carers' contacts (ICT and SLT): who they are and whether an e-mail
address is held, never the address; ICT imports them from the MIS."""

from __future__ import annotations

from pathlib import Path

from classlens.gui.errors import attempt
from classlens.gui.i18n import _
from classlens.gui.qt import QtWidgets

HEADINGS = ["Pupil", "Class", "Contact", "Relationship", "Parent or carer", "E-mail held"]


class ContactsDialog(QtWidgets.QDialog):
    def __init__(self, services, user, parent=None):
        super().__init__(parent)
        self.setObjectName("contactsDialog")
        self.setWindowTitle(_("Parents' contacts"))
        self.services, self.user = services, user
        self.table = QtWidgets.QTableWidget(0, len(HEADINGS), objectName="contacts")
        self.table.setHorizontalHeaderLabels([_(h) for h in HEADINGS])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.status = QtWidgets.QLabel(objectName="contactsStatus", wordWrap=True)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        if user.role == "ict":
            importing = QtWidgets.QPushButton(_("Import from the MIS…"),
                                              objectName="importContacts")
            importing.clicked.connect(lambda: self.import_file())
            layout.addWidget(importing)
        self.resize(820, 480)
        self.reload()

    def reload(self) -> None:
        rows = attempt(self, lambda: self.services.contacts.contacts(self.user.username)) or []
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            values = [row["pupil_id"], row["class"] or "", row["contact_name"],
                      row["relationship"], _("yes") if row["parent_or_carer"] else _("no"),
                      _("yes") if row["has_email"] else _("no")]
            for c, value in enumerate(values):
                self.table.setItem(r, c, QtWidgets.QTableWidgetItem(value))
        self.table.resizeColumnsToContents()

    def import_file(self, path: str | None = None, confirm=None):
        """Check the file first (nothing written), show every problem, then import.

        The file uses our headings (pupil_id, contact_name, relationship, email);
        an MIS export with other headings goes through `classlens contacts import --map`.
        """
        path = path or QtWidgets.QFileDialog.getOpenFileName(
            self, _("Contacts file"), "", _("CSV files (*.csv *.txt)"))[0]
        if not path:
            return None
        check = attempt(self, lambda: self.services.contacts.import_contacts(
            self.user.username, Path(path), dry_run=True))
        if check is None:
            return None
        if check.errors:
            self.status.setText(_("Nothing imported; fix these in the file:") + "\n" + "\n".join(
                str(e) for e in check.errors))
            return check
        question = _("{c} to add, {u} to update, {r} to remove. Import?").format(
            c=check.created, u=check.updated, r=check.removed)
        confirm = confirm or (lambda text: QtWidgets.QMessageBox.question(
            self, _("Import contacts"), text) == QtWidgets.QMessageBox.StandardButton.Yes)
        if not confirm(question):
            return check
        import_contacts = self.services.contacts.import_contacts
        report = attempt(self, lambda: import_contacts(self.user.username, Path(path)))
        if report is not None:
            self.status.setText(_("Imported: {c} added, {u} updated, {r} removed.").format(
                c=report.created, u=report.updated, r=report.removed))
        self.reload()
        return report
