"""The main window: one tab per job, shown according to the signed-in role."""

from __future__ import annotations

from pathlib import Path

from classlens.gui import messages
from classlens.gui.changes import Changes, announce
from classlens.gui.compose_view import ComposeView
from classlens.gui.dashboard_view import DashboardView
from classlens.gui.errors import attempt
from classlens.gui.i18n import _
from classlens.gui.messages import MessageArea
from classlens.gui.photos_view import PhotosView
from classlens.gui.posts_view import PostsView
from classlens.gui.qt import QtGui, QtWidgets, Signal
from classlens.gui.register_view import RegisterView
from classlens.gui.school_view import SchoolView
from classlens.gui.words import role_name

# Which screens each role works in (the core checks every action again).
SCREENS = {
    "teacher": ("dashboard", "photos", "compose", "posts"),
    "ict": ("dashboard", "register", "school", "photos", "compose", "posts"),
    "slt": ("dashboard", "posts", "register", "photos", "compose"),
}


class MainWindow(QtWidgets.QMainWindow):
    # The user chose "Sign out" (or "Switch user"): the app shows the sign-in again.
    sign_out_requested = Signal()

    def __init__(self, services, user, parent=None):
        super().__init__(parent)
        self.services, self.user = services, user
        self.signing_out = False
        school = services.school()
        self.setWindowTitle(f"ClassLens — {school.name}")
        self.tabs = QtWidgets.QTabWidget(objectName="tabs")
        self.views: dict[str, QtWidgets.QWidget] = {}
        makers = {
            "dashboard": (DashboardView, _("Dashboard")),
            "register": (RegisterView, _("Register")),
            "school": (SchoolView, _("Staff and settings")),
            "photos": (PhotosView, _("Photos")),
            "compose": (ComposeView, _("Compose")),
            "posts": (PostsView, _("Approvals") if user.role == "slt" else _("Posts")),
        }
        # Each screen is built the first time it is shown, so the window is on
        # screen quickly; once built it follows changes through the change signal.
        self._makers = {key: makers[key][0] for key in SCREENS[user.role]}
        self._pages: dict[str, QtWidgets.QWidget] = {}
        for key in SCREENS[user.role]:
            page = QtWidgets.QWidget(objectName=f"page_{key}")
            QtWidgets.QVBoxLayout(page).setContentsMargins(0, 0, 0, 0)
            self._pages[key] = page
            self.tabs.addTab(page, makers[key][1])
        self.tabs.currentChanged.connect(self._build_current)
        self._build(SCREENS[user.role][0])
        self.tabs.setAccessibleName(_("Screens"))
        central = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        self.audit_warning = self._audit_warning(services.audit_log.verify_audit())
        if self.audit_warning is not None:
            layout.addWidget(self.audit_warning)
        self.messages = MessageArea()
        layout.addWidget(self.messages)
        layout.addWidget(self.tabs)
        self.setCentralWidget(central)
        session_menu = self.menuBar().addMenu(_("&File"))
        session_menu.addAction(_("Sign out"), QtGui.QKeySequence("Ctrl+Shift+Q"),
                               self.sign_out).setObjectName("signOut")
        session_menu.addAction(_("Switch user…"), self.sign_out)
        session_menu.addSeparator()
        session_menu.addAction(_("Quit"), QtGui.QKeySequence.StandardKey.Quit, self.close)
        if user.role == "ict":
            school_menu = self.menuBar().addMenu(_("&School"))
            school_menu.addAction(_("Back up…"), self._choose_backup)
            school_menu.addAction(_("Restore from a backup…"), self._choose_restore)
        self.who = QtWidgets.QLabel(_("Signed in as {user} ({role}) · policy {policy}").format(
            user=user.username, role=role_name(user.role), policy=school.policy),
            objectName="signedInAs")
        self.statusBar().addPermanentWidget(self.who)
        sign_out = QtWidgets.QPushButton(_("Sign out"), objectName="signOutButton")
        sign_out.clicked.connect(self.sign_out)
        self.statusBar().addPermanentWidget(sign_out)
        for number in range(min(self.tabs.count(), 9)):  # Alt+1..9 jumps to a screen
            QtGui.QShortcut(QtGui.QKeySequence(f"Alt+{number + 1}"), self,
                            activated=lambda n=number: self.tabs.setCurrentIndex(n))
        self.setMinimumSize(1024, 640)
        self.resize(1280, 720)

    def sign_out(self) -> None:
        """Close this window and go back to the sign-in screen (a shared PC)."""
        self.signing_out = True
        self.sign_out_requested.emit()
        self.close()

    @staticmethod
    def _audit_warning(report) -> QtWidgets.QLabel | None:
        """A red band above every screen, for as long as the log stays broken: it
        cannot be dismissed, because the school must act on it."""
        if report.intact:
            return None
        label = QtWidgets.QLabel(_(
            "Warning: the audit log has been tampered with. Entry {entry} does not match "
            "({problem}), so the record of who did what cannot be trusted from there on. "
            "Tell your ICT leader: keep this database as it is and restore the register "
            "from a backup you trust.").format(entry=report.first_bad_id,
                                               problem=report.problem),
            objectName="auditWarning", wordWrap=True)
        label.setStyleSheet("background: #b00020; color: white; font-weight: bold; "
                            "font-size: 14pt; padding: 12px;")
        return label

    def _choose_backup(self) -> None:
        path, _filter = QtWidgets.QFileDialog.getSaveFileName(
            self, _("Back up the register and photos"), "classlens-backup.zip",
            _("ClassLens backups (*.zip)"))
        if path:
            self.backup_to(Path(path))

    def _choose_restore(self) -> None:
        path, _filter = QtWidgets.QFileDialog.getOpenFileName(
            self, _("Restore from a backup"), "", _("ClassLens backups (*.zip)"))
        if path:
            self.restore_from(Path(path))

    def backup_to(self, path: Path) -> dict | None:
        manifest = attempt(self, lambda: self.services.backups.backup(self.user.username, path))
        if manifest is not None:
            messages.info(_("Backed up to {path}.").format(path=path))
        return manifest

    def restore_from(self, path: Path) -> dict | None:
        """Check the backup, ask, then restore; says where the safety copy is."""
        manifest = attempt(self, lambda: self.services.backups.check_backup(path))
        if manifest is None:
            return None
        answer = QtWidgets.QMessageBox.question(
            self, _("Replace the register?"),
            _("This replaces the whole register with the backup made {when} "
              "({files} photos and reference photos). A safety copy of the register as it "
              "is now is kept first. Restore?").format(when=manifest["created_at"][:16],
                                                      files=manifest["files"]),
            QtWidgets.QMessageBox.StandardButton.Yes
            | QtWidgets.QMessageBox.StandardButton.Cancel,
            QtWidgets.QMessageBox.StandardButton.Cancel)
        if answer != QtWidgets.QMessageBox.StandardButton.Yes:
            return None
        restored = attempt(self, lambda: self.services.backups.restore(self.user.username, path))
        if restored is not None:
            messages.info(_("Restored. The register as it was before is kept in "
                            "{path}.").format(path=restored["safety_copy"]))
            announce(Changes.everything(), self)
        return restored

    def _build(self, key: str) -> QtWidgets.QWidget:
        if key not in self.views:
            view = self._makers[key](self.services, self.user)
            self._pages[key].layout().addWidget(view)
            self.views[key] = view
        return self.views[key]

    def _build_current(self, index: int) -> None:
        page = self.tabs.widget(index)
        for key, candidate in self._pages.items():
            if candidate is page:
                self._build(key)

    def show_screen(self, key: str) -> QtWidgets.QWidget:
        view = self._build(key)
        self.tabs.setCurrentWidget(self._pages[key])
        return view
