"""Screenshots of every screen of the demo school, from real windows (run under Xvfb).

    xvfb-run -s "-screen 0 1400x900x24" uv run python tools/screenshots.py docs/screenshots
"""

import sys
from pathlib import Path

from classlens.demo import DEMO_PASSWORD, open_demo
from classlens.gui.app import open_window
from classlens.gui.qt import QtCore, QtWidgets

SHOTS = [("slt", "mr.jones", ["dashboard", "posts"]),
         ("ict", "admin", ["register"]),
         ("teacher", "ms.khan", ["photos", "compose"])]


def settle(app, ms=1500):
    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main(folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    app = QtWidgets.QApplication(sys.argv[:1])
    services = open_demo()
    from classlens.gui.signin import SignInDialog

    dialog = SignInDialog(services, "ms.khan",
                          hint=f"Demo school: every user's password is “{DEMO_PASSWORD}”.")
    dialog.show()
    settle(app, 500)
    dialog.grab().save(str(out / "sign-in.png"))
    dialog.close()
    for _role, user, screens in SHOTS:
        window = open_window(services, user, DEMO_PASSWORD)
        window.resize(1360, 860)
        window.show()
        for screen in screens:
            view = window.show_screen(screen)
            if screen == "photos":
                view.gallery.setCurrentIndex(view.model.index(0))
            if screen == "compose":
                view.select_photos([1])
                view.caption.setPlainText("Oak: a visit to the Blue Room with Zoë #trip")
                view.set_alt(0, "Two visitors in a grand room with yellow curtains.")
            settle(app)
            window.grab().save(str(out / f"{screen}.png"))
            print(out / f"{screen}.png")
        window.close()
    follower_screens(app, services, out)


def follower_screens(app, services, out: Path) -> None:
    """The dashboard's account checks and the follower requests dialog, at 1366x768."""
    from classlens.resources import resources_dir

    window = open_window(services, "mr.jones")
    window.resize(1366, 768)
    window.show()
    dashboard = window.show_screen("dashboard")
    settle(app)
    window.grab().save(str(out / "dashboard-account-checks.png"))
    dialog = dashboard.account_checks.open_follower_requests()
    dialog.open_csv(str(resources_dir() / "demo" / "follower_requests.csv"))
    settle(app)
    dialog.grab().save(str(out / "followers.png"))
    dialog.close()
    window.close()
    print(out / "dashboard-account-checks.png", out / "followers.png")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
