"""The review canvas: the photo scaled to fit, each face boxed in the colour of
its decision; click a face to select it, drag to add a blur region."""

from __future__ import annotations

from classlens.faces.box import Box
from classlens.gui.qt import Qt, QtCore, QtGui, QtWidgets, Signal

SHOWN, BLURRED, REVIEW = "#16a34a", "#dc2626", "#d97706"


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
        return REVIEW if face.pupil_id is None and not face.reviewed_by else BLURRED

    def paintEvent(self, event) -> None:
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

    def widget_rect(self, box: Box) -> QtCore.QRect:
        """Where a box of the original photo is on screen, in this widget."""
        scale, offset = self._geometry()
        return self._to_widget(box, scale, offset).toAlignedRect()

    def _to_original(self, point: QtCore.QPointF) -> tuple[int, int]:
        scale, offset = self._geometry()
        return (round((point.x() - offset.x()) / scale), round((point.y() - offset.y()) / scale))

    def mousePressEvent(self, event) -> None:
        scale, offset = self._geometry()
        for face in self.faces:
            if self._to_widget(face.box, scale, offset).contains(event.position()):
                self.selected = face.id
                self.face_clicked.emit(face.id)
                self.update()
                return
        self._drag_from = self._drag_to = event.position()

    def mouseMoveEvent(self, event) -> None:
        if self._drag_from is not None:
            self._drag_to = event.position()
            self.update()

    def mouseReleaseEvent(self, event) -> None:
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
