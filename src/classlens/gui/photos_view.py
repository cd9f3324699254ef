"""Photos (teachers): import with progress, a lazy gallery, and face-by-face review."""

from __future__ import annotations

from pathlib import Path

from classlens.errors import NotAllowed
from classlens.faces.box import Box
from classlens.gui.errors import attempt
from classlens.gui.i18n import _
from classlens.gui.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from classlens.gui.settings import REVIEW_CHANNEL, Settings
from classlens.gui.worker import run_in_background

SHOWN, BLURRED, REVIEW = "#16a34a", "#dc2626", "#d97706"


class PhotoListModel(QtCore.QAbstractListModel):
    """Photos of the library; thumbnails and badges are made on demand, off the UI thread."""

    def __init__(self, services, parent=None):
        super().__init__(parent)
        self.services = services
        self.photos: list = []
        self.channel = "social_private"
        self._icons: dict[int, QtGui.QIcon] = {}
        self._badges: dict[int, str] = {}
        self._pending: set[int] = set()
        self._placeholder = QtGui.QIcon(_blank(160))

    def reload(self, class_name: str | None = None) -> None:
        self.beginResetModel()
        self.photos = self.services.photos(class_name)
        self._badges.clear()
        self.endResetModel()

    def set_channel(self, channel: str) -> None:
        self.channel = channel
        self._badges.clear()
        self._pending.clear()
        if self.photos:
            self.dataChanged.emit(self.index(0), self.index(len(self.photos) - 1))

    def rowCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.photos)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        photo = self.photos[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.badge(photo.id)
        if role == Qt.ItemDataRole.DecorationRole:
            icon = self._icons.get(photo.id)
            if icon is None:
                self._request(photo.id)
                return self._placeholder
            return icon
        if role == Qt.ItemDataRole.ToolTipRole:
            return _("Photo {id}: {name}").format(id=photo.id, name=photo.original_name)
        if role == Qt.ItemDataRole.UserRole:
            return photo.id
        return None

    def badge(self, photo_id: int) -> str:
        """"2 shown · 1 blurred · 1 to review" for the chosen channel, worked out
        off the UI thread like the thumbnail ("…" until then)."""
        badge = self._badges.get(photo_id)
        if badge is None:
            self._request(photo_id)
            return "…\n"  # two lines, like a badge, so every item keeps one size
        return badge

    def _request(self, photo_id: int) -> None:
        if photo_id in self._pending:
            return
        self._pending.add(photo_id)
        task = _PhotoInfo(self.services, photo_id, self.channel)
        task.signals.ready.connect(self._ready)
        QtCore.QThreadPool.globalInstance().start(task)

    def _ready(self, photo_id: int, path: str, channel: str, badge: str) -> None:
        self._pending.discard(photo_id)
        if path:
            self._icons[photo_id] = QtGui.QIcon(path)
        if channel == self.channel:
            self._badges[photo_id] = badge
        for row, photo in enumerate(self.photos):
            if photo.id == photo_id:
                self.dataChanged.emit(self.index(row), self.index(row))

    def invalidate(self, photo_id: int) -> None:
        self._badges.pop(photo_id, None)
        self._request(photo_id)


class _InfoSignals(QtCore.QObject):
    ready = Signal(int, str, str, str)


class _PhotoInfo(QtCore.QRunnable):
    """A photo's thumbnail and badge, made on a pool thread."""

    def __init__(self, services, photo_id: int, channel: str):
        super().__init__()
        self.services, self.photo_id, self.channel = services, photo_id, channel
        self.signals = _InfoSignals()

    def run(self) -> None:
        try:
            path = str(self.services.thumbnail(self.photo_id, 256))
            faces = self.services.faces(self.photo_id)
        except Exception:  # noqa: BLE001 - the placeholder stays; the review shows errors
            return
        shown = sum(f.decisions[self.channel].shown for f in faces)
        review = sum(1 for f in faces if f.needs_review)
        badge = _("{s} shown · {b} blurred\n{r} to review").format(
            s=shown, b=len(faces) - shown, r=review)
        self.signals.ready.emit(self.photo_id, path, self.channel, badge)


def _blank(size: int) -> QtGui.QPixmap:
    pixmap = QtGui.QPixmap(size, size)
    pixmap.fill(QtGui.QColor("#e5e7eb"))
    return pixmap


class FaceCanvas(QtWidgets.QWidget):
    """The photo scaled to fit, each face boxed in the colour of its decision.

    Click a face to select it; drag on the photo to add a blur region.
    """

    face_clicked = Signal(int)
    region_drawn = Signal(object)  # Box in original pixels

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("faceCanvas")
        self.setMinimumSize(480, 360)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.pixmap: QtGui.QPixmap | None = None
        self.original_size = (1, 1)
        self.faces: list = []
        self.channel = ""
        self.selected: int | None = None
        self.show_boxes = True
        self._drag_from: QtCore.QPointF | None = None
        self._drag_to: QtCore.QPointF | None = None

    def set_photo(self, pixmap: QtGui.QPixmap, original_size, faces, channel) -> None:
        self.pixmap, self.original_size = pixmap, original_size
        self.faces, self.channel = faces, channel
        if self.selected not in {f.id for f in faces}:
            self.selected = faces[0].id if faces else None
        self.update()

    def _geometry(self) -> tuple[float, QtCore.QPointF]:
        if self.pixmap is None:
            return 1.0, QtCore.QPointF(0, 0)
        scale = min(self.width() / self.original_size[0], self.height() / self.original_size[1])
        offset = QtCore.QPointF((self.width() - self.original_size[0] * scale) / 2,
                                (self.height() - self.original_size[1] * scale) / 2)
        return scale, offset

    def colour(self, face) -> str:
        decision = face.decisions[self.channel]
        if decision.shown:
            return SHOWN
        return REVIEW if face.needs_review else BLURRED

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QtGui.QPainter(self)
        painter.fillRect(self.rect(), QtGui.QColor("#1f2937"))
        if self.pixmap is None:
            return
        scale, offset = self._geometry()
        target = QtCore.QRectF(offset.x(), offset.y(), self.original_size[0] * scale,
                               self.original_size[1] * scale)
        painter.drawPixmap(target, self.pixmap, QtCore.QRectF(self.pixmap.rect()))
        if self.show_boxes:
            for face in self.faces:
                pen = QtGui.QPen(QtGui.QColor(self.colour(face)),
                                 4 if face.id == self.selected else 2)
                painter.setPen(pen)
                painter.drawRect(self._to_widget(face.box, scale, offset))
        if self._drag_from is not None and self._drag_to is not None:
            painter.setPen(QtGui.QPen(QtGui.QColor(BLURRED), 2, Qt.PenStyle.DashLine))
            painter.drawRect(QtCore.QRectF(self._drag_from, self._drag_to).normalized())

    @staticmethod
    def _to_widget(box: Box, scale: float, offset: QtCore.QPointF) -> QtCore.QRectF:
        return QtCore.QRectF(offset.x() + box.left * scale, offset.y() + box.top * scale,
                             box.width * scale, box.height * scale)

    def _to_original(self, point: QtCore.QPointF) -> tuple[int, int]:
        scale, offset = self._geometry()
        return (round((point.x() - offset.x()) / scale), round((point.y() - offset.y()) / scale))

    def mousePressEvent(self, event) -> None:  # noqa: N802
        scale, offset = self._geometry()
        for face in self.faces:
            if self._to_widget(face.box, scale, offset).contains(event.position()):
                self.selected = face.id
                self.face_clicked.emit(face.id)
                self.update()
                return
        self._drag_from = self._drag_to = event.position()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if self._drag_from is not None:
            self._drag_to = event.position()
            self.update()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self._drag_from is None:
            return
        (x1, y1), (x2, y2) = self._to_original(self._drag_from), self._to_original(
            event.position())
        self._drag_from = self._drag_to = None
        self.update()
        if abs(x2 - x1) >= 8 and abs(y2 - y1) >= 8:
            self.region_drawn.emit(Box(min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)))

    def select_next(self, step: int) -> None:
        if not self.faces:
            return
        ids = [f.id for f in self.faces]
        position = ids.index(self.selected) if self.selected in ids else -1
        self.selected = ids[(position + step) % len(ids)]
        self.face_clicked.emit(self.selected)
        self.update()


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
        for channel in services.channels():
            self.channel_box.addItem(channel.name, channel.name)
        self.settings = Settings()
        self.channel_box.setCurrentIndex(max(0, self.channel_box.findData(
            self.settings.get(REVIEW_CHANNEL))))
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

        self.canvas = FaceCanvas()
        self.after = QtWidgets.QCheckBox(_("Show as exported"), objectName="beforeAfter")
        self.face_info = QtWidgets.QLabel(objectName="faceInfo", wordWrap=True)
        self.pupil_box = QtWidgets.QComboBox(objectName="pupilChoice")
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

        pupils = services.list_pupils()
        self.names = {p.pupil_id: p.display_name for p in pupils}
        for pupil in pupils:
            if pupil.on_roll:
                self.pupil_box.addItem(f"{pupil.display_name} ({pupil.class_name})",
                                       pupil.pupil_id)
        for name in sorted({p.class_name for p in pupils if p.class_name}):
            self.class_box.addItem(name, name)

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
        self.reload()

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
        faces = self.services.faces(photo_id)
        if self.after.isChecked():
            try:
                rendering = self.services.render_photo(photo_id, self.channel)
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

        run_in_background(self, lambda state: self.services.thumbnail(photo_id, 1600), shown,
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
        decision = face.decisions[self.channel]
        state = _("Shown") if decision.shown else _("Blurred")
        text = f"<b>{_('Face')} {face.id}: {state}</b> — {decision.reason}"
        if face.pupil_id:
            text += f" <b>({self.names.get(face.pupil_id, face.pupil_id)})</b>"
        if face.distance is not None:
            text += " " + _("(distance {d:.2f})").format(d=face.distance)
        if face.reviewed_by:
            text += "<br>" + _("Reviewed by {who}: {why}").format(who=face.reviewed_by,
                                                                  why=face.review_reason)
        self.face_info.setText(text)

    def review(self, action: str, reason: str | None = None) -> None:
        photo_id, face_id = self.current_photo_id(), self.canvas.selected
        if photo_id is None or face_id is None:
            return
        if reason is None:
            reason, ok = QtWidgets.QInputDialog.getText(self, _("Why?"), _(
                "Your reason is kept in the audit log:"))
            if not ok:
                return
        pupil = self.pupil_box.currentData() if action == "pupil" else None
        attempt(self, lambda: self.services.review_face(self.user.username, photo_id, face_id,
                                                        action, reason, pupil))
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
            reason, ok = QtWidgets.QInputDialog.getText(self, _("Why?"), _(
                "Your reason is kept in the audit log:"))
            if not ok:
                return
        if confirmer is None:
            senior = [u.username for u in self.services.users()
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
            if not self.services.needs_password(confirmer):
                raise NotAllowed(_("{who} has no password yet, so cannot confirm anything; "
                                   "they sign in once to set one").format(who=confirmer))
            self.services.sign_in(confirmer, password)
            self.services.review_face(self.user.username, photo_id, face_id, "correct",
                                      reason, confirmed_by=confirmer)

        attempt(self, confirmed_correction)
        self.model.invalidate(photo_id)
        self.show_current()

    def add_region(self, box: Box, reason: str | None = None) -> None:
        photo_id = self.current_photo_id()
        if photo_id is None:
            return
        if reason is None:
            reason, ok = QtWidgets.QInputDialog.getText(self, _("Blur this region"), _(
                "What did the detector miss?"))
            if not ok:
                return
        attempt(self, lambda: self.services.add_blur(self.user.username, photo_id, box, reason))
        self.model.invalidate(photo_id)
        self.show_current()

    # -- import ---------------------------------------------------------------

    def choose_import(self) -> None:
        folder = QtWidgets.QFileDialog.getExistingDirectory(self, _("Folder of photos"))
        if folder:
            self.start_import([folder])

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        self.start_import([u.toLocalFile() for u in event.mimeData().urls()])

    def start_import(self, paths: list[str], workers: int | None = None):
        class_name = self.class_box.currentData()
        if class_name is None:
            return None

        def done(results) -> None:
            failed = [r for r in results if r.error]
            message = _("Imported {n} photo(s).").format(n=len(results) - len(failed))
            if failed:
                message += " " + _("Not imported:") + " " + "; ".join(
                    f"{Path(r.file).name}: {r.error}" for r in failed)
            self.face_info.setText(message)
            self.reload()
            self.gallery.setCurrentIndex(self.model.index(self.model.rowCount() - 1))

        self.operation = run_in_background(
            self, lambda state: self.services.import_photos(
                self.user.username, paths, class_name, state, workers),
            done, _("Importing photos"), on_failure=lambda _e: self.reload())
        self.operation.signals.cancelled.connect(self.reload)
        return self.operation
