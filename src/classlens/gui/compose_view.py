"""Compose (teachers): photos, channel, caption and alt texts, with the policy's
verdict live as you type, the platform's own character count and a preview."""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path

from classlens.gui.errors import attempt
from classlens.gui.i18n import _
from classlens.gui.qt import Qt, QtCore, QtGui, QtWidgets
from classlens.gui.worker import run_in_background
from classlens.posts.counting import lengths
from classlens.posts.rules import blocking

CHECK_DELAY_MS = 300


class ComposeView(QtWidgets.QWidget):
    def __init__(self, services, user, parent=None):
        super().__init__(parent)
        self.services, self.user = services, user
        self.editing: int | None = None  # the post being edited, if any
        self._rendered: dict[tuple[int, str], str] = {}
        self._scratch = Path(tempfile.mkdtemp(prefix="classlens-preview-"))
        # The previews go with the screen (or at exit): said here, not left to a
        # TemporaryDirectory's implicit clean-up, which warns about the leak.
        weakref.finalize(self, shutil.rmtree, self._scratch, ignore_errors=True)
        self.class_box = QtWidgets.QComboBox(objectName="composeClass")
        self.channel_box = QtWidgets.QComboBox(objectName="composeChannel")
        self.channels = {c.name: c for c in services.channels()}
        for name in self.channels:
            self.channel_box.addItem(name, name)
        self.photo_list = QtWidgets.QListWidget(objectName="composePhotos")
        self.photo_list.setIconSize(QtCore.QSize(96, 96))
        self.caption = QtWidgets.QPlainTextEdit(objectName="caption")
        self.caption.setPlaceholderText(_("Oak: what we learnt this week…"))
        self.counter = QtWidgets.QLabel(objectName="counter")
        self.alts = QtWidgets.QTableWidget(0, 2, objectName="altTexts")
        self.alts.setHorizontalHeaderLabels([_("Photo"), _("Alt text (describe the image)")])
        self.alts.horizontalHeader().setStretchLastSection(True)
        self.alts.verticalHeader().setVisible(False)
        self.problems = QtWidgets.QListWidget(objectName="problems")
        self.preview = QtWidgets.QLabel(objectName="preview", wordWrap=True)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.preview.setMinimumWidth(320)
        self.submit_button = QtWidgets.QPushButton(_("Submit for approval"), objectName="submit")
        self.new_button = QtWidgets.QPushButton(_("New post"), objectName="newPost")
        self.mine = QtWidgets.QListWidget(objectName="myPosts")
        # Events (sports day, a trip, a visitor) do not count towards the weekly quota.
        self.event_box = QtWidgets.QCheckBox(_("A school event (not counted in the weekly "
                                               "quota)"), objectName="composeEvent")

        left = QtWidgets.QFormLayout()
        left.addRow(_("Class"), self.class_box)
        left.addRow(_("Channel"), self.channel_box)
        left.addRow("", self.event_box)
        left.addRow(_("Photos"), self.photo_list)
        left.addRow(_("My posts"), self.mine)
        middle = QtWidgets.QVBoxLayout()
        middle.addWidget(QtWidgets.QLabel(_("Caption")))
        middle.addWidget(self.caption, 2)
        middle.addWidget(self.counter)
        middle.addWidget(self.alts, 1)
        middle.addWidget(QtWidgets.QLabel(_("Policy check (tick a warning to acknowledge it)")))
        middle.addWidget(self.problems, 1)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch()
        buttons.addWidget(self.submit_button)
        middle.addLayout(buttons)
        right = QtWidgets.QVBoxLayout()
        right.addWidget(QtWidgets.QLabel(_("Preview")))
        right.addWidget(self.preview, 1)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addLayout(middle, 2)
        layout.addLayout(right, 1)

        self._timer = QtCore.QTimer(self, singleShot=True, interval=CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check)
        self.caption.textChanged.connect(self._timer.start)
        self.caption.textChanged.connect(self._count)
        self.channel_box.currentIndexChanged.connect(self._timer.start)
        self.event_box.toggled.connect(self._timer.start)
        self.channel_box.currentIndexChanged.connect(self._count)
        self.class_box.currentIndexChanged.connect(self._load_photos)
        self.photo_list.itemChanged.connect(self._photos_changed)
        self.alts.itemChanged.connect(self._timer.start)
        self.problems.itemChanged.connect(self._update_submit)
        self.submit_button.clicked.connect(self.submit)
        self.new_button.clicked.connect(self.clear)
        self.mine.itemActivated.connect(self._open_post)
        for name in sorted({p.class_name for p in services.list_pupils() if p.class_name}):
            self.class_box.addItem(name, name)
        self._load_photos()
        self.reload_mine()

    # -- content ----------------------------------------------------------------

    def _load_photos(self) -> None:
        self.photo_list.blockSignals(True)
        self.photo_list.clear()
        for photo in self.services.photos(self.class_box.currentData()):
            item = QtWidgets.QListWidgetItem(_("Photo {id}").format(id=photo.id))
            item.setData(Qt.ItemDataRole.UserRole, photo.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setIcon(QtGui.QIcon(str(self.services.thumbnail(photo.id, 256))))
            self.photo_list.addItem(item)
        self.photo_list.blockSignals(False)
        self._photos_changed()

    def selected_photos(self) -> list[int]:
        return [self.photo_list.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.photo_list.count())
                if self.photo_list.item(i).checkState() == Qt.CheckState.Checked]

    def select_photos(self, photo_ids: list[int]) -> None:
        for i in range(self.photo_list.count()):
            item = self.photo_list.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole)
                               in photo_ids else Qt.CheckState.Unchecked)

    def _photos_changed(self) -> None:
        old = {self.alts.item(r, 0).text(): self.alts.item(r, 1).text()
               for r in range(self.alts.rowCount()) if self.alts.item(r, 1)}
        self.alts.blockSignals(True)
        photos = self.selected_photos()
        self.alts.setRowCount(len(photos))
        for row, photo_id in enumerate(photos):
            label = QtWidgets.QTableWidgetItem(str(photo_id))
            label.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.alts.setItem(row, 0, label)
            self.alts.setItem(row, 1, QtWidgets.QTableWidgetItem(old.get(str(photo_id), "")))
        self.alts.blockSignals(False)
        self._timer.start()

    def set_alt(self, row: int, text: str) -> None:
        self.alts.item(row, 1).setText(text)

    def alt_texts(self) -> list[str]:
        return [self.alts.item(r, 1).text() if self.alts.item(r, 1) else ""
                for r in range(self.alts.rowCount())]

    def acknowledged(self) -> list[str]:
        return [self.problems.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.problems.count())
                if self.problems.item(i).checkState() == Qt.CheckState.Checked]

    # -- live checks ------------------------------------------------------------

    def _count(self) -> None:
        channel = self.channels[self.channel_box.currentData()]
        parts = [f"{n.count} / {n.limit} {n.unit}" if n.limit else f"{n.count} {n.unit}"
                 for n in lengths(channel.platform, self.caption.toPlainText())]
        over = any(n.over for n in lengths(channel.platform, self.caption.toPlainText()))
        self.counter.setText(f"{channel.platform}: " + ", ".join(parts))
        self.counter.setStyleSheet("color: #b91c1c; font-weight: bold" if over else "")

    def check(self) -> None:
        acked = set(self.acknowledged())
        try:
            problems = self.services.check_draft(
                self.class_box.currentData(), self.channel_box.currentData(),
                self.caption.toPlainText(), self.selected_photos(), self.alt_texts(),
                self.kind())
        except Exception as error:  # noqa: BLE001
            problems = []
            self.preview.setText(str(error))
        self.problems.blockSignals(True)
        self.problems.clear()
        for p in problems:
            item = QtWidgets.QListWidgetItem(f"{p.severity.upper()}: {p.message}")
            item.setData(Qt.ItemDataRole.UserRole, p.rule)
            item.setForeground(QtGui.QColor("#b91c1c" if p.severity == "error" else "#92400e"))
            if p.severity == "warning":
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if p.rule in acked
                                   else Qt.CheckState.Unchecked)
            self.problems.addItem(item)
        if not problems:
            self.problems.addItem(_("✓ Meets the school's policy."))
        self.problems.blockSignals(False)
        self._problems = problems
        self._update_submit()
        self._preview()

    def _update_submit(self) -> None:
        problems = getattr(self, "_problems", None)
        ready = (problems is not None and bool(self.caption.toPlainText().strip())
                 and not blocking(problems, self.acknowledged()))
        self.submit_button.setEnabled(ready)

    def _preview(self) -> None:
        """The post as it will look: caption and the images exactly as exported."""
        channel = self.channel_box.currentData()
        missing = [(i, channel) for i in self.selected_photos()
                   if (i, channel) not in self._rendered]
        if missing:
            def render(state):
                return {key: self._render_file(*key) for key in missing}

            def done(files):
                self._rendered.update(files)
                self._preview()

            run_in_background(self, render, done, _("Preparing the preview"), cancellable=False)
        images = "".join(f"<img src='{self._rendered[(i, channel)]}' width='300'><br>"
                         for i in self.selected_photos() if (i, channel) in self._rendered)
        text = self.caption.toPlainText().replace("&", "&amp;").replace("<", "&lt;")
        self.preview.setText(f"<p><b>{channel}</b></p><p>{text}</p>{images}")

    def _render_file(self, photo_id: int, channel: str) -> str:
        """The exported rendering in a temporary file the preview label can show."""
        try:
            data = self.services.render_photo(photo_id, channel).data
        except Exception:  # noqa: BLE001 - a never-publish photo: the rule list says why
            return ""
        path = self._scratch / f"{photo_id}-{channel}.jpg"
        path.write_bytes(data)
        return str(path)

    # -- saving -----------------------------------------------------------------

    def submit(self) -> int | None:
        args = (self.caption.toPlainText(), self.selected_photos(), self.alt_texts(),
                self.acknowledged())
        def save_and_submit():
            if self.editing is None:
                view = self.services.stage(self.user.username, self.class_box.currentData(),
                                           self.channel_box.currentData(), *args,
                                           kind=self.kind())
            else:
                view = self.services.edit(self.user.username, self.editing, *args,
                                          kind=self.kind())
            return self.services.submit(self.user.username, view.id)

        view = attempt(self, save_and_submit)
        if view is None:
            return None
        self.preview.setText(_("Post {id} is waiting for approval.").format(id=view.id))
        self.editing = None
        self.reload_mine()
        return view.id

    def kind(self) -> str:
        return "event" if self.event_box.isChecked() else "general"

    def clear(self) -> None:
        self.editing = None
        self.caption.clear()
        self.select_photos([])

    def reload_mine(self) -> None:
        self.mine.clear()
        for view in self.services.posts():
            if view.author != self.user.username:
                continue
            text = f"{view.id} · {view.status} · {view.caption[:30]}"
            if view.rejection_reason:
                text += "\n  " + _("Rejected: {why}").format(why=view.rejection_reason)
            item = QtWidgets.QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, view.id)
            self.mine.addItem(item)

    def _open_post(self, item) -> None:
        view = self.services.post(item.data(Qt.ItemDataRole.UserRole))
        if view.status not in ("draft", "rejected", "submitted", "approved"):
            return
        self.editing = view.id
        self.event_box.setChecked(view.kind == "event")
        self.class_box.setCurrentIndex(self.class_box.findData(view.class_name))
        self.channel_box.setCurrentIndex(self.channel_box.findData(view.channel))
        self.caption.setPlainText(view.caption)
        self.select_photos([p["photo_id"] for p in view.photos])
        for row, photo in enumerate(view.photos):
            self.set_alt(row, photo["alt"])
