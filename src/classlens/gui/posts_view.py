"""Posts and approvals: the SLT queue with the exported preview and every face the
post shows or blurs, approve or send back (each confirmed); export and record the
link once approved; take down."""

from __future__ import annotations

from pathlib import Path

from classlens.gui import messages
from classlens.gui.changes import Changes, hub
from classlens.gui.errors import attempt
from classlens.gui.i18n import _
from classlens.gui.qt import Qt, QtGui, QtWidgets, Signal
from classlens.gui.words import (
    channel_name,
    describe_face,
    post_status,
    pupil_name,
    severity_word,
    uk_date_time,
)
from classlens.gui.worker import run_in_background

FILTERS = [("submitted", "Awaiting approval"), ("approved", "Approved, to export"),
           ("exported", "Exported, to publish"), ("published", "Published"),
           ("rejected", "Sent back"), (None, "All posts")]
PREVIEW_SIZE = 240


class ClickableImage(QtWidgets.QLabel):
    """An exported image; a click (or Enter) opens it at full size."""

    activated = Signal()

    def __init__(self, parent=None, objectName: str = ""):
        super().__init__(parent)
        self.setObjectName(objectName)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def mouseReleaseEvent(self, event) -> None:
        self.activated.emit()

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit()
        else:
            super().keyPressEvent(event)


class ZoomDialog(QtWidgets.QDialog):
    """The exported image at full size, scrollable; "Fit" to see it whole."""

    def __init__(self, pixmap: QtGui.QPixmap, title: str, parent=None):
        super().__init__(parent)
        self.setObjectName("zoomDialog")
        self.setWindowTitle(title)
        self.pixmap = pixmap
        self.image = QtWidgets.QLabel(objectName="zoomImage")
        self.image.setPixmap(pixmap)
        self.scroller = QtWidgets.QScrollArea()
        self.scroller.setWidget(self.image)
        self.scroller.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.fit = QtWidgets.QCheckBox(_("Fit to window"), objectName="zoomFit")
        self.fit.toggled.connect(self._fit)
        close = QtWidgets.QPushButton(_("Close"))
        close.clicked.connect(self.accept)
        bar = QtWidgets.QHBoxLayout()
        bar.addWidget(QtWidgets.QLabel(_("Full size: {w} × {h} pixels").format(
            w=pixmap.width(), h=pixmap.height())))
        bar.addStretch()
        bar.addWidget(self.fit)
        bar.addWidget(close)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.scroller, 1)
        layout.addLayout(bar)
        self.resize(1200, 700)

    def _fit(self, on: bool) -> None:
        if on:
            size = self.scroller.viewport().size()
            self.image.setPixmap(self.pixmap.scaled(size, Qt.AspectRatioMode.KeepAspectRatio,
                                                    Qt.TransformationMode.SmoothTransformation))
        else:
            self.image.setPixmap(self.pixmap)
        self.image.adjustSize()


class PostsView(QtWidgets.QWidget):
    def __init__(self, services, user, parent=None):
        super().__init__(parent)
        self.services, self.user = services, user
        self.channels = {c.name: c for c in services.settings.channels()}
        self.filter_box = QtWidgets.QComboBox(objectName="postFilter")
        self.filter_box.setAccessibleName(_("Which posts"))
        for status, label in FILTERS:
            self.filter_box.addItem(_(label), status)
        self.list = QtWidgets.QListWidget(objectName="postList")
        self.list.setAccessibleName(_("Posts"))
        self.list.setWordWrap(True)
        self.details = QtWidgets.QLabel(objectName="postDetails", wordWrap=True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.images = QtWidgets.QHBoxLayout()
        self.faces = QtWidgets.QListWidget(objectName="postFaces")
        self.faces.setAccessibleName(_("Faces in this post"))
        self.faces.setWordWrap(True)
        self.approve_button = QtWidgets.QPushButton(_("Approve…"), objectName="approve")
        self.reject_button = QtWidgets.QPushButton(_("Send back…"), objectName="reject")
        self.export_button = QtWidgets.QPushButton(_("Export…"), objectName="exportPost")
        self.link_button = QtWidgets.QPushButton(_("Record link…"), objectName="recordLink")
        self.withdraw_button = QtWidgets.QPushButton(_("Mark as taken down…"),
                                                     objectName="withdraw")
        self.withdraw_button.setToolTip(_("The post has been removed from the platform: "
                                          "close its takedowns"))
        buttons = QtWidgets.QHBoxLayout()
        for b in (self.approve_button, self.reject_button, self.export_button,
                  self.link_button, self.withdraw_button):
            buttons.addWidget(b)
        left = QtWidgets.QVBoxLayout()
        left.addWidget(self.filter_box)
        left.addWidget(self.list)
        right_widget = QtWidgets.QWidget()
        right = QtWidgets.QVBoxLayout(right_widget)
        right.addWidget(self.details)
        right.addLayout(self.images)
        self.faces_label = QtWidgets.QLabel(_("Every face in this post, as it will be "
                                              "published:"))
        right.addWidget(self.faces_label)
        right.addWidget(self.faces)
        scroll = QtWidgets.QScrollArea(objectName="postScroll")
        scroll.setWidget(right_widget)
        scroll.setWidgetResizable(True)
        side = QtWidgets.QVBoxLayout()
        side.addWidget(scroll, 1)
        side.addLayout(buttons)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addLayout(side, 2)
        self.filter_box.currentIndexChanged.connect(self.reload)
        self.list.currentItemChanged.connect(lambda *_a: self.show_current())
        self.approve_button.clicked.connect(lambda: self.approve())
        self.reject_button.clicked.connect(lambda: self.reject())
        self.export_button.clicked.connect(lambda: self.export())
        self.link_button.clicked.connect(lambda: self.record_link())
        self.withdraw_button.clicked.connect(lambda: self.withdraw())
        hub(self.services).operation_did_execute.connect(self.on_changes)
        if user.role != "slt":
            self.filter_box.blockSignals(True)
            self.filter_box.setCurrentIndex(len(FILTERS) - 1)
            self.filter_box.blockSignals(False)
        self.reload()

    def on_changes(self, changes: Changes, _origin) -> None:
        if changes.posts or changes.register or changes.photos or changes.school:
            self.channels = {c.name: c for c in self.services.settings.channels()}
            self.reload()

    def _channel(self, name: str) -> str:
        channel = self.channels.get(name)
        return channel_name(channel) if channel else name

    def reload(self) -> None:
        """The posts of the chosen kind; the selection stays on the same post, and
        nothing is selected for the approver without them choosing it."""
        current = self.current_id()
        self.list.blockSignals(True)
        self.list.clear()
        for view in self.services.posts.posts(self.filter_box.currentData()):
            if view.status == "discarded":
                continue
            caption = " ".join(view.caption.split())
            item = QtWidgets.QListWidgetItem(
                f"{post_status(view.status)} · {self._channel(view.channel)} · "
                f"{view.class_name}\n{caption[:70]}")
            item.setToolTip(caption)
            item.setData(Qt.ItemDataRole.UserRole, view.id)
            self.list.addItem(item)
            if view.id == current:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count() and self.user.role != "slt":
            self.list.setCurrentRow(0)
        self.list.blockSignals(False)
        self.show_current()

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def show_current(self) -> None:
        while self.images.count():
            widget = self.images.takeAt(0).widget()
            if widget:
                widget.deleteLater()
        self.faces.clear()
        post_id = self.current_id()
        slt, buttons = self.user.role == "slt", {}
        if post_id is None:
            self.details.setText(_("Choose a post on the left.") if self.list.count()
                                 else _("No posts here."))
            self.faces_label.hide()
            self.faces.hide()
            view = None
        else:
            view = self.services.posts.post(post_id)
            acked = " (" + _("the author checked this") + ")"
            problems = "".join(
                f"<li>{severity_word(p.severity)}: {_escape(p.message)}"
                f"{acked if p.rule in view.acknowledged else ''}</li>"
                for p in view.problems) or "<li>" + _("Meets the school's policy") + "</li>"
            when = uk_date_time(view.times.get("submitted_at") or view.times.get("created_at"))
            self.details.setText(
                f"<h3>{post_status(view.status)}: {_escape(self._channel(view.channel))}"
                f"</h3><p>{_('Class')} {view.class_name} · {_('by')} {view.author}"
                + (f" · {when}" if when else "")
                + (f" · {_('approved by')} {view.approver}" if view.approver else "") + "</p>"
                f"<p style='font-size:14px'>{_escape(view.caption)}</p><ul>{problems}</ul>"
                + (f"<p><b>{_('Sent back')}:</b> {_escape(view.rejection_reason)}</p>"
                   if view.rejection_reason else "")
                + (f"<p>{_('Link')}: {_escape(view.url)}</p>" if view.url else ""))
            self._show_exported_preview(view)
            self._list_faces(view)
            own = view.author == self.user.username
            buttons = {
                self.approve_button: slt and view.status == "submitted" and not own,
                self.reject_button: slt and view.status == "submitted" and not own,
                self.export_button: view.status in ("approved", "exported", "published"),
                self.link_button: view.status in ("exported", "published"),
                self.withdraw_button: view.status in ("exported", "published"),
            }
        for button in (self.approve_button, self.reject_button, self.export_button,
                       self.link_button, self.withdraw_button):
            button.setEnabled(buttons.get(button, False))
        own_submitted = (view is not None and view.author == self.user.username
                         and view.status == "submitted")
        self.approve_button.setToolTip(_("Another member of senior leadership approves your "
                                         "own posts.") if own_submitted else "")

    def _show_exported_preview(self, view) -> None:
        """The images exactly as they will be exported for the post's channel."""
        for number, photo in enumerate(view.photos, start=1):
            label = ClickableImage(objectName="exportPreview")
            label.setAccessibleName(_("Image {n}: {alt}").format(n=number, alt=photo["alt"]))
            try:
                rendering = self.services.photos.render_photo(photo["photo_id"], view.channel)
                pixmap = QtGui.QPixmap()
                pixmap.loadFromData(rendering.data)
                label.setPixmap(pixmap.scaled(PREVIEW_SIZE, PREVIEW_SIZE,
                                              Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation))
                label.activated.connect(lambda p=pixmap, n=number: self.zoom(p, n))
                label.setToolTip(_("{alt}\nClick to see it at full size.").format(
                    alt=photo["alt"]))
            except Exception as error:  # noqa: BLE001 - shown in place of the image
                label.setText(str(error))
                label.setWordWrap(True)
            self.images.addWidget(label)

    def zoom(self, pixmap: QtGui.QPixmap, number: int) -> ZoomDialog:
        dialog = ZoomDialog(pixmap, _("Image {n} as it will be published").format(n=number),
                            self)
        dialog.open()
        return dialog

    def _list_faces(self, view) -> None:
        """Every face of every image: shown or blurred, who, on whose consent or review."""
        pupils = {p.pupil_id: p for p in self.services.pupils.list_pupils()}
        names = {pid: pupil_name(p) for pid, p in pupils.items()}
        for number, photo in enumerate(view.photos, start=1):
            faces = self.services.photos.faces(photo["photo_id"])
            verdicts = {f.pupil_id: self.services.pupils.may_show(f.pupil_id, view.channel)
                        for f in faces if f.pupil_id in pupils}
            if not faces:
                self.faces.addItem(_("Image {n}: no faces found").format(n=number))
            for face in faces:
                text = describe_face(face, view.channel, names, verdicts)
                item = QtWidgets.QListWidgetItem(_("Image {n}: {face}").format(n=number,
                                                                             face=text))
                shown = face.decisions[view.channel].shown
                item.setForeground(QtGui.QColor("#166534" if shown else "#7f1d1d"))
                self.faces.addItem(item)
        self.faces_label.show()
        self.faces.show()
        self.faces.setMinimumHeight(min(6, max(2, self.faces.count())) * 22)

    def face_lines(self) -> list[str]:
        return [self.faces.item(i).text() for i in range(self.faces.count())]

    # -- decisions --------------------------------------------------------------

    def _after_decision(self, done: str) -> None:
        """A decision leaves nothing selected: the next post is chosen deliberately,
        so a second click cannot approve a post nobody looked at."""
        messages.info(done)
        self.list.setCurrentItem(None)
        self.list.clearSelection()
        self.show_current()

    def _confirm(self, title: str, text: str, confirm: bool) -> bool:
        if not confirm:
            return True
        return QtWidgets.QMessageBox.question(self, title, text) == \
            QtWidgets.QMessageBox.StandardButton.Yes

    def approve(self, confirm: bool = True) -> bool:
        post_id = self.current_id()
        if post_id is None or not self.approve_button.isEnabled():
            return False
        view = self.services.posts.post(post_id)
        shown = sum(1 for line in self.face_lines() if ": Shown" in line)
        if not self._confirm(_("Approve this post?"), _(
                "Approve {author}'s post for {channel}? {shown} face(s) will be shown and "
                "every other face blurred, as listed.").format(
                    author=view.author, channel=self._channel(view.channel), shown=shown),
                confirm):
            return False
        done = attempt(self, lambda: self.services.posts.approve(self.user.username, post_id),
                       Changes(posts=True))
        if done is None:
            self.reload()
            return False
        self._after_decision(_("Approved {author}'s post for {channel}. It can now be "
                               "exported.").format(author=view.author,
                                                   channel=self._channel(view.channel)))
        return True

    def reject(self, reason: str | None = None, confirm: bool = True) -> bool:
        post_id = self.current_id()
        if post_id is None or not self.reject_button.isEnabled():
            return False
        view = self.services.posts.post(post_id)
        while not (reason or "").strip():
            reason, ok = QtWidgets.QInputDialog.getMultiLineText(
                self, _("Send back"), _("Tell {author} what to change (they see this):").format(
                    author=view.author))
            if not ok:
                return False
            if not reason.strip() and not confirm:
                return False
        reject = self.services.posts.reject
        done = attempt(self, lambda: reject(self.user.username, post_id, reason.strip()),
                       Changes(posts=True))
        if done is None:
            self.reload()
            return False
        self._after_decision(_("Sent {author}'s post back: “{why}”.").format(
            author=view.author, why=reason.strip()))
        return True

    def export(self, folder: str | None = None):
        folder = folder or QtWidgets.QFileDialog.getExistingDirectory(self, _("Export to"))
        if not folder:
            return None
        post_id = self.current_id()
        export = self.services.post_export.export_post
        return run_in_background(
            self, lambda state: export(self.user.username, post_id, Path(folder)),
            lambda result: messages.info(_(
                "Exported to {folder}. Post it, then record its link here.").format(
                    folder=result["folder"])),
            _("Exporting the post"), cancellable=False, changes=Changes(posts=True))

    def record_link(self, url: str | None = None) -> bool:
        if not url:
            url, ok = QtWidgets.QInputDialog.getText(self, _("Published"), _(
                "Paste the link of the published post:"))
            if not ok or not url.strip():
                return False
        if attempt(self, lambda: self.services.posts.mark_published(
                self.user.username, self.current_id(), url), Changes(posts=True)) is None:
            return False
        messages.info(_("Recorded the link {url}.").format(url=url.strip()))
        return True

    def withdraw(self, reason: str | None = None) -> bool:
        if reason is None:
            reason, ok = QtWidgets.QInputDialog.getText(
                self, _("Taken down"), _("You have removed the post from the platform. "
                                         "Why was it taken down?"))
            if not ok:
                return False
        if attempt(self, lambda: self.services.posts.withdraw_post(
                self.user.username, self.current_id(), reason), Changes(posts=True)) is None:
            return False
        messages.info(_("Recorded that the post was taken down."))
        return True


def _escape(text: str | None) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
