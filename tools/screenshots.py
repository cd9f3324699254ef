"""Screenshots of every screen of the demo school, from real windows at 1366x768
(run under Xvfb):

    xvfb-run -a -s "-screen 0 1366x768x24" uv run python tools/screenshots.py docs/screenshots
"""

import shutil
import sys
import tempfile
from pathlib import Path

from classlens.demo import DEMO_PASSWORD, open_demo
from classlens.gui.app import open_window
from classlens.gui.qt import QtCore, QtWidgets
from classlens.resources import resources_dir

SIZE = (1366, 768)


def settle(ms=1500):
    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(ms, loop.quit)
    loop.exec()


def save(widget, out: Path, name: str, ms: int = 1500) -> None:
    settle(ms)
    widget.grab().save(str(out / f"{name}.png"))
    print(out / f"{name}.png")


def window_for(services, user):
    window = open_window(services, user, DEMO_PASSWORD)
    window.resize(*SIZE)
    window.show()
    return window


def main(folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    QtWidgets.QApplication(sys.argv[:1])
    from classlens.gui.signin import SignInDialog
    from classlens.gui.startup import StartupWindow

    startup = StartupWindow()
    startup.show()
    save(startup, out, "startup", 300)
    startup.close()
    services = open_demo()
    dialog = SignInDialog(services, "ms.khan",
                          hint=f"Demo school: every user's password is “{DEMO_PASSWORD}”.")
    dialog.show()
    save(dialog, out, "sign-in", 500)
    dialog.close()
    teacher_screens(services, out)
    slt_screens(services, out)
    ict_screens(services, out)
    follower_screens(services, out)


def teacher_screens(services, out: Path) -> None:
    window = window_for(services, "ms.khan")
    photos = window.show_screen("photos")
    photos.gallery.setCurrentIndex(photos.model.index(0))
    save(window, out, "photos")
    compose = window.show_screen("compose")
    compose.select_photos([compose.photo_list.item(0).data(QtCore.Qt.ItemDataRole.UserRole)])
    compose.caption.setPlainText("Oak: a visit to the Blue Room with Zoë #trip")
    compose.set_alt(0, "Two visitors in a grand room with yellow curtains.")
    save(window, out, "compose", 2500)
    window.close()


def slt_screens(services, out: Path) -> None:
    window = window_for(services, "mr.jones")
    save(window, out, "dashboard")
    posts = window.show_screen("posts")
    if posts.list.count():
        posts.list.setCurrentRow(0)
    save(window, out, "posts", 2500)
    window.close()


def ict_screens(services, out: Path) -> None:
    window = window_for(services, "admin")
    register = window.show_screen("register")
    save(window, out, "register")
    register.table.selectRow(1)
    form = register.edit_consent()
    save(form, out, "consent-form", 800)
    form.close()
    # The MIS wizard on a SIMS export it recognises by itself (a copy: nothing is imported).
    with tempfile.TemporaryDirectory() as tmp:
        sims = Path(tmp) / "sims-export.csv"
        shutil.copy(resources_dir() / "demo" / "register.csv", sims)
        sims.write_text(sims.read_text(encoding="utf-8").replace(
            "pupil_id,given_name,family_name", "UPN,Legal Forename,Legal Surname", 1).replace(
            ",class,", ",Reg Group,", 1), encoding="utf-8")
        wizard = register.open_import_wizard()
        wizard.file_page.path.setText(str(sims))
        wizard.next()
        save(wizard, out, "import-mapping", 800)
        wizard.next()
        save(wizard, out, "import-check", 800)
        wizard.reject()
    school = window.show_screen("school")
    for index, name in enumerate(("staff", "never-publish", "channels", "policy")):
        school.sections.setCurrentIndex(index)
        save(window, out, f"school-{name}", 600)
    window.close()


def follower_screens(services, out: Path) -> None:
    """The dashboard's account checks and the follower requests dialog."""
    window = window_for(services, "mr.jones")
    dashboard = window.show_screen("dashboard")
    save(window, out, "dashboard-account-checks")
    dialog = dashboard.account_checks.open_follower_requests()
    dialog.open_csv(str(resources_dir() / "demo" / "follower_requests.csv"))
    save(dialog, out, "followers")
    dialog.close()
    window.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
