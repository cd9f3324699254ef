"""Staff accounts (ICT leader): add a member of staff with an initial password,
reset a password, change a role, disable the account of someone who left."""

from __future__ import annotations

import secrets

from classlens.gui import messages
from classlens.gui.changes import Changes
from classlens.gui.errors import attempt
from classlens.gui.i18n import _
from classlens.gui.qt import QtWidgets
from classlens.gui.tables import fill, read_only, selected_key
from classlens.gui.words import role_name
from classlens.roles import ROLES


def initial_password() -> str:
    """An initial password to read out or write down; its owner changes it at
    first sign-in. Words a person can type, not a random string of symbols."""
    return "-".join(secrets.choice(_WORDS) for _ in range(3)) + str(secrets.randbelow(90) + 10)


_WORDS = ("apple", "river", "maple", "cloud", "tiger", "piano", "lemon", "otter", "comet",
          "cedar", "harbour", "meadow", "pebble", "violet", "walnut", "falcon")


class StaffAccountsSection(QtWidgets.QWidget):
    def __init__(self, services, user, parent=None):
        super().__init__(parent)
        self.services, self.user = services, user
        self.staff = read_only([_("Username"), _("Role"), _("Account")], "staff")
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
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(QtWidgets.QLabel(_(
            "A new account gets an initial password that its owner changes at first "
            "sign-in. Disable the account of someone who has left: it is kept in the "
            "audit log but can no longer sign in."), wordWrap=True))
        layout.addWidget(self.staff)
        layout.addLayout(buttons)

    def reload(self) -> None:
        users = self.services.users.users()
        fill(self.staff, [[u.username, role_name(u.role), self._account_state(u)]
                          for u in users], [u.username for u in users])
        self._staff_buttons()

    def _account_state(self, user) -> str:
        if user.disabled:
            return _("Disabled")
        if user.must_change_password:
            return _("Active; changes the initial password at first sign-in")
        return _("Active")

    def _staff_buttons(self) -> None:
        chosen = selected_key(self.staff)
        other = chosen is not None and chosen != self.user.username
        for button in (self.reset_button, self.role_button, self.disable_button):
            button.setEnabled(other)
        tip = "" if chosen != self.user.username else _(
            "Another ICT leader changes your own account.")
        for button in (self.role_button, self.disable_button):
            button.setToolTip(tip)

    def add_user(self, username: str | None = None, role: str | None = None) -> str | None:
        """Add an account; returns the initial password to give its owner."""
        if username is None:
            dialog = AddUserDialog(self)
            if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
                return None
            username, role = dialog.username.text().strip(), dialog.role.currentData()
        password = initial_password()
        add_user = self.services.users.add_user
        done = attempt(self, lambda: add_user(self.user.username, username, role, password) or True,
                       Changes(users=True))
        if done is None:
            return None
        messages.info(_("Added {user} ({role}). Their initial password is {password} — "
                        "give it to them; they choose their own at first sign-in.").format(
                            user=username, role=role_name(str(role)), password=password))
        return password

    def reset_password(self, username: str | None = None) -> str | None:
        username = username or selected_key(self.staff)
        if username is None:
            return None
        password = initial_password()
        set_password = self.services.signin.set_password
        done = attempt(self, lambda: set_password(self.user.username, username, password) or True,
                       Changes(users=True))
        if done is None:
            return None
        messages.info(_("{user}'s new initial password is {password}. They choose their own "
                        "at their next sign-in.").format(user=username, password=password))
        return password

    def change_role(self, username: str | None = None, role: str | None = None) -> bool:
        username = username or selected_key(self.staff)
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
        username = username or selected_key(self.staff)
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
