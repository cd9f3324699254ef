"""Start-up: create or open a school, then choose who you are."""

from __future__ import annotations

from classlens.errors import ClassLensError
from classlens.gui.i18n import _
from classlens.gui.qt import Qt, QtWidgets
from classlens.policy.presets import PRESETS
from classlens.services.signin import MIN_LENGTH, check_new_password


def _password_field(name: str) -> QtWidgets.QLineEdit:
    field = QtWidgets.QLineEdit(objectName=name)
    field.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
    return field


def _message_label() -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(objectName="message", wordWrap=True)
    label.setStyleSheet("color: #b91c1c")
    return label


def _new_password(first: QtWidgets.QLineEdit, again: QtWidgets.QLineEdit) -> str:
    """The password typed twice, or ClassLensError saying what is wrong."""
    if first.text() != again.text():
        raise ClassLensError(_("The two passwords differ."))
    return check_new_password(first.text())


class FirstRunDialog(QtWidgets.QDialog):
    """No school in this database yet: create one, or open the demo school."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Welcome to ClassLens"))
        self.choice: str | None = None
        self.name = QtWidgets.QLineEdit(objectName="schoolName",
                                        placeholderText=_("Redbourn Primary School"))
        self.policy = QtWidgets.QComboBox(objectName="policy")
        self.password = _password_field("adminPassword")
        self.again = _password_field("adminPasswordAgain")
        self.message = _message_label()
        # The preset's name in the list and its summary below it, wrapped: the
        # summaries are whole sentences that made the dialog 1295 pixels wide.
        self.policy_summary = QtWidgets.QLabel(objectName="policySummary", wordWrap=True)
        for preset in PRESETS.values():
            self.policy.addItem(preset.name, preset.name)
            self.policy.setItemData(self.policy.count() - 1, preset.summary,
                                    Qt.ItemDataRole.ToolTipRole)
        self.policy.currentIndexChanged.connect(lambda: self.policy_summary.setText(
            PRESETS[self.policy.currentData()].summary))
        self.policy_summary.setText(PRESETS[self.policy.currentData()].summary)
        self.name.setAccessibleName(_("School name"))
        self.policy.setAccessibleName(_("Policy"))
        self.password.setAccessibleName(_("Password"))
        self.again.setAccessibleName(_("Password again"))
        create = QtWidgets.QPushButton(_("Create a school"), objectName="create")
        demo = QtWidgets.QPushButton(_("Open the demo school"), objectName="demo")
        create.clicked.connect(self._create)
        demo.clicked.connect(self._demo)
        form = QtWidgets.QFormLayout(self)
        form.addRow(QtWidgets.QLabel(_("There is no school in this database yet.")))
        form.addRow(_("School name"), self.name)
        form.addRow(_("Policy"), self.policy)
        form.addRow("", self.policy_summary)
        form.addRow(QtWidgets.QLabel(_("You will sign in as the ICT leader 'admin'. Choose "
                                       "its password (at least {n} characters).").format(
                                           n=MIN_LENGTH), wordWrap=True))
        form.addRow(_("Password"), self.password)
        form.addRow(_("Again"), self.again)
        form.addRow(self.message)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(demo)
        buttons.addStretch()
        buttons.addWidget(create)
        form.addRow(buttons)
        self.setMinimumWidth(560)
        self.resize(620, 360)

    def _create(self) -> None:
        if not self.name.text().strip():
            self.message.setText(_("Give the school's name."))
            return
        try:
            _new_password(self.password, self.again)
        except ClassLensError as error:
            self.message.setText(str(error))
            return
        self.choice = "create"
        self.accept()

    def _demo(self) -> None:
        self.choice = "demo"
        self.accept()


class ChangePasswordDialog(QtWidgets.QDialog):
    """First sign-in with the initial password an ICT leader gave: choose your own."""

    def __init__(self, services, username: str, initial: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Choose your password"))
        self.services, self.username, self.initial = services, username, initial
        self.password = _password_field("newPassword")
        self.again = _password_field("newPasswordAgain")
        self.message = _message_label()
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QtWidgets.QFormLayout(self)
        form.addRow(QtWidgets.QLabel(_(
            "You signed in with the password your ICT leader gave you. Choose your own now "
            "(at least {n} characters); from now on only you know it.").format(n=MIN_LENGTH),
            wordWrap=True))
        form.addRow(_("New password"), self.password)
        form.addRow(_("Again"), self.again)
        form.addRow(self.message)
        form.addRow(buttons)

    def accept(self) -> None:
        try:
            new = _new_password(self.password, self.again)
            if new == self.initial:
                raise ClassLensError(_("Choose a password other than the one you were given."))
            self.services.signin.set_password(self.username, self.username, new)
        except ClassLensError as error:
            self.message.setText(str(error))
            return
        super().accept()


def finish_sign_in(services, user, password: str, parent=None) -> bool:
    """After a correct password: an initial one must be changed before going on."""
    if not user.must_change_password:
        return True
    dialog = ChangePasswordDialog(services, user.username, password, parent)
    return dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted


class SignInDialog(QtWidgets.QDialog):
    """Choose who you are and give your password."""

    def __init__(self, services, last_user: str = "", parent=None, hint: str = ""):
        super().__init__(parent)
        self.setWindowTitle(_("Who are you?"))
        self.services = services
        self.users = services.users.users()
        self.signed_in = None
        self.list = QtWidgets.QListWidget(objectName="users")
        for user in self.users:
            self.list.addItem(f"{user.username} ({user.role})")
        self.password = _password_field("password")
        self.prompt = QtWidgets.QLabel(_("Password"))
        self.hint = QtWidgets.QLabel(hint, objectName="signInHint", wordWrap=True)
        self.hint.setVisible(bool(hint))
        self.message = _message_label()
        self.message.setObjectName("signInMessage")
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.currentRowChanged.connect(self._user_changed)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        names = [u.username for u in self.users]
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(QtWidgets.QLabel(_("Choose your name. What you can do depends on your "
                                            "role.")))
        layout.addWidget(self.list)
        layout.addWidget(self.hint)
        layout.addWidget(self.prompt)
        layout.addWidget(self.password)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.list.setCurrentRow(names.index(last_user) if last_user in names else 0)

    def _user_changed(self) -> None:
        self.message.clear()
        self.password.clear()
        if not self.services.signin.needs_password(self.user().username):
            self.message.setText(_("This account has no password yet, so it is locked: ask "
                                   "your ICT leader to set one."))

    def user(self):
        return self.users[self.list.currentRow()]

    def accept(self) -> None:
        password = self.password.text()
        try:
            user = self.services.signin.sign_in(self.user().username, password or None)
        except Exception as error:  # noqa: BLE001 - wrong password, locked: shown here
            self.message.setText(str(error))
            self.password.selectAll()
            return
        if not finish_sign_in(self.services, user, password, self):
            self.message.setText(_("Choose your own password to continue."))
            return
        self.signed_in = user
        super().accept()
