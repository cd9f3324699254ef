"""One consent form recorded at once: a decision per category, who decided,
expiry and evidence."""

from __future__ import annotations

from classlens.gui.i18n import _
from classlens.gui.qt import QtCore, QtWidgets
from classlens.gui.words import category_name, consent_sentence, pupil_name
from classlens.register.consent import ALL_CATEGORIES, GRANTED, REFUSED
from classlens.services.pupils import PupilView


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
