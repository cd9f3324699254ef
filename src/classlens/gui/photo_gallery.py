"""The photo gallery's model: photos of the library with thumbnails and a badge
per photo ("2 shown · 1 blurred"), both made on demand off the UI thread."""

from __future__ import annotations

from classlens.gui.i18n import _
from classlens.gui.qt import Qt, QtCore, QtGui
from classlens.gui.words import uk_date
from classlens.gui.worker import run_in_background


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
        self.photos = self.services.photos.photos(class_name)
        self._badges.clear()
        self.endResetModel()

    def set_channel(self, channel: str) -> None:
        self.channel = channel
        self._badges.clear()
        self._pending.clear()
        if self.photos:
            self.dataChanged.emit(self.index(0), self.index(len(self.photos) - 1))

    def rowCount(self, parent=QtCore.QModelIndex()) -> int:
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
            return _("{name}, taken {when}").format(
                name=photo.original_name, when=uk_date(photo.captured_at or photo.imported_at))
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
        services, channel = self.services, self.channel

        def info(_state) -> tuple[str, str]:
            path = str(services.photos.thumbnail(photo_id, 256))
            faces = services.photos.faces(photo_id)
            shown = sum(f.decisions[channel].shown for f in faces)
            badge = _("{s} shown · {b} blurred\n{r} to review").format(
                s=shown, b=len(faces) - shown, r=sum(f.needs_review for f in faces))
            return path, badge

        # If it fails the placeholder stays (and the photo is not asked for again):
        # the photo's review shows the error.
        operation = run_in_background(
            self, info, lambda result: self._ready(photo_id, channel, *result),
            cancellable=False, show_progress=False, report_errors=False)
        operation.finished.connect(operation.deleteLater)

    def _ready(self, photo_id: int, channel: str, path: str, badge: str) -> None:
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


def _blank(size: int) -> QtGui.QPixmap:
    pixmap = QtGui.QPixmap(size, size)
    pixmap.fill(QtGui.QColor("#e5e7eb"))
    return pixmap
