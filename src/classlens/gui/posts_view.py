"""Posts and approvals: the SLT queue with the exported preview, approve or reject;
export and record the link once approved; withdraw."""

from __future__ import annotations

from pathlib import Path

from classlens.gui.errors import attempt
from classlens.gui.i18n import _
from classlens.gui.qt import Qt, QtGui, QtWidgets
from classlens.gui.worker import run_in_background

FILTERS = [("submitted", "Awaiting approval"), ("approved", "Approved, to export"),
           ("exported", "Exported, to publish"), ("published", "Published"),
           (None, "All posts")]


class PostsView(QtWidgets.QWidget):
    def __init__(self, services, user, parent=None):
        super().__init__(parent)
        self.services, self.user = services, user
        self.filter_box = QtWidgets.QComboBox(objectName="postFilter")
        for status, label in FILTERS:
            self.filter_box.addItem(_(label), status)
        self.list = QtWidgets.QListWidget(objectName="postList")
        self.details = QtWidgets.QLabel(objectName="postDetails", wordWrap=True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.images = QtWidgets.QHBoxLayout()
        self.approve_button = QtWidgets.QPushButton(_("Approve"), objectName="approve")
        self.reject_button = QtWidgets.QPushButton(_("Reject…"), objectName="reject")
        self.export_button = QtWidgets.QPushButton(_("Export…"), objectName="exportPost")
        self.link_button = QtWidgets.QPushButton(_("Record link…"), objectName="recordLink")
        self.withdraw_button = QtWidgets.QPushButton(_("Withdrawn…"), objectName="withdraw")
        buttons = QtWidgets.QHBoxLayout()
        for b in (self.approve_button, self.reject_button, self.export_button,
                  self.link_button, self.withdraw_button):
            buttons.addWidget(b)
        left = QtWidgets.QVBoxLayout()
        left.addWidget(self.filter_box)
        left.addWidget(self.list)
        right = QtWidgets.QVBoxLayout()
        right.addWidget(self.details)
        right.addLayout(self.images)
        right.addStretch()
        right.addLayout(buttons)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addLayout(right, 2)
        self.filter_box.currentIndexChanged.connect(self.reload)
        self.list.currentItemChanged.connect(lambda *_a: self.show_current())
        self.approve_button.clicked.connect(self.approve)
        self.reject_button.clicked.connect(self.reject)
        self.export_button.clicked.connect(self.export)
        self.link_button.clicked.connect(self.record_link)
        self.withdraw_button.clicked.connect(self.withdraw)
        if user.role != "slt":
            self.filter_box.setCurrentIndex(len(FILTERS) - 1)
        self.reload()

    def reload(self) -> None:
        current = self.current_id()
        self.list.clear()
        for view in self.services.posts(self.filter_box.currentData()):
            item = QtWidgets.QListWidgetItem(f"{view.id} · {view.status} · {view.channel}\n"
                                             f"{view.caption[:40]}")
            item.setData(Qt.ItemDataRole.UserRole, view.id)
            self.list.addItem(item)
            if view.id == current:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self.show_current()

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def show_current(self) -> None:
        while self.images.count():
            widget = self.images.takeAt(0).widget()
            if widget:
                widget.deleteLater()
        post_id = self.current_id()
        slt, buttons = self.user.role == "slt", {}
        if post_id is None:
            self.details.setText(_("No posts here."))
            view = None
        else:
            view = self.services.post(post_id)
            acked = " (" + _("acknowledged by the author") + ")"
            problems = "".join(
                f"<li>{p.severity}: {p.message}{acked if p.rule in view.acknowledged else ''}"
                "</li>" for p in view.problems) or "<li>" + _("Meets the school's policy") + "</li>"
            self.details.setText(
                f"<h3>{_('Post')} {view.id}: {view.status}</h3>"
                f"<p>{_('Class')} {view.class_name}, {view.channel} ({view.platform}), "
                f"{_('by')} {view.author}"
                + (f", {_('approved by')} {view.approver}" if view.approver else "") + "</p>"
                f"<p style='font-size:14px'>{_escape(view.caption)}</p><ul>{problems}</ul>"
                + (f"<p><b>{_('Rejected')}:</b> {_escape(view.rejection_reason)}</p>"
                   if view.rejection_reason else "")
                + (f"<p>{_('Link')}: {view.url}</p>" if view.url else ""))
            self._show_exported_preview(view)
            buttons = {
                self.approve_button: slt and view.status == "submitted"
                and view.author != self.user.username,
                self.reject_button: slt and view.status == "submitted"
                and view.author != self.user.username,
                self.export_button: view.status in ("approved", "exported", "published"),
                self.link_button: view.status in ("exported", "published"),
                self.withdraw_button: view.status in ("exported", "published"),
            }
        for button in (self.approve_button, self.reject_button, self.export_button,
                       self.link_button, self.withdraw_button):
            button.setEnabled(buttons.get(button, False))
        if view is not None and view.author == self.user.username and view.status == "submitted":
            self.approve_button.setToolTip(_("Another member of senior leadership approves "
                                             "your own posts."))

    def _show_exported_preview(self, view) -> None:
        """The images exactly as they will be exported for the post's channel."""
        for photo in view.photos:
            label = QtWidgets.QLabel(objectName="exportPreview")
            try:
                rendering = self.services.render_photo(photo["photo_id"], view.channel)
                pixmap = QtGui.QPixmap()
                pixmap.loadFromData(rendering.data)
                label.setPixmap(pixmap.scaled(280, 280, Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation))
            except Exception as error:  # noqa: BLE001 - shown in place of the image
                label.setText(str(error))
                label.setWordWrap(True)
            label.setToolTip(photo["alt"])
            self.images.addWidget(label)

    def _act(self, action) -> None:
        attempt(self, action)
        self.reload()

    def approve(self) -> None:
        self._act(lambda: self.services.approve(self.user.username, self.current_id()))

    def reject(self, reason: str | None = None) -> None:
        if not reason:
            reason, ok = QtWidgets.QInputDialog.getText(self, _("Reject"), _(
                "Tell the author why:"))
            if not ok:
                return
        self._act(lambda: self.services.reject(self.user.username, self.current_id(), reason))

    def export(self, folder: str | None = None):
        folder = folder or QtWidgets.QFileDialog.getExistingDirectory(self, _("Export to"))
        if not folder:
            return None
        post_id = self.current_id()
        return run_in_background(
            self, lambda state: self.services.export_post(self.user.username, post_id,
                                                          Path(folder)),
            lambda result: (self.details.setText(
                _("Exported to {folder}").format(folder=result["folder"])),
                self.reload()),  # type: ignore[func-returns-value]
            _("Exporting post {id}").format(id=post_id), cancellable=False)

    def record_link(self, url: str | None = None) -> None:
        if not url:
            url, ok = QtWidgets.QInputDialog.getText(self, _("Published"), _(
                "Paste the link of the published post:"))
            if not ok:
                return
        self._act(lambda: self.services.mark_published(self.user.username, self.current_id(),
                                                       url))

    def withdraw(self, reason: str | None = None) -> None:
        if reason is None:
            reason, ok = QtWidgets.QInputDialog.getText(self, _("Withdrawn"), _(
                "The post has been taken down because:"))
            if not ok:
                return
        self._act(lambda: self.services.withdraw_post(self.user.username, self.current_id(),
                                                      reason))


def _escape(text: str | None) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
