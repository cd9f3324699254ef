"""Face-by-face review of one photo: the photo with its faces (shown, blurred,
to review), what is known of the chosen face, and the reviewer's actions
(name the pupil, always blur, not a face, undo, "not this pupil"), each with
a reason for the audit log. Every action is checked again by the core."""

from __future__ import annotations

from classlens.errors import NotAllowed
from classlens.faces.box import Box
from classlens.gui import messages
from classlens.gui.changes import Changes
from classlens.gui.errors import attempt
from classlens.gui.face_canvas import BLURRED, REVIEW, SHOWN, FaceCanvas
from classlens.gui.i18n import _
from classlens.gui.photo_gallery import _blank
from classlens.gui.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from classlens.gui.words import describe_face, pupil_name
from classlens.gui.worker import run_in_background


class FaceReviewPanel(QtWidgets.QWidget):
    # A review changed this photo's faces (its thumbnail badge is out of date).
    photo_changed = Signal(int)

    def __init__(self, services, user, parent=None):
        super().__init__(parent)
        self.services, self.user = services, user
        self.photo = None  # the photo shown (a view from services.photos.photos), if any
        self.channel = ""  # whose decisions are shown
        self.pupils: dict = {}
        self.names: dict[str, str] = {}
        self.canvas = FaceCanvas()
        self.after = QtWidgets.QCheckBox(_("Show as exported"), objectName="beforeAfter")
        self.face_info = QtWidgets.QLabel(objectName="faceInfo", wordWrap=True)
        self.face_info.setAccessibleName(_("About the chosen face"))
        self.canvas.setAccessibleName(_("Photo with its faces; Tab moves between faces"))
        self.pupil_box = QtWidgets.QComboBox(objectName="pupilChoice")
        # Type part of a name to find the pupil; nobody is chosen until you do.
        self.pupil_box.setEditable(True)
        self.pupil_box.setInsertPolicy(QtWidgets.QComboBox.InsertPolicy.NoInsert)
        self.pupil_box.lineEdit().setPlaceholderText(_("Type a pupil's name…"))
        self.pupil_box.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.pupil_box.completer().setCompletionMode(
            QtWidgets.QCompleter.CompletionMode.PopupCompletion)
        self.pupil_box.setMinimumContentsLength(24)
        self.pupil_box.setAccessibleName(_("Pupil in this face"))
        self.name_button = QtWidgets.QPushButton(_("This is…"), objectName="namePupil")
        self.blur_button = QtWidgets.QPushButton(_("Always blur"), objectName="blurFace")
        self.not_face_button = QtWidgets.QPushButton(_("Not a face"), objectName="notAFace")
        self.reset_button = QtWidgets.QPushButton(_("Undo review"), objectName="resetFace")
        self.correct_button = QtWidgets.QPushButton(_("Not this pupil…"),
                                                    objectName="correctFace")
        self.correct_button.setToolTip(_("Recognition named the wrong pupil: a member of "
                                         "senior leadership confirms with their password"))
        legend = QtWidgets.QLabel(
            f"<span style='color:{SHOWN}'>■</span> {_('shown')} &nbsp; "
            f"<span style='color:{BLURRED}'>■</span> {_('blurred')} &nbsp; "
            f"<span style='color:{REVIEW}'>■</span> {_('unknown, blurred: please review')} "
            f"&nbsp; {_('Drag on the photo to blur a missed face. ← → photos, Tab faces.')}")
        legend.setWordWrap(True)

        actions = QtWidgets.QHBoxLayout()
        for widget in (self.pupil_box, self.name_button, self.blur_button, self.not_face_button,
                       self.reset_button, self.correct_button):
            actions.addWidget(widget)
        review = QtWidgets.QVBoxLayout(self)
        review.addWidget(self.canvas, 1)
        review.addWidget(self.after)
        review.addWidget(legend)
        review.addWidget(self.face_info)
        review.addLayout(actions)

        self.canvas.face_clicked.connect(lambda _id: self._describe_face())
        self.canvas.region_drawn.connect(self.add_region)
        self.after.toggled.connect(lambda _on: self.refresh())
        self.name_button.clicked.connect(lambda: self.review("pupil"))
        self.blur_button.clicked.connect(lambda: self.review("blur"))
        self.not_face_button.clicked.connect(lambda: self.review("not-a-face"))
        self.reset_button.clicked.connect(lambda: self.review("reset"))
        self.correct_button.clicked.connect(lambda: self.correct())
        QtGui.QShortcut(Qt.Key.Key_Tab, self.canvas, activated=lambda: self.canvas.select_next(1))
        QtGui.QShortcut(QtGui.QKeySequence("Shift+Tab"), self.canvas,
                        activated=lambda: self.canvas.select_next(-1))

    @property
    def photo_id(self) -> int | None:
        return None if self.photo is None else self.photo.id

    def set_pupils(self, pupils) -> None:
        """The pupils a face may be named as (those on roll) and every pupil's name."""
        self.pupils = {p.pupil_id: p for p in pupils}
        self.names = {p.pupil_id: pupil_name(p) for p in pupils}
        self.pupil_box.clear()
        for pupil in pupils:
            if pupil.on_roll:
                self.pupil_box.addItem(pupil_name(pupil), pupil.pupil_id)
        self.pupil_box.setCurrentIndex(-1)

    def chosen_pupil(self) -> str | None:
        """The pupil typed or picked in the box, or None if the text matches nobody."""
        index = self.pupil_box.findText(self.pupil_box.currentText())
        return self.pupil_box.itemData(index) if index >= 0 else None

    def show_photo(self, photo, channel: str) -> None:
        """Show `photo` (None: nothing to show) with the decisions for `channel`."""
        self.photo, self.channel = photo, channel
        if photo is None:
            self.canvas.set_photo(None, (1, 1), [], self.channel)
            self.face_info.setText(_("Import photos to review their faces."))
            return
        photo_id = photo.id
        faces = self.services.photos.faces(photo_id)
        if self.after.isChecked():
            try:
                rendering = self.services.photos.render_photo(photo_id, self.channel)
            except Exception as error:  # noqa: BLE001 - a never-publish photo cannot render
                self.face_info.setText(str(error))
                self.after.setChecked(False)
                return
            pixmap = QtGui.QPixmap()
            pixmap.loadFromData(rendering.data)
        else:
            pixmap = self._large_preview(photo_id, photo.sha256)
        self.canvas.show_boxes = not self.after.isChecked()
        self.canvas.set_photo(pixmap, (photo.width, photo.height), faces, self.channel)
        self._describe_face()

    def refresh(self) -> None:
        self.show_photo(self.photo, self.channel)

    def _large_preview(self, photo_id: int, sha256: str) -> QtGui.QPixmap:
        """The 1600-pixel view if it is ready; otherwise the small thumbnail now and
        the large one made in the background (decoding 12 MP takes a while)."""
        large = self.services.library.thumbnail_path(sha256, 1600)
        if large.exists():
            return QtGui.QPixmap(str(large))

        def shown(_path) -> None:
            if self.photo_id == photo_id and not self.after.isChecked():
                self.refresh()

        run_in_background(self, lambda state: self.services.photos.thumbnail(photo_id, 1600), shown,
                          _("Opening the photo"), cancellable=False)
        small = self.services.library.thumbnail_path(sha256, 256)
        return QtGui.QPixmap(str(small)) if small.exists() else _blank(256)

    def _describe_face(self) -> None:
        face = next((f for f in self.canvas.faces if f.id == self.canvas.selected), None)
        for button in (self.name_button, self.blur_button, self.not_face_button,
                       self.reset_button):
            button.setEnabled(face is not None)
        self.correct_button.setEnabled(face is not None and face.identified_by == "recognition")
        if face is None:
            self.face_info.setText(_("No faces found. Drag on the photo to blur anything "
                                     "that was missed."))
            return
        verdicts = {}
        if face.pupil_id in self.pupils:
            verdicts[face.pupil_id] = self.services.pupils.may_show(face.pupil_id, self.channel)
        number = [f.id for f in self.canvas.faces].index(face.id) + 1
        text = "<b>" + _("Face {n} of {total}").format(n=number, total=len(self.canvas.faces)) \
            + "</b>: " + describe_face(face, self.channel, self.names, verdicts)
        if face.reviewed_by and face.review_reason:
            text += "<br>" + _("Reviewed by {who}: “{why}”").format(who=face.reviewed_by,
                                                                    why=face.review_reason)
        self.face_info.setText(text)

    def _ask_reason(self, title: str, prompt: str, near: QtCore.QRect | None = None):
        """A reason for the audit log; the box will not close empty, and stays clear
        of the area just drawn."""
        dialog = QtWidgets.QInputDialog(self)
        dialog.setObjectName("reasonDialog")
        dialog.setWindowTitle(title)
        dialog.setLabelText(prompt)
        dialog.setOkButtonText(_("Save"))
        button = dialog.findChild(QtWidgets.QDialogButtonBox)
        line = dialog.findChild(QtWidgets.QLineEdit)
        if button is not None and line is not None:
            ok = button.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
            ok.setEnabled(False)
            line.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))
        if near is not None:
            # Below the drawn area if there is room, else above it.
            dialog.adjustSize()
            screen = self.screen().availableGeometry()
            top_left = self.canvas.mapToGlobal(near.bottomLeft()) + QtCore.QPoint(0, 12)
            if top_left.y() + dialog.height() > screen.bottom():
                top_left = self.canvas.mapToGlobal(near.topLeft()) - QtCore.QPoint(
                    0, dialog.height() + 40)
            dialog.move(top_left)
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return None, False
        return dialog.textValue().strip(), bool(dialog.textValue().strip())

    def review(self, action: str, reason: str | None = None) -> None:
        photo_id, face_id = self.photo_id, self.canvas.selected
        if photo_id is None or face_id is None:
            return
        pupil = self.chosen_pupil() if action == "pupil" else None
        if action == "pupil" and pupil is None:
            messages.warning(_("Type the pupil's name in the box first, then press "
                               "“This is…”."))
            self.pupil_box.setFocus()
            return
        if reason is None:
            reason, ok = self._ask_reason(_("Why?"), _("Your reason is kept in the audit log:"))
            if not ok:
                return
        review = self.services.face_review.review_face
        attempt(self, lambda: review(self.user.username, photo_id, face_id, action, reason, pupil),
                Changes(photos=True))
        self.photo_changed.emit(photo_id)

    def correct(self, reason: str | None = None, confirmer: str | None = None,
                password: str | None = None) -> None:
        """Recognition named the wrong pupil: another person, senior, confirms it
        here with their password (the core checks their role and audits both)."""
        photo_id, face_id = self.photo_id, self.canvas.selected
        if photo_id is None or face_id is None:
            return
        if reason is None:
            reason, ok = self._ask_reason(_("Why?"), _("Your reason is kept in the audit log:"))
            if not ok:
                return
        if confirmer is None:
            senior = [u.username for u in self.services.users.users()
                      if u.role == "slt" and u.username != self.user.username]
            confirmer, ok = QtWidgets.QInputDialog.getItem(
                self, _("Who confirms?"), _("A member of senior leadership confirms that "
                                            "recognition named the wrong pupil:"),
                senior, 0, False)
            if not ok:
                return
        if password is None:
            password, ok = QtWidgets.QInputDialog.getText(
                self, _("Password"), _("{who}'s password:").format(who=confirmer),
                QtWidgets.QLineEdit.EchoMode.Password)
            if not ok:
                return

        def confirmed_correction():
            if not self.services.signin.needs_password(confirmer):
                raise NotAllowed(_("{who} has no password yet, so cannot confirm anything; "
                                   "they sign in once to set one").format(who=confirmer))
            self.services.signin.sign_in(confirmer, password)
            self.services.face_review.review_face(self.user.username, photo_id, face_id, "correct",
                                                  reason, confirmed_by=confirmer)

        attempt(self, confirmed_correction, Changes(photos=True))
        self.photo_changed.emit(photo_id)

    def add_region(self, box: Box, reason: str | None = None) -> None:
        photo_id = self.photo_id
        if photo_id is None:
            return
        if reason is None:
            reason, ok = self._ask_reason(_("Blur this area"), _("What did the detector miss?"),
                                          near=self.canvas.widget_rect(box))
            if not ok:
                return
        add_blur = self.services.face_review.add_blur
        attempt(self, lambda: add_blur(self.user.username, photo_id, box, reason),
                Changes(photos=True))
        self.photo_changed.emit(photo_id)
