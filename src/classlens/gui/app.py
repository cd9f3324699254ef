"""Starting the desktop app."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from classlens.gui import settings as keys
from classlens.gui.errors import install_excepthook
from classlens.gui.qt import QtCore, QtWidgets
from classlens.gui.settings import Settings

# The screens and the services are imported when first needed, after the first
# window is on screen: importing them (SQLAlchemy, the core) takes a while.


def open_window(services, username: str | None = None, password: str | None = None,
                hint: str = ""):
    """Sign in (or take `username` with `password`) and build the main window."""
    from classlens.gui.main_window import MainWindow
    from classlens.gui.signin import SignInDialog, finish_sign_in

    settings = Settings()
    if username:
        # Started for a named user (smoke tests, kiosks): the password comes from
        # CLASSLENS_PASSWORD as on the command line.
        password = os.environ.get("CLASSLENS_PASSWORD", password)
        user = services.signin.sign_in(username, password)
        if not finish_sign_in(services, user, password or ""):
            return None
    else:
        dialog = SignInDialog(services, settings.get(keys.LAST_USER), hint=hint)
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return None
        user = dialog.signed_in
    settings.set(keys.LAST_USER, user.username)
    return MainWindow(services, user)


def main(db_url: str, library: Path | None, demo: bool, username: str | None,
         exit_after: float | None = None) -> int:
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName("ClassLens")
    install_excepthook()
    from classlens.gui.i18n import _
    from classlens.gui.startup import build_demo_with_progress, report_first_window

    services = build_demo_with_progress() if demo else None  # the first window, at once
    if demo and services is None:
        return 1
    if not demo:
        from classlens.gui.signin import FirstRunDialog
        from classlens.services import Services
        from classlens.storage import Database

        services = Services(Database(db_url), library)
        if not services.users.users():
            first = FirstRunDialog()
            if first.exec() != QtWidgets.QDialog.DialogCode.Accepted:
                return 0
            if first.choice == "demo":
                demo = True
                services = build_demo_with_progress()
                if services is None:
                    return 1
            else:
                services.settings.init_school(first.name.text().strip(), first.policy.currentData(),
                                              first.password.text())
    hint = ""
    from classlens.demo import DEMO_PASSWORD

    if demo:
        # The demo's password is public: it is shown on its sign-in screen.
        hint = _("Demo school: every user's password is “{password}”.").format(
            password=DEMO_PASSWORD)
    password = DEMO_PASSWORD if demo else None
    while True:
        window = open_window(services, username, password, hint=hint)
        if window is None:
            return 0
        window.show()
        report_first_window()
        if exit_after is not None:
            QtCore.QTimer.singleShot(int(exit_after * 1000), window.close)
        code = app.exec()
        if not window.signing_out:
            return code
        # Signed out: the next person chooses who they are.
        username = None
