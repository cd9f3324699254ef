"""Staff and settings (ICT leader): staff accounts, never-publish flags, channels
and the school's policy settings. Every action is checked again by the core."""

from __future__ import annotations

import json
import secrets

from classlens.errors import NeedsConfirmation
from classlens.gui import messages
from classlens.gui.changes import Changes, announce, hub
from classlens.gui.errors import attempt, show_exception
from classlens.gui.i18n import _
from classlens.gui.qt import Qt, QtWidgets
from classlens.gui.words import category_name, channel_name, platform_name, pupil_name, role_name
from classlens.policy.platforms import PLATFORMS
from classlens.register.consent import CATEGORIES
from classlens.roles import ROLES

# Settings a school changes; shown with a sentence each (the preset's own values
# otherwise). The policy's name and summary are not settings.
POLICY_LABELS = {
    "account": "Who can see the school's accounts (private: vetted followers only)",
    "faces": "Faces in published photos (consented, or none at all)",
    "biometric_recognition": "Recognise enrolled pupils by their face",
    "caption_starts_with_class": "Captions start with the class name",
    "allow_hashtags": "Hashtags allowed in captions",
    "allow_mentions": "@mentions allowed in captions",
    "posts_per_class_week_min": "Fewest posts per class each week",
    "posts_per_class_week_max": "Most posts per class each week",
    "group_shots_preferred": "Prefer group photos to photos of one child",
    "consent_renewal": "Consent renewed each school year",
    "report_events_afterwards": "Post about trips only after the event",
    "individual_child_content": "Posts may be about one child",
    "match_tolerance": "Face matching: how close a match must be",
    "match_margin": "Face matching: margin over the next nearest pupil",
    "blur_style": "How faces are hidden (gaussian or pixelate)",
}


def _table(headings: list[str], name: str) -> QtWidgets.QTableWidget:
    table = QtWidgets.QTableWidget(0, len(headings), objectName=name)
    table.setHorizontalHeaderLabels(headings)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
    table.setAccessibleName(name)
    return table


def _fill(table: QtWidgets.QTableWidget, rows: list[list[str]], keys: list) -> None:
    selected = _selected_key(table)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QtWidgets.QTableWidgetItem(value)
            item.setData(Qt.ItemDataRole.UserRole, keys[r])
            table.setItem(r, c, item)
        if keys[r] == selected:
            table.selectRow(r)
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)


def _selected_key(table: QtWidgets.QTableWidget):
    rows = table.selectionModel().selectedRows() if table.selectionModel() else []
    if not rows:
        return None
    return table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)


def initial_password() -> str:
    """An initial password to read out or write down; its owner changes it at
    first sign-in. Words a person can type, not a random string of symbols."""
    return "-".join(secrets.choice(_WORDS) for _ in range(3)) + str(secrets.randbelow(90) + 10)


_WORDS = ("apple", "river", "maple", "cloud", "tiger", "piano", "lemon", "otter", "comet",
          "cedar", "harbour", "meadow", "pebble", "violet", "walnut", "falcon")


class SchoolView(QtWidgets.QWidget):
    def __init__(self, services, user, parent=None):
        super().__init__(parent)
        self.services, self.user = services, user
        self.sections = QtWidgets.QTabWidget(objectName="schoolSections")
        self.sections.addTab(self._staff_page(), _("Staff accounts"))
        self.sections.addTab(self._never_page(), _("Never publish"))
        self.sections.addTab(self._channels_page(), _("Channels"))
        self.sections.addTab(self._policy_page(), _("Policy"))
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.sections)
        hub(self.services).operation_did_execute.connect(self.on_changes)
        self.reload()

    # -- pages ----------------------------------------------------------------

    def _staff_page(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        self.staff = _table([_("Username"), _("Role"), _("Account")], "staff")
        self.add_user_button = QtWidgets.QPushButton(_("Add a member of staff…"),
                                                     objectName="addUser")
        self.reset_button = QtWidgets.QPushButton(_("Reset password…"),
                                                  objectName="resetPassword")
        self.role_button = QtWidgets.QPushButton(_("Change role…"), objectName="changeRole")
        self.disable_button = QtWidgets.QPushButton(_("Disable account…"),
                                                    objectName="disableUser")
        self.add_user_button.clicked.connect(lambda: self.add_user())
        self.reset_button.clicked.connect(lambda: self.reset_password())
        self.role_button.clicked.connect(lambda: self.change_role())
        self.disable_button.clicked.connect(lambda: self.disable_user())
        self.staff.itemSelectionChanged.connect(self._staff_buttons)
        buttons = QtWidgets.QHBoxLayout()
        for button in (self.add_user_button, self.reset_button, self.role_button,
                       self.disable_button):
            buttons.addWidget(button)
        buttons.addStretch()
        layout = QtWidgets.QVBoxLayout(page)
        layout.addWidget(QtWidgets.QLabel(_(
            "A new account gets an initial password that its owner changes at first "
            "sign-in. Disable the account of someone who has left: it is kept in the "
            "audit log but can no longer sign in."), wordWrap=True))
        layout.addWidget(self.staff)
        layout.addLayout(buttons)
        return page

    def _never_page(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        self.never = _table([_("Pupil"), _("Reason (seen by ICT and senior leadership "
                                           "only)")], "neverPublish")
        self.never_pupil = QtWidgets.QComboBox(objectName="neverPupil")
        self.never_pupil.setEditable(True)  # type a name to find the pupil
        self.never_pupil.setInsertPolicy(QtWidgets.QComboBox.InsertPolicy.NoInsert)
        self.never_pupil.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.never_pupil.completer().setCompletionMode(
            QtWidgets.QCompleter.CompletionMode.PopupCompletion)
        self.never_pupil.setAccessibleName(_("Pupil to flag"))
        self.never_reason = QtWidgets.QLineEdit(objectName="neverReason",
                                                placeholderText=_("Why (for example: a court "
                                                                  "order)"))
        self.never_reason.setAccessibleName(_("Reason"))
        flag = QtWidgets.QPushButton(_("Never publish this pupil"), objectName="flagNever")
        unflag = QtWidgets.QPushButton(_("Remove the flag…"), objectName="unflagNever")
        flag.clicked.connect(lambda: self.flag_never())
        unflag.clicked.connect(lambda: self.unflag_never())
        form = QtWidgets.QHBoxLayout()
        form.addWidget(self.never_pupil, 2)
        form.addWidget(self.never_reason, 3)
        form.addWidget(flag)
        layout = QtWidgets.QVBoxLayout(page)
        layout.addWidget(QtWidgets.QLabel(_(
            "A pupil marked never to be published is blurred in every photo, and a photo "
            "that shows them cannot be exported at all, whatever the consent forms say."),
            wordWrap=True))
        layout.addWidget(self.never)
        layout.addWidget(unflag, alignment=Qt.AlignmentFlag.AlignRight)
        layout.addLayout(form)
        return page

    def _channels_page(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        self.channel_table = _table([_("Channel"), _("Consent it needs"), _("Platform")],
                                    "channels")
        self.channel_name = QtWidgets.QLineEdit(objectName="newChannelName",
                                                placeholderText=_("Name, e.g. Oak class blog"))
        self.channel_name.setAccessibleName(_("New channel name"))
        self.channel_category = QtWidgets.QComboBox(objectName="newChannelCategory")
        for category in CATEGORIES:
            self.channel_category.addItem(category_name(category), category)
        self.channel_category.setAccessibleName(_("Consent it needs"))
        self.channel_platform = QtWidgets.QComboBox(objectName="newChannelPlatform")
        for platform in PLATFORMS:
            self.channel_platform.addItem(platform_name(platform).capitalize(), platform)
        self.channel_platform.setAccessibleName(_("Platform"))
        add = QtWidgets.QPushButton(_("Add channel"), objectName="addChannel")
        add.clicked.connect(lambda: self.add_channel())
        form = QtWidgets.QHBoxLayout()
        for widget in (self.channel_name, self.channel_category, self.channel_platform, add):
            form.addWidget(widget)
        layout = QtWidgets.QVBoxLayout(page)
        layout.addWidget(self.channel_table)
        layout.addLayout(form)
        return page

    def _policy_page(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        self.policy_summary = QtWidgets.QLabel(objectName="policySummary", wordWrap=True)
        self.policy_table = _table([_("Setting"), _("Value")], "policySettings")
        self.policy_value = QtWidgets.QLineEdit(objectName="policyValue")
        self.policy_value.setAccessibleName(_("New value"))
        change = QtWidgets.QPushButton(_("Change the selected setting"),
                                       objectName="changePolicy")
        change.clicked.connect(lambda: self.change_policy())
        self.policy_table.itemSelectionChanged.connect(self._policy_selected)
        form = QtWidgets.QHBoxLayout()
        form.addWidget(QtWidgets.QLabel(_("New value")))
        form.addWidget(self.policy_value, 1)
        form.addWidget(change)
        layout = QtWidgets.QVBoxLayout(page)
        layout.addWidget(self.policy_summary)
        layout.addWidget(self.policy_table)
        layout.addLayout(form)
        return page

    # -- showing ----------------------------------------------------------------

    def on_changes(self, changes: Changes, _origin) -> None:
        if changes.users or changes.register or changes.school:
            self.reload()

    def reload(self) -> None:
        users = self.services.users.users()
        _fill(self.staff, [[u.username, role_name(u.role), self._account_state(u)]
                           for u in users], [u.username for u in users])
        self._staff_buttons()
        pupils = self.services.pupils.list_pupils(viewer=self.user.username)
        flagged = [p for p in pupils if p.never_publish]
        _fill(self.never, [[pupil_name(p), p.never_publish_reason or ""] for p in flagged],
              [p.pupil_id for p in flagged])
        current = self.never_pupil.currentData()
        self.never_pupil.clear()
        for p in pupils:
            if p.on_roll and not p.never_publish:
                self.never_pupil.addItem(pupil_name(p), p.pupil_id)
        self.never_pupil.setCurrentIndex(self.never_pupil.findData(current))
        self.never_pupil.setEditText("" if current is None else self.never_pupil.currentText())
        channels = self.services.settings.channels()
        _fill(self.channel_table, [[channel_name(c), category_name(c.category),
                                    platform_name(c.platform).capitalize()] for c in channels],
              [c.name for c in channels])
        policy = self.services.policy()
        self.policy_summary.setText(_("Policy: <b>{name}</b> — {summary}").format(
            name=policy.name, summary=policy.summary))
        values = policy.settings()
        names = [n for n in POLICY_LABELS if n in values]
        _fill(self.policy_table, [[_(POLICY_LABELS[n]), _plain(values[n])] for n in names],
              names)

    def _account_state(self, user) -> str:
        if user.disabled:
            return _("Disabled")
        if user.must_change_password:
            return _("Active; changes the initial password at first sign-in")
        return _("Active")

    def _staff_buttons(self) -> None:
        chosen = _selected_key(self.staff)
        other = chosen is not None and chosen != self.user.username
        for button in (self.reset_button, self.role_button, self.disable_button):
            button.setEnabled(other)
        tip = "" if chosen != self.user.username else _(
            "Another ICT leader changes your own account.")
        for button in (self.role_button, self.disable_button):
            button.setToolTip(tip)

    def _policy_selected(self) -> None:
        name = _selected_key(self.policy_table)
        if name is not None:
            self.policy_value.setText(json.dumps(self.services.policy().settings()[name]))

    # -- staff ----------------------------------------------------------------

    def add_user(self, username: str | None = None, role: str | None = None) -> str | None:
        """Add an account; returns the initial password to give its owner."""
        if username is None:
            dialog = AddUserDialog(self)
            if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
                return None
            username, role = dialog.username.text().strip(), dialog.role.currentData()
        password = initial_password()
        done = attempt(self, lambda: self.services.users.add_user(self.user.username, username,
                                                                  role,
                                                                  password) or True,
                       Changes(users=True))
        if done is None:
            return None
        messages.info(_("Added {user} ({role}). Their initial password is {password} — "
                        "give it to them; they choose their own at first sign-in.").format(
                            user=username, role=role_name(str(role)), password=password))
        return password

    def reset_password(self, username: str | None = None) -> str | None:
        username = username or _selected_key(self.staff)
        if username is None:
            return None
        password = initial_password()
        done = attempt(self, lambda: self.services.signin.set_password(self.user.username, username,
                                                                       password) or True,
                       Changes(users=True))
        if done is None:
            return None
        messages.info(_("{user}'s new initial password is {password}. They choose their own "
                        "at their next sign-in.").format(user=username, password=password))
        return password

    def change_role(self, username: str | None = None, role: str | None = None) -> bool:
        username = username or _selected_key(self.staff)
        if username is None:
            return False
        if role is None:
            labels = [role_name(r) for r in ROLES]
            label, ok = QtWidgets.QInputDialog.getItem(
                self, _("Change role"), _("What does {user} do?").format(user=username),
                labels, 0, False)
            if not ok:
                return False
            role = ROLES[labels.index(label)]
        if attempt(self, lambda: self.services.signin.set_role(self.user.username, username, role)
                   or True, Changes(users=True)) is None:
            return False
        messages.info(_("{user} is now: {role}.").format(user=username, role=role_name(role)))
        return True

    def disable_user(self, username: str | None = None, confirm: bool = True) -> bool:
        username = username or _selected_key(self.staff)
        if username is None:
            return False
        if confirm and QtWidgets.QMessageBox.question(
                self, _("Disable this account?"),
                _("{user} will no longer be able to sign in. Their name stays in the audit "
                  "log. You can enable the account again by resetting its password.").format(
                    user=username)) != QtWidgets.QMessageBox.StandardButton.Yes:
            return False
        if attempt(self, lambda: self.services.signin.disable_user(self.user.username, username)
                   or True, Changes(users=True)) is None:
            return False
        messages.info(_("{user}'s account is disabled.").format(user=username))
        return True

    # -- never publish ------------------------------------------------------------

    def flag_never(self, pupil_id: str | None = None, reason: str | None = None) -> bool:
        index = self.never_pupil.findText(self.never_pupil.currentText())
        pupil_id = pupil_id or (self.never_pupil.itemData(index) if index >= 0 else None)
        reason = self.never_reason.text() if reason is None else reason
        if pupil_id is None:
            messages.warning(_("Choose the pupil first: type part of their name."))
            return False
        if not reason.strip():
            messages.warning(_("Give the reason: only ICT and senior leadership see it."))
            return False
        if attempt(self, lambda: self.services.pupils.set_never_publish(
                self.user.username, pupil_id, True, reason.strip()) or True,
                Changes(register=True, photos=True, posts=True)) is None:
            return False
        self.never_reason.clear()
        messages.info(_("{pupil} will never be published.").format(
            pupil=pupil_name(self.services.pupils.pupil(pupil_id))))
        return True

    def unflag_never(self, pupil_id: str | None = None, confirm: bool = True) -> bool:
        pupil_id = pupil_id or _selected_key(self.never)
        if pupil_id is None:
            return False
        name = pupil_name(self.services.pupils.pupil(pupil_id))
        if confirm and QtWidgets.QMessageBox.question(
                self, _("Remove the flag?"),
                _("{pupil} could then be shown wherever their consent allows. Remove the "
                  "never-publish flag?").format(pupil=name)) != \
                QtWidgets.QMessageBox.StandardButton.Yes:
            return False
        if attempt(self, lambda: self.services.pupils.set_never_publish(
                self.user.username, pupil_id, False) or True,
                Changes(register=True, photos=True, posts=True)) is None:
            return False
        messages.info(_("{pupil} is no longer flagged never to be published.").format(
            pupil=name))
        return True

    # -- channels and policy ----------------------------------------------------

    def add_channel(self) -> bool:
        name = self.channel_name.text().strip()
        if not name:
            messages.warning(_("Give the new channel a name."))
            return False
        if attempt(self, lambda: self.services.settings.add_channel(
                self.user.username, name, self.channel_category.currentData(),
                self.channel_platform.currentData()) or True, Changes(school=True)) is None:
            return False
        self.channel_name.clear()
        messages.info(_("Added the channel {name}.").format(name=name))
        return True

    def change_policy(self, name: str | None = None, raw: str | None = None,
                      confirm_deletion: bool | None = None) -> bool:
        name = name or _selected_key(self.policy_table)
        raw = self.policy_value.text() if raw is None else raw
        if name is None:
            messages.warning(_("Choose a setting first."))
            return False
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw.strip()  # a bare word is a string, as on the command line

        def change(delete: bool):
            return self.services.settings.set_policy(self.user.username, name, value,
                                                     delete_templates=delete) or True

        try:
            change(False)
        except NeedsConfirmation as question:
            if confirm_deletion is None:
                confirm_deletion = QtWidgets.QMessageBox.question(
                    self, _("Delete face templates?"), str(question)) == \
                    QtWidgets.QMessageBox.StandardButton.Yes
            if not confirm_deletion or attempt(self, lambda: change(True)) is None:
                return False
        except Exception as error:  # noqa: BLE001 - shown in the one error dialog
            show_exception(self, error)
            return False
        announce(Changes(school=True, photos=True, posts=True), self)
        messages.info(_("{setting}: now {value}.").format(setting=_(POLICY_LABELS[name]),
                                                         value=_plain(value)))
        return True


def _plain(value) -> str:
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if value is None:
        return _("not set")
    return str(value)


class AddUserDialog(QtWidgets.QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Add a member of staff"))
        self.username = QtWidgets.QLineEdit(objectName="newUsername",
                                            placeholderText=_("e.g. ms.khan"))
        self.role = QtWidgets.QComboBox(objectName="newRole")
        for role in ROLES:
            self.role.addItem(role_name(role), role)
        self.message = QtWidgets.QLabel(objectName="message")
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        form = QtWidgets.QFormLayout(self)
        form.addRow(_("Username"), self.username)
        form.addRow(_("Role"), self.role)
        form.addRow(self.message)
        form.addRow(buttons)

    def _ok(self) -> None:
        if not self.username.text().strip():
            self.message.setText(_("Give a username."))
            return
        self.accept()
