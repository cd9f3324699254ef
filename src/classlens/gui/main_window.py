"""The main window: one tab per job, shown according to the signed-in role."""

from __future__ import annotations

from classlens.gui.compose_view import ComposeView
from classlens.gui.dashboard_view import DashboardView
from classlens.gui.i18n import _
from classlens.gui.photos_view import PhotosView
from classlens.gui.posts_view import PostsView
from classlens.gui.qt import QtWidgets
from classlens.gui.register_view import RegisterView

# Which screens each role works in (the core checks every action again).
SCREENS = {
    "teacher": ("dashboard", "photos", "compose", "posts"),
    "ict": ("dashboard", "register", "photos", "compose", "posts"),
    "slt": ("dashboard", "posts", "register", "photos", "compose"),
}


class MainWindow(QtWidgets.QMainWindow):
    def __init__(self, services, user, parent=None):
        super().__init__(parent)
        self.services, self.user = services, user
        school = services.school()
        self.setWindowTitle(f"ClassLens — {school.name}")
        self.tabs = QtWidgets.QTabWidget(objectName="tabs")
        self.views: dict[str, QtWidgets.QWidget] = {}
        makers = {
            "dashboard": (DashboardView, _("Dashboard")),
            "register": (RegisterView, _("Register")),
            "photos": (PhotosView, _("Photos")),
            "compose": (ComposeView, _("Compose")),
            "posts": (PostsView, _("Approvals") if user.role == "slt" else _("Posts")),
        }
        for key in SCREENS[user.role]:
            view_class, title = makers[key]
            self.views[key] = view_class(services, user)
            self.tabs.addTab(self.views[key], title)
        self.tabs.currentChanged.connect(self._refresh_current)
        central = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        self.audit_warning = self._audit_warning(services.verify_audit())
        if self.audit_warning is not None:
            layout.addWidget(self.audit_warning)
        layout.addWidget(self.tabs)
        self.setCentralWidget(central)
        self.statusBar().showMessage(_("Signed in as {user} ({role}) · policy {policy}").format(
            user=user.username, role=user.role, policy=school.policy))
        self.resize(1280, 800)

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

    def show_screen(self, key: str) -> QtWidgets.QWidget:
        view = self.views[key]
        self.tabs.setCurrentWidget(view)
        return view

    def _refresh_current(self, _index: int) -> None:
        view = self.tabs.currentWidget()
        reload = getattr(view, "reload", None) or getattr(view, "reload_mine", None)
        if reload is not None:
            reload()
