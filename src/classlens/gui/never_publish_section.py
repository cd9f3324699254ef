"""Never publish (ICT leader): pupils blurred everywhere and never exported,
whatever their consent forms say, with the reason only ICT and SLT see."""

from __future__ import annotations

from classlens.gui import messages
from classlens.gui.changes import Changes
from classlens.gui.errors import attempt
from classlens.gui.i18n import _
from classlens.gui.qt import Qt, QtWidgets
from classlens.gui.tables import fill, read_only, selected_key
from classlens.gui.words import pupil_name


class NeverPublishSection(QtWidgets.QWidget):
    def __init__(self, services, user, parent=None):
        super().__init__(parent)
        self.services, self.user = services, user
        self.never = read_only([_("Pupil"), _("Reason (seen by ICT and senior "
                                              "leadership only)")], "neverPublish")
        self.never_pupil = QtWidgets.QComboBox(objectName="neverPupil")
        self.never_pupil.setEditable(True)  # type a name to find the pupil
        self.never_pupil.setInsertPolicy(QtWidgets.QComboBox.InsertPolicy.NoInsert)
        self.never_pupil.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.never_pupil.completer().setCompletionMode(
            QtWidgets.QCompleter.CompletionMode.PopupCompletion)
        self.never_pupil.setAccessibleName(_("Pupil to flag"))
        self.never_reason = QtWidgets.QLineEdit(objectName="neverReason",
                                                placeholderText=_("Why (for example: a court "
                                                                  "order)"))
        self.never_reason.setAccessibleName(_("Reason"))
        flag = QtWidgets.QPushButton(_("Never publish this pupil"), objectName="flagNever")
        unflag = QtWidgets.QPushButton(_("Remove the flag…"), objectName="unflagNever")
        flag.clicked.connect(lambda: self.flag_never())
        unflag.clicked.connect(lambda: self.unflag_never())
        form = QtWidgets.QHBoxLayout()
        form.addWidget(self.never_pupil, 2)
        form.addWidget(self.never_reason, 3)
        form.addWidget(flag)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(QtWidgets.QLabel(_(
            "A pupil marked never to be published is blurred in every photo, and a photo "
            "that shows them cannot be exported at all, whatever the consent forms say."),
            wordWrap=True))
        layout.addWidget(self.never)
        layout.addWidget(unflag, alignment=Qt.AlignmentFlag.AlignRight)
        layout.addLayout(form)

    def reload(self) -> None:
        pupils = self.services.pupils.list_pupils(viewer=self.user.username)
        flagged = [p for p in pupils if p.never_publish]
        fill(self.never, [[pupil_name(p), p.never_publish_reason or ""] for p in flagged],
             [p.pupil_id for p in flagged])
        current = self.never_pupil.currentData()
        self.never_pupil.clear()
        for p in pupils:
            if p.on_roll and not p.never_publish:
                self.never_pupil.addItem(pupil_name(p), p.pupil_id)
        self.never_pupil.setCurrentIndex(self.never_pupil.findData(current))
        self.never_pupil.setEditText("" if current is None else self.never_pupil.currentText())

    def flag_never(self, pupil_id: str | None = None, reason: str | None = None) -> bool:
        index = self.never_pupil.findText(self.never_pupil.currentText())
        pupil_id = pupil_id or (self.never_pupil.itemData(index) if index >= 0 else None)
        reason = self.never_reason.text() if reason is None else reason
        if pupil_id is None:
            messages.warning(_("Choose the pupil first: type part of their name."))
            return False
        if not reason.strip():
            messages.warning(_("Give the reason: only ICT and senior leadership see it."))
            return False
        if attempt(self, lambda: self.services.pupils.set_never_publish(
                self.user.username, pupil_id, True, reason.strip()) or True,
                Changes(register=True, photos=True, posts=True)) is None:
            return False
        self.never_reason.clear()
        messages.info(_("{pupil} will never be published.").format(
            pupil=pupil_name(self.services.pupils.pupil(pupil_id))))
        return True

    def unflag_never(self, pupil_id: str | None = None, confirm: bool = True) -> bool:
        pupil_id = pupil_id or selected_key(self.never)
        if pupil_id is None:
            return False
        name = pupil_name(self.services.pupils.pupil(pupil_id))
        if confirm and QtWidgets.QMessageBox.question(
                self, _("Remove the flag?"),
                _("{pupil} could then be shown wherever their consent allows. Remove the "
                  "never-publish flag?").format(pupil=name)) != \
                QtWidgets.QMessageBox.StandardButton.Yes:
            return False
        if attempt(self, lambda: self.services.pupils.set_never_publish(
                self.user.username, pupil_id, False) or True,
                Changes(register=True, photos=True, posts=True)) is None:
            return False
        messages.info(_("{pupil} is no longer flagged never to be published.").format(
            pupil=name))
        return True
