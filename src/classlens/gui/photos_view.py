"""Photos (teachers): import with progress, a lazy gallery, and face-by-face review.

The gallery's model is in `photo_gallery`, the review of one photo's faces in
`face_review` (drawn by `face_canvas`); this screen puts them side by side and
imports photos."""

from __future__ import annotations

from pathlib import Path

from classlens.gui import messages
from classlens.gui.changes import Changes, hub
from classlens.gui.face_canvas import BLURRED, REVIEW, SHOWN
from classlens.gui.face_review import FaceReviewPanel
from classlens.gui.i18n import _
from classlens.gui.photo_gallery import PhotoListModel
from classlens.gui.qt import Qt, QtCore, QtGui, QtWidgets
from classlens.gui.settings import REVIEW_CHANNEL, Settings
from classlens.gui.words import channel_name
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

        self.face_review = FaceReviewPanel(services, user)

        top = QtWidgets.QHBoxLayout()
        top.addWidget(QtWidgets.QLabel(_("Class")))
        top.addWidget(self.class_box)
        top.addWidget(QtWidgets.QLabel(_("Decisions for")))
        top.addWidget(self.channel_box)
        top.addStretch()
        top.addWidget(self.import_button)
        split = QtWidgets.QSplitter()
        split.addWidget(self.gallery)
        split.addWidget(self.face_review)
        split.setSizes([300, 700])
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split)

        self._load_pupils()

        self.class_box.currentIndexChanged.connect(self.reload)
        self.channel_box.currentIndexChanged.connect(self._channel_changed)
        self.import_button.clicked.connect(self.choose_import)
        self.gallery.selectionModel().currentChanged.connect(lambda *_a: self.show_current())
        self.face_review.photo_changed.connect(self._reviewed)
        for key, step in ((Qt.Key.Key_Right, 1), (Qt.Key.Key_Left, -1),
                          (Qt.Key.Key_PageDown, 1), (Qt.Key.Key_PageUp, -1)):
            QtGui.QShortcut(key, self, activated=lambda s=step: self.step_photo(s))
        hub(self.services).operation_did_execute.connect(self.on_changes)
        self.reload()

    def _load_pupils(self) -> None:
        pupils = self.services.pupils.list_pupils()
        self.face_review.set_pupils(pupils)
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
        mine = origin is self or origin is self.face_review  # already shown as it is
        if (changes.photos or changes.register or changes.school) and not mine:
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
        photo = None if photo_id is None else next(
            p for p in self.model.photos if p.id == photo_id)
        self.face_review.show_photo(photo, self.channel)

    def _reviewed(self, photo_id: int) -> None:
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
    from classlens.photos.files import expand_paths

    taken = set(expand_paths(paths))
    names = []
    for given in paths:
        folder = Path(given)
        if folder.is_dir():
            names += [p.name for p in sorted(folder.rglob("*"))
                      if p.is_file() and not p.name.startswith(".") and str(p) not in taken]
    return names
