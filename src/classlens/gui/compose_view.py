"""Compose (teachers): photos, channel, caption and alt texts, with the policy's
verdict live as you type, the platform's own character count and a preview."""

from __future__ import annotations

from classlens.gui import messages
from classlens.gui.changes import Changes, hub
from classlens.gui.errors import attempt
from classlens.gui.i18n import _
from classlens.gui.post_preview import PostPreview
from classlens.gui.qt import Qt, QtCore, QtGui, QtWidgets
from classlens.gui.words import channel_name, length_summary, post_status, severity_word, uk_date
from classlens.posts.counting import lengths
from classlens.posts.rules import blocking

CHECK_DELAY_MS = 300


class ComposeView(QtWidgets.QWidget):
    def __init__(self, services, user, parent=None):
        super().__init__(parent)
        self.services, self.user = services, user
        self.editing: int | None = None  # the post being edited, if any
        self.class_box = QtWidgets.QComboBox(objectName="composeClass")
        self.channel_box = QtWidgets.QComboBox(objectName="composeChannel")
        self._load_channels()
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
        self.preview = PostPreview(services)
        self.problems.setWordWrap(True)
        self.status_line = QtWidgets.QLabel(objectName="composeStatus", wordWrap=True)
        self.submit_button = QtWidgets.QPushButton(_("Submit for approval"), objectName="submit")
        self.draft_button = QtWidgets.QPushButton(_("Save draft"), objectName="saveDraft")
        self.new_button = QtWidgets.QPushButton(_("New post"), objectName="newPost")
        self.discard_button = QtWidgets.QPushButton(_("Discard my post…"),
                                                    objectName="discardPost")
        self.mine = QtWidgets.QListWidget(objectName="myPosts")
        self.mine.setWordWrap(True)
        self._submitting = False
        self._alt_rows: list[int] = []  # the photo of each alt text row
        self._photo_names: dict[int, str] = {}
        for widget, name in ((self.class_box, _("Class")), (self.channel_box, _("Channel")),
                             (self.photo_list, _("Photos to post")), (self.caption, _("Caption")),
                             (self.alts, _("Alt texts")), (self.problems, _("Policy check")),
                             (self.preview.label, _("Preview")), (self.mine, _("My posts"))):
            widget.setAccessibleName(name)
        # Events (sports day, a trip, a visitor) do not count towards the weekly quota.
        self.event_box = QtWidgets.QCheckBox(_("A school event (not counted in the weekly "
                                               "quota)"), objectName="composeEvent")

        left = QtWidgets.QFormLayout()
        left.addRow(_("Class"), self.class_box)
        left.addRow(_("Channel"), self.channel_box)
        left.addRow("", self.event_box)
        left.addRow(_("Photos"), self.photo_list)
        left.addRow(_("My posts"), self.mine)
        left.addRow("", self.discard_button)
        middle = QtWidgets.QVBoxLayout()
        middle.addWidget(QtWidgets.QLabel(_("Caption")))
        middle.addWidget(self.caption, 2)
        middle.addWidget(self.counter)
        middle.addWidget(self.alts, 1)
        middle.addWidget(QtWidgets.QLabel(_("Policy check (tick a warning to acknowledge it)")))
        middle.addWidget(self.problems, 1)
        middle.addWidget(self.status_line)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch()
        buttons.addWidget(self.draft_button)
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
        self.draft_button.clicked.connect(self.save_draft)
        self.new_button.clicked.connect(self.clear)
        self.discard_button.clicked.connect(lambda: self.discard())
        self.mine.itemActivated.connect(self._open_post)
        self.mine.currentItemChanged.connect(lambda *_a: self._update_discard())
        hub(self.services).operation_did_execute.connect(self.on_changes)
        for name in sorted({p.class_name for p in services.pupils.list_pupils() if p.class_name}):
            self.class_box.addItem(name, name)
        self._load_photos()
        self.reload_mine()

    def on_changes(self, changes: Changes, _origin) -> None:
        """Photos imported or reviewed elsewhere appear here; my posts follow decisions."""
        if changes.school:
            self._load_channels()
        if changes.photos or changes.register or changes.school:
            self.preview.forget()
            self._load_photos()
        if changes.posts:
            self.reload_mine()

    def _load_channels(self) -> None:
        """The school's channels in its words; the choice stays, else the default."""
        current = self.channel_box.currentData() or default_channel(self.services)
        self.channels = {c.name: c for c in self.services.settings.channels()}
        self.channel_box.blockSignals(True)
        self.channel_box.clear()
        for name, channel in self.channels.items():
            self.channel_box.addItem(channel_name(channel), name)
        self.channel_box.setCurrentIndex(max(0, self.channel_box.findData(current)))
        self.channel_box.blockSignals(False)

    # -- content ----------------------------------------------------------------

    def _load_photos(self) -> None:
        """The class's photos, keeping the ticks of photos still there."""
        ticked = set(self.selected_photos())
        self.photo_list.blockSignals(True)
        self.photo_list.clear()
        self._photo_names = {}
        for photo in self.services.photos.photos(self.class_box.currentData()):
            when = uk_date(photo.captured_at or photo.imported_at)
            self._photo_names[photo.id] = photo.original_name
            item = QtWidgets.QListWidgetItem(f"{photo.original_name}\n{when}")
            item.setToolTip(_("Imported by {who} on {when}").format(
                who=photo.imported_by, when=uk_date(photo.imported_at)))
            item.setData(Qt.ItemDataRole.UserRole, photo.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if photo.id in ticked
                               else Qt.CheckState.Unchecked)
            item.setIcon(QtGui.QIcon(str(self.services.photos.thumbnail(photo.id, 256))))
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
        """One alt text row per ticked photo, keeping what was typed for each photo."""
        typed = {self._alt_rows[r]: text for r, text in enumerate(self.alt_texts())
                 if r < len(self._alt_rows)}
        self._alt_rows = self.selected_photos()
        self.alts.blockSignals(True)
        self.alts.setRowCount(len(self._alt_rows))
        for row, photo_id in enumerate(self._alt_rows):
            label = QtWidgets.QTableWidgetItem(self._photo_names.get(photo_id, str(photo_id)))
            label.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.alts.setItem(row, 0, label)
            self.alts.setItem(row, 1, QtWidgets.QTableWidgetItem(typed.get(photo_id, "")))
        self.alts.resizeColumnToContents(0)
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
        counted = lengths(channel.platform, self.caption.toPlainText())
        over = any(n.over for n in counted)
        self.counter.setText(length_summary(channel.platform, counted))
        self.counter.setStyleSheet("color: #b91c1c; font-weight: bold" if over else "")

    def check(self) -> None:
        acked = set(self.acknowledged())
        try:
            problems = self.services.posts.check_draft(
                self.class_box.currentData(), self.channel_box.currentData(),
                self.caption.toPlainText(), self.selected_photos(), self.alt_texts(),
                self.kind())
        except Exception as error:  # noqa: BLE001
            problems = []
            self.preview.label.setText(str(error))
        self.problems.blockSignals(True)
        self.problems.clear()
        for p in problems:
            item = QtWidgets.QListWidgetItem(f"{severity_word(p.severity)}: {p.message}")
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
        self.submit_button.setEnabled(ready and not self._submitting)
        self.draft_button.setEnabled(bool(self.caption.toPlainText().strip()
                                          or self.selected_photos()) and not self._submitting)

    def _preview(self) -> None:
        """The post as it will look: caption and the images exactly as exported."""
        channel = self.channel_box.currentData()
        label = channel_name(self.channels[channel]) if channel in self.channels else ""
        self.preview.show_post(self.caption.toPlainText(), self.selected_photos(), channel,
                               label)

    # -- saving -----------------------------------------------------------------

    def _save(self, submit: bool):
        """Stage (or update) the post, and submit it when asked. Returns the view."""
        args = (self.caption.toPlainText(), self.selected_photos(), self.alt_texts(),
                self.acknowledged())
        if self.editing is None:
            view = self.services.posts.stage(self.user.username, self.class_box.currentData(),
                                             self.channel_box.currentData(), *args,
                                             kind=self.kind())
        else:
            view = self.services.posts.edit(self.user.username, self.editing, *args,
                                            kind=self.kind())
        # Kept at once: a refused submit leaves a draft to come back to, not a twin.
        self.editing = view.id
        return self.services.posts.submit(self.user.username, view.id) if submit else view

    def submit(self) -> int | None:
        """Submit for approval: the button is off while it runs, and on success
        the form is emptied, so a second click cannot make a second post."""
        if self._submitting:
            return None
        self._submitting = True
        self._update_submit()
        try:
            view = attempt(self, lambda: self._save(submit=True), Changes(posts=True))
        finally:
            self._submitting = False
        if view is None:
            self.reload_mine()
            self._update_submit()
            return None
        messages.info(_("Your post “{caption}” is waiting for approval by senior "
                        "leadership.").format(caption=_short(view.caption)))
        self.clear()
        self.status_line.setText(_("Sent for approval: “{caption}”.").format(
            caption=_short(view.caption)))
        return view.id

    def save_draft(self) -> int | None:
        view = attempt(self, lambda: self._save(submit=False), Changes(posts=True))
        if view is None:
            return None
        self.status_line.setText(_("Draft saved at {time}. Find it under My posts.").format(
            time=QtCore.QTime.currentTime().toString("HH:mm")))
        return view.id

    def discard(self, post_id: int | None = None, confirm: bool = True) -> bool:
        """Throw away one of my posts nobody has approved, after asking."""
        item = self.mine.currentItem()
        post_id = post_id or (item.data(Qt.ItemDataRole.UserRole) if item else None)
        if post_id is None:
            return False
        view = self.services.posts.post(post_id)
        if confirm and QtWidgets.QMessageBox.question(
                self, _("Discard this post?"),
                _("Discard “{caption}”? It will not be sent for approval or published.").format(
                    caption=_short(view.caption))) != QtWidgets.QMessageBox.StandardButton.Yes:
            return False
        if attempt(self, lambda: self.services.posts.discard_draft(self.user.username, post_id),
                   Changes(posts=True)) is None:
            return False
        if self.editing == post_id:
            self.clear()
        messages.info(_("Discarded “{caption}”.").format(caption=_short(view.caption)))
        return True

    def kind(self) -> str:
        return "event" if self.event_box.isChecked() else "general"

    def clear(self) -> None:
        self.editing = None
        self.caption.clear()
        self.event_box.setChecked(False)
        self.select_photos([])
        self.status_line.clear()

    def reload_mine(self) -> None:
        current = self.mine.currentItem()
        current_id = current.data(Qt.ItemDataRole.UserRole) if current else None
        self.mine.clear()
        for view in self.services.posts.posts():
            if view.author != self.user.username or view.status == "discarded":
                continue
            text = f"{post_status(view.status)} · {_short(view.caption, 40)}"
            if view.rejection_reason:
                text += "\n" + _("Sent back: {why}").format(why=view.rejection_reason)
            item = QtWidgets.QListWidgetItem(text)
            item.setToolTip(text)
            item.setData(Qt.ItemDataRole.UserRole, view.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, view.status)
            self.mine.addItem(item)
            if view.id == current_id:
                self.mine.setCurrentItem(item)
        self._update_discard()

    def _update_discard(self) -> None:
        item = self.mine.currentItem()
        self.discard_button.setEnabled(item is not None and item.data(
            Qt.ItemDataRole.UserRole + 1) in ("draft", "rejected", "submitted"))

    def _open_post(self, item) -> None:
        view = self.services.posts.post(item.data(Qt.ItemDataRole.UserRole))
        if view.status not in ("draft", "rejected", "submitted", "approved"):
            return
        self.editing = view.id
        self.event_box.setChecked(view.kind == "event")
        self.class_box.setCurrentIndex(self.class_box.findData(view.class_name))
        self.channel_box.setCurrentIndex(self.channel_box.findData(view.channel))
        self.caption.setPlainText(view.caption)
        self.select_photos([p["photo_id"] for p in view.photos])
        alts = {p["photo_id"]: p["alt"] for p in view.photos}
        for row, photo_id in enumerate(self._alt_rows):
            self.set_alt(row, alts.get(photo_id, ""))
        self.status_line.setText(_("Editing your post ({status}). Saving it makes it a draft "
                                   "again until you submit it.").format(
                                       status=post_status(view.status).lower()))


def _short(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length - 1] + "…"


def default_channel(services) -> str | None:
    """The channel a post starts on: the school's own kind of feed (a private
    feed under a private-feed policy), else the first channel."""
    wanted = "social_private" if services.policy().account == "private" else "social_public"
    channels = services.settings.channels()
    for channel in channels:
        if channel.category == wanted:
            return channel.name
    return channels[0].name if channels else None
