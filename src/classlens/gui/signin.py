"""Start-up: create or open a school, then choose who you are."""

from __future__ import annotations

from classlens.gui.i18n import _
from classlens.gui.qt import QtWidgets
from classlens.policy.presets import PRESETS


class FirstRunDialog(QtWidgets.QDialog):
    """No school in this database yet: create one, or open the demo school."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Welcome to ClassLens"))
        self.choice: str | None = None
        self.name = QtWidgets.QLineEdit(objectName="schoolName",
                                        placeholderText=_("Redbourn Primary School"))
        self.policy = QtWidgets.QComboBox(objectName="policy")
        for preset in PRESETS.values():
            self.policy.addItem(f"{preset.name}: {preset.summary}", preset.name)
        create = QtWidgets.QPushButton(_("Create a school"), objectName="create")
        demo = QtWidgets.QPushButton(_("Open the demo school"), objectName="demo")
        create.clicked.connect(self._create)
        demo.clicked.connect(self._demo)
        form = QtWidgets.QFormLayout(self)
        form.addRow(QtWidgets.QLabel(_("There is no school in this database yet.")))
        form.addRow(_("School name"), self.name)
        form.addRow(_("Policy"), self.policy)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(demo)
        buttons.addStretch()
        buttons.addWidget(create)
        form.addRow(buttons)

    def _create(self) -> None:
        if self.name.text().strip():
            self.choice = "create"
            self.accept()

    def _demo(self) -> None:
        self.choice = "demo"
        self.accept()


class SignInDialog(QtWidgets.QDialog):
    """Choose who you are and give your password (or choose one, the first time)."""

    def __init__(self, services, last_user: str = "", parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Who are you?"))
        self.services = services
        self.users = services.users()
        self.signed_in = None
        self.list = QtWidgets.QListWidget(objectName="users")
        for user in self.users:
            self.list.addItem(f"{user.username} ({user.role})")
        self.password = QtWidgets.QLineEdit(objectName="password")
        self.password.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.prompt = QtWidgets.QLabel()
        self.message = QtWidgets.QLabel(objectName="signInMessage", wordWrap=True)
        self.message.setStyleSheet("color: #b91c1c")
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
        layout.addWidget(self.prompt)
        layout.addWidget(self.password)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.list.setCurrentRow(names.index(last_user) if last_user in names else 0)

    def _user_changed(self) -> None:
        self.message.clear()
        self.password.clear()
        if self.services.needs_password(self.user().username):
            self.prompt.setText(_("Password"))
        else:
            self.prompt.setText(_("Choose a password (at least 8 characters; recommended)"))

    def user(self):
        return self.users[self.list.currentRow()]

    def accept(self) -> None:
        try:
            self.signed_in = self.services.sign_in(self.user().username,
                                                   self.password.text() or None)
        except Exception as error:  # noqa: BLE001 - wrong password, locked: shown here
            self.message.setText(str(error))
            self.password.selectAll()
            return
        super().accept()
