"""Photos (teachers): import with progress, a lazy gallery, and face-by-face review."""

from __future__ import annotations

from pathlib import Path

from classlens.errors import NotAllowed
from classlens.faces.box import Box
from classlens.gui import messages
from classlens.gui.changes import Changes, hub
from classlens.gui.errors import attempt
from classlens.gui.face_canvas import BLURRED, REVIEW, SHOWN, FaceCanvas
from classlens.gui.i18n import _
from classlens.gui.photo_gallery import PhotoListModel, _blank
from classlens.gui.qt import Qt, QtCore, QtGui, QtWidgets
from classlens.gui.settings import REVIEW_CHANNEL, Settings
from classlens.gui.words import channel_name, describe_face, pupil_name
from classlens.gui.worker import run_in_background

__all__ = ["BLURRED", "REVIEW", "SHOWN", "PhotosView"]


class PhotosView(QtWidgets.QWidget):
    """Import, gallery and review in one screen."""

    def __init__(self, services, user, parent=None):
        super().__init__(parent)
        self.services, self.user = services, user
        self.setAcceptDrops(True)
        self.model = PhotoListModel(services, self)
        self.operation = None

        self.class_box = QtWidgets.QComboBox(objectName="photoClass")
        self.channel_box = QtWidgets.QComboBox(objectName="reviewChannel")
        for channel in services.settings.channels():
            self.channel_box.addItem(channel_name(channel), channel.name)
        self.settings = Settings()
        self.channel_box.setCurrentIndex(max(0, self.channel_box.findData(
            self.settings.get(REVIEW_CHANNEL))))
        self.class_box.setAccessibleName(_("Class"))
        self.channel_box.setAccessibleName(_("Show decisions for channel"))
        self.import_button = QtWidgets.QPushButton(_("Import photos…"), objectName="importPhotos")
        self.gallery = QtWidgets.QListView(objectName="gallery")
        self.gallery.setModel(self.model)
        self.gallery.setViewMode(QtWidgets.QListView.ViewMode.IconMode)
        self.gallery.setIconSize(QtCore.QSize(150, 150))
        self.gallery.setGridSize(QtCore.QSize(210, 215))
        self.gallery.setResizeMode(QtWidgets.QListView.ResizeMode.Adjust)
        self.gallery.setUniformItemSizes(True)
        self.gallery.setWordWrap(True)
        self.gallery.setMinimumWidth(240)
        self.gallery.setAccessibleName(_("Photos"))

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

        top = QtWidgets.QHBoxLayout()
        top.addWidget(QtWidgets.QLabel(_("Class")))
        top.addWidget(self.class_box)
        top.addWidget(QtWidgets.QLabel(_("Decisions for")))
        top.addWidget(self.channel_box)
        top.addStretch()
        top.addWidget(self.import_button)
        actions = QtWidgets.QHBoxLayout()
        for widget in (self.pupil_box, self.name_button, self.blur_button, self.not_face_button,
                       self.reset_button, self.correct_button):
            actions.addWidget(widget)
        review = QtWidgets.QVBoxLayout()
        review.addWidget(self.canvas, 1)
        review.addWidget(self.after)
        review.addWidget(legend)
        review.addWidget(self.face_info)
        review.addLayout(actions)
        split = QtWidgets.QSplitter()
        split.addWidget(self.gallery)
        right = QtWidgets.QWidget()
        right.setLayout(review)
        split.addWidget(right)
        split.setSizes([300, 700])
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split)

        self._load_pupils()

        self.class_box.currentIndexChanged.connect(self.reload)
        self.channel_box.currentIndexChanged.connect(self._channel_changed)
        self.import_button.clicked.connect(self.choose_import)
        self.gallery.selectionModel().currentChanged.connect(lambda *_a: self.show_current())
        self.canvas.face_clicked.connect(lambda _id: self._describe_face())
        self.canvas.region_drawn.connect(self.add_region)
        self.after.toggled.connect(lambda _on: self.show_current())
        self.name_button.clicked.connect(lambda: self.review("pupil"))
        self.blur_button.clicked.connect(lambda: self.review("blur"))
        self.not_face_button.clicked.connect(lambda: self.review("not-a-face"))
        self.reset_button.clicked.connect(lambda: self.review("reset"))
        self.correct_button.clicked.connect(lambda: self.correct())
        for key, step in ((Qt.Key.Key_Right, 1), (Qt.Key.Key_Left, -1),
                          (Qt.Key.Key_PageDown, 1), (Qt.Key.Key_PageUp, -1)):
            QtGui.QShortcut(key, self, activated=lambda s=step: self.step_photo(s))
        QtGui.QShortcut(Qt.Key.Key_Tab, self.canvas, activated=lambda: self.canvas.select_next(1))
        QtGui.QShortcut(QtGui.QKeySequence("Shift+Tab"), self.canvas,
                        activated=lambda: self.canvas.select_next(-1))
        hub(self.services).operation_did_execute.connect(self.on_changes)
        self.reload()

    def _load_pupils(self) -> None:
        pupils = self.services.pupils.list_pupils()
        self.pupils = {p.pupil_id: p for p in pupils}
        self.names = {p.pupil_id: pupil_name(p) for p in pupils}
        self.pupil_box.clear()
        for pupil in pupils:
            if pupil.on_roll:
                self.pupil_box.addItem(pupil_name(pupil), pupil.pupil_id)
        self.pupil_box.setCurrentIndex(-1)
        current = self.class_box.currentData()
        self.class_box.blockSignals(True)
        self.class_box.clear()
        for name in sorted({p.class_name for p in pupils if p.class_name}):
            self.class_box.addItem(name, name)
        self.class_box.setCurrentIndex(max(0, self.class_box.findData(current)))
        self.class_box.blockSignals(False)

    def on_changes(self, changes: Changes, origin) -> None:
        """Photos imported elsewhere and register changes (consent, names) show here."""
        if changes.register or changes.school:
            self._load_pupils()
        if (changes.photos or changes.register or changes.school) and origin is not self:
            current = self.current_photo_id()
            self.model.reload(self.class_box.currentData())
            self.model.set_channel(self.channel)
            self._select_photo(current)
            self.show_current()

    def _select_photo(self, photo_id: int | None) -> None:
        for row, photo in enumerate(self.model.photos):
            if photo.id == photo_id:
                self.gallery.setCurrentIndex(self.model.index(row))
                return
        if self.model.rowCount():
            self.gallery.setCurrentIndex(self.model.index(0))

    def chosen_pupil(self) -> str | None:
        """The pupil typed or picked in the box, or None if the text matches nobody."""
        index = self.pupil_box.findText(self.pupil_box.currentText())
        return self.pupil_box.itemData(index) if index >= 0 else None

    @property
    def channel(self) -> str:
        return self.channel_box.currentData()

    def reload(self) -> None:
        self.model.reload(self.class_box.currentData())
        self.model.set_channel(self.channel)
        if self.model.rowCount():
            self.gallery.setCurrentIndex(self.model.index(0))
        self.show_current()

    def _channel_changed(self) -> None:
        self.settings.set(REVIEW_CHANNEL, self.channel)
        self.model.set_channel(self.channel)
        self.show_current()

    def current_photo_id(self) -> int | None:
        index = self.gallery.currentIndex()
        return index.data(Qt.ItemDataRole.UserRole) if index.isValid() else None

    def step_photo(self, step: int) -> None:
        row = self.gallery.currentIndex().row() + step
        if 0 <= row < self.model.rowCount():
            self.gallery.setCurrentIndex(self.model.index(row))

    def show_current(self) -> None:
        photo_id = self.current_photo_id()
        if photo_id is None:
            self.canvas.set_photo(None, (1, 1), [], self.channel)
            self.face_info.setText(_("Import photos to review their faces."))
            return
        photo = next(p for p in self.model.photos if p.id == photo_id)
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
            pixmap = self._large_preview(photo_id)
        self.canvas.show_boxes = not self.after.isChecked()
        self.canvas.set_photo(pixmap, (photo.width, photo.height), faces, self.channel)
        self._describe_face()

    def _large_preview(self, photo_id: int) -> QtGui.QPixmap:
        """The 1600-pixel view if it is ready; otherwise the small thumbnail now and
        the large one made in the background (decoding 12 MP takes a while)."""
        large = self.services.library.thumbnail_path(self._sha(photo_id), 1600)
        if large.exists():
            return QtGui.QPixmap(str(large))

        def shown(_path) -> None:
            if self.current_photo_id() == photo_id and not self.after.isChecked():
                self.show_current()

        run_in_background(self, lambda state: self.services.photos.thumbnail(photo_id, 1600), shown,
                          _("Opening the photo"), cancellable=False)
        small = self.services.library.thumbnail_path(self._sha(photo_id), 256)
        return QtGui.QPixmap(str(small)) if small.exists() else _blank(256)

    def _sha(self, photo_id: int) -> str:
        return next(p.sha256 for p in self.model.photos if p.id == photo_id)

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
        photo_id, face_id = self.current_photo_id(), self.canvas.selected
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
        attempt(self, lambda: self.services.face_review.review_face(self.user.username, photo_id,
                                                                    face_id,
                                                                    action, reason, pupil),
                Changes(photos=True))
        self.model.invalidate(photo_id)
        self.show_current()

    def correct(self, reason: str | None = None, confirmer: str | None = None,
                password: str | None = None) -> None:
        """Recognition named the wrong pupil: another person, senior, confirms it
        here with their password (the core checks their role and audits both)."""
        photo_id, face_id = self.current_photo_id(), self.canvas.selected
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
        self.model.invalidate(photo_id)
        self.show_current()

    def add_region(self, box: Box, reason: str | None = None) -> None:
        photo_id = self.current_photo_id()
        if photo_id is None:
            return
        if reason is None:
            reason, ok = self._ask_reason(_("Blur this area"), _("What did the detector miss?"),
                                          near=self.canvas.widget_rect(box))
            if not ok:
                return
        attempt(self, lambda: self.services.face_review.add_blur(self.user.username, photo_id, box,
                                                                 reason),
                Changes(photos=True))
        self.model.invalidate(photo_id)
        self.show_current()

    # -- import ---------------------------------------------------------------

    def choose_import(self) -> None:
        folder = QtWidgets.QFileDialog.getExistingDirectory(self, _("Folder of photos"))
        if folder:
            self.start_import([folder])

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        self.start_import([u.toLocalFile() for u in event.mimeData().urls()])

    def start_import(self, paths: list[str], workers: int | None = None):
        class_name = self.class_box.currentData()
        if class_name is None:
            messages.warning(_("There are no classes yet, so photos have nowhere to go. "
                               "Ask your ICT leader to import the register first."))
            return None

        skipped = not_photos(paths)

        def done(results) -> None:
            failed = [r for r in results if r.error]
            duplicates = [r for r in results if r.duplicate and not r.error]
            message = _("Imported {n} photo(s) into {cls}.").format(
                n=len(results) - len(failed) - len(duplicates), cls=class_name)
            if duplicates:
                message += " " + _("{n} were already in the library.").format(
                    n=len(duplicates))
            if failed:
                message += " " + _("Not imported:") + " " + "; ".join(
                    f"{Path(r.file).name}: {r.error}" for r in failed)
            if skipped:
                message += " " + _("Not photos, so left alone: {files}.").format(
                    files=", ".join(skipped[:10]) + (" …" if len(skipped) > 10 else ""))
            (messages.warning if failed or skipped else messages.info)(message)
            self.reload()
            self.gallery.setCurrentIndex(self.model.index(self.model.rowCount() - 1))

        self.operation = run_in_background(
            self, lambda state: self.services.photo_import.import_photos(
                self.user.username, paths, class_name, state, workers),
            done, _("Importing photos"), on_failure=lambda _e: self.reload(),
            changes=Changes(photos=True))
        self.operation.signals.cancelled.connect(self.reload)
        return self.operation


def not_photos(paths: list[str]) -> list[str]:
    """Files inside the chosen folders that the import passes over (not photos),
    so the summary can say so instead of leaving them out silently."""
    from classlens.services.photo_import import expand_paths

    taken = set(expand_paths(paths))
    names = []
    for given in paths:
        folder = Path(given)
        if folder.is_dir():
            names += [p.name for p in sorted(folder.rglob("*"))
                      if p.is_file() and not p.name.startswith(".") and str(p) not in taken]
    return names
