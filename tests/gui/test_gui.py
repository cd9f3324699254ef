"""The desktop app driven through its widgets (pytest-qt, offscreen), on real data."""

from __future__ import annotations

import shutil

from conftest import DATA, FACE_FILES, PASSWORD, window

from classlens.gui.photos_view import BLURRED, SHOWN
from classlens.gui.qt import Qt, QtCore, QtWidgets


def test_each_role_sees_its_screens(qtbot, school):
    school.users.add_user("admin", "head", "slt", PASSWORD)
    tabs = {}
    for name in ("teacher1", "admin", "head"):
        win = window(qtbot, school, name)
        tabs[name] = [win.tabs.tabText(i) for i in range(win.tabs.count())]
    assert tabs["teacher1"] == ["Dashboard", "Photos", "Compose", "Posts"]
    assert "Register" in tabs["admin"] and "Approvals" not in tabs["admin"]
    assert "Approvals" in tabs["head"]


def test_register_import_wizard_with_a_mis_mapping(qtbot, services):
    win = window(qtbot, services, "admin")
    view = win.show_screen("register")
    assert view.model.rowCount() == 0
    wizard = view.open_import_wizard()
    wizard.file_page.path.setText(str(DATA / "mis_export_cp1252.csv"))
    assert wizard.file_page.isComplete()
    wizard.next()
    page = wizard.mapping_page
    # A SIMS export maps itself: every column recognised, nothing chosen by hand.
    assert page.isComplete()
    for field, heading in (("pupil_id", "UPN"), ("given_name", "Legal Forename"),
                           ("family_name", "Legal Surname"), ("class", "Reg Group"),
                           ("consent_social_public", "Photos - Social Media (public)"),
                           ("consent_social_private", "Photos - Social Media (private)"),
                           ("consent_website", "Photos - Website"),
                           ("decided_by", "Consent Given By")):
        assert page.combos[field].currentData() == heading
    assert "Recognised 16 of your 16 columns." in page.matched.text()
    labels = [page.findChild(QtWidgets.QFormLayout).labelForField(c).text()
              for c in page.combos.values()]
    assert "Consent: private feed" in labels and not any("_" in t for t in labels)
    shown = [page.preview.item(r, 1).text() for r in range(page.preview.rowCount())]
    assert shown[:3] == ["Renée", "Seán", "François"] or "Renée" in shown
    wizard.next()
    assert "Ready: 5 new" in wizard.check_page.summary.text()
    new = wizard.check_page.changes.topLevelItem(0)
    assert new.text(0) == "New pupils" and new.childCount() == 5
    zoe = new.child(0)
    assert zoe.text(0) == "Zoë O'Brien (3K)"
    assert zoe.text(1).startswith("consent given for: ") and "Press" not in zoe.text(1)
    assert wizard.check_page.isComplete()
    wizard.accept()
    assert view.model.rowCount() == 5
    row = next(r for r in range(view.model.rowCount())
               if view.model.pupils[r].pupil_id == "H801200001001")
    column = 3 + 1  # social public
    index = view.model.index(row, column)
    assert index.data() == "refused"
    assert index.data(Qt.ItemDataRole.ToolTipRole) == "Refused by a parent or carer"
    assert index.data(Qt.ItemDataRole.BackgroundRole).name() == "#f8d7da"


def test_the_wizard_lists_every_problem_and_writes_nothing(qtbot, services, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("pupil_id,given_name,family_name,class,consent_website\n"
                   "P1,Ann,,Oak,yes\nP2,Bo,Li,Oak,maybe\n")
    view = window(qtbot, services, "admin").show_screen("register")
    wizard = view.open_import_wizard()
    wizard.file_page.path.setText(str(bad))
    wizard.next()
    wizard.next()
    page = wizard.check_page
    assert not page.isComplete()
    assert "2 problem(s)" in page.summary.text()
    rows = [[page.errors.item(r, c).text() for c in range(3)] for r in range(2)]
    assert rows == [["2", "Surname", ""], ["3", "Consent: school website", "maybe"]]
    assert services.pupils.list_pupils() == []


def test_the_wizard_holds_back_grants_until_the_pupil_is_ticked(qtbot, services, tmp_path):
    """A refusal recorded in ClassLens ("mum phoned") is not undone by an older file
    unless the ICT leader ticks that pupil; the ticks start unticked."""
    old = tmp_path / "old-mis.csv"
    old.write_text("pupil_id,given_name,family_name,class,consent_website,consent_biometric\n"
                   "P1,Ann,Lee,Oak,yes,yes\nP2,Bo,Li,Oak,yes,yes\n")
    services.register_files.import_register("admin", old)
    for pupil in ("P1", "P2"):
        services.pupils.set_consent("head", pupil, "website", "refused", evidence="mum phoned")
    services.pupils.set_consent("head", "P2", "biometric", "refused")
    view = window(qtbot, services, "admin").show_screen("register")

    def run_wizard(tick):
        wizard = view.open_import_wizard()
        wizard.file_page.path.setText(str(old))
        wizard.next()
        wizard.next()
        page = wizard.check_page
        assert page.isComplete() and "3 consent(s) held back" in page.summary.text()
        items = [page.held.item(i) for i in range(page.held.count())]
        assert [i.text() for i in items] == [
            "Ann Lee (Oak): School website: refused → granted",
            "Bo Li (Oak): School website: refused → granted; Face recognition (biometrics): "
            "refused → granted"]
        assert all(i.checkState() == Qt.CheckState.Unchecked for i in items)
        for item in items:
            if item.data(Qt.ItemDataRole.UserRole) in tick:
                item.setCheckState(Qt.CheckState.Checked)
        wizard.accept()
        return wizard.report

    report = run_wizard(tick=())
    assert len(report.held) == 3 and report.written
    assert services.pupils.pupil("P1").as_dict()["consent"]["website"] == "refused"
    report = run_wizard(tick=("P2",))
    assert [h.pupil_id for h in report.held] == ["P1"]
    consent = services.pupils.pupil("P2").as_dict()["consent"]
    assert consent["website"] == "granted" and consent["biometric"] == "granted"
    assert services.pupils.pupil("P1").as_dict()["consent"]["website"] == "refused"


def test_filters_and_search(qtbot, services):
    services.register_files.import_register("admin", DATA / "register_ours.csv")
    view = window(qtbot, services, "admin").show_screen("register")
    view.search.setText("zoe")
    assert view.proxy.rowCount() == 1
    view.search.clear()
    view.filter_box.setCurrentIndex(view.filter_box.findData("social_public"))
    ids = {view.proxy.index(r, 0).data() for r in range(view.proxy.rowCount())}
    assert "A100000000001" in ids and "A100000000002" not in ids
    view.filter_box.setCurrentIndex(0)
    view.class_box.setCurrentIndex(view.class_box.findData("Willow"))
    assert view.proxy.rowCount() == 5


def test_photo_import_runs_in_the_background(qtbot, school, tmp_path):
    folder = tmp_path / "trip"
    folder.mkdir()
    for name in ("obama_portrait.jpg", "astronaut.png"):
        shutil.copy(FACE_FILES / name, folder / name)
    view = window(qtbot, school, "teacher1").show_screen("photos")
    assert view.model.rowCount() == 1
    operation = view.start_import([str(folder)], workers=1)
    with qtbot.waitSignal(operation.finished, timeout=120_000):
        pass
    assert view.model.rowCount() == 3
    # Badges are worked out off the UI thread; the astronaut on the private feed:
    qtbot.waitUntil(lambda: "0 shown · 1 blurred\n1 to review" in [
        view.model.index(r).data() for r in range(3)], timeout=30_000)


def test_review_a_face_and_add_a_missed_one(qtbot, school, answers):
    view = window(qtbot, school, "teacher1").show_screen("photos")
    view.channel_box.setCurrentIndex(view.channel_box.findData("website"))
    view.gallery.setCurrentIndex(view.model.index(0))
    panel = view.face_review  # the photo, its faces and the review actions
    biden = next(f for f in panel.canvas.faces if f.pupil_id == "BIDEN")
    assert panel.canvas.colour(biden) == SHOWN
    panel.canvas.selected = biden.id
    qtbot.mouseClick(panel.blur_button, Qt.MouseButton.LeftButton)
    biden = next(f for f in panel.canvas.faces if f.id == biden.id)
    assert panel.canvas.colour(biden) == BLURRED
    assert panel.face_info.text() == (
        "<b>Face 2 of 2</b>: Blurred: recognised as Joe Testpupil (Oak) — teacher1 asked for "
        "it to be blurred<br>Reviewed by teacher1: “checked with the class teacher”")
    # Drag a rectangle over an empty part of the photo.
    panel.canvas.resize(800, 600)
    qtbot.mousePress(panel.canvas, Qt.MouseButton.LeftButton, pos=QtCore.QPoint(380, 380))
    qtbot.mouseMove(panel.canvas, QtCore.QPoint(430, 440))
    qtbot.mouseRelease(panel.canvas, Qt.MouseButton.LeftButton, pos=QtCore.QPoint(430, 440))
    assert len(panel.canvas.faces) == 3 and panel.canvas.faces[-1].source == "manual"
    assert [e["action"] for e in school.audit_log.audit()[:2]] == ["face.added", "face.blur"]
    panel.after.setChecked(True)  # before/after: what will be exported
    assert not panel.canvas.show_boxes and panel.canvas.pixmap is not None
    assert answers == []


def test_compose_submit_approve_export(qtbot, school, tmp_path, answers):
    school.users.add_user("admin", "head", "slt", PASSWORD)
    teacher = window(qtbot, school, "teacher1")
    compose = teacher.show_screen("compose")
    compose.channel_box.setCurrentIndex(compose.channel_box.findData("website"))
    compose.select_photos([1])
    compose.caption.setPlainText("Oak: our visit with Joe #trip")
    compose.set_alt(0, "Two visitors in a grand room.")
    qtbot.waitUntil(lambda: compose.problems.count() > 0 and not compose._timer.isActive())
    rules = {compose.problems.item(i).data(Qt.ItemDataRole.UserRole)
             for i in range(compose.problems.count())}
    assert rules == {"pupil-name", "hashtag"}
    assert not compose.submit_button.isEnabled()
    assert compose.counter.text() == "Website: 29 characters"
    compose.caption.setPlainText("Oak: our visit to the Blue Room.")
    qtbot.waitUntil(lambda: compose.submit_button.isEnabled())
    post_id = compose.submit()
    assert school.posts.post(post_id).status == "submitted"

    own = teacher.show_screen("posts")
    own.filter_box.setCurrentIndex(own.filter_box.count() - 1)
    assert not own.approve_button.isEnabled()

    head = window(qtbot, school, "head")
    approvals = head.show_screen("posts")
    assert approvals.current_id() is None  # the approver picks the post to look at
    approvals.list.setCurrentRow(0)
    assert approvals.current_id() == post_id
    assert approvals.approve_button.isEnabled()
    assert approvals.images.count() == 1  # the exported preview
    qtbot.mouseClick(approvals.approve_button, Qt.MouseButton.LeftButton)
    assert school.posts.post(post_id).status == "approved"
    assert school.posts.post(post_id).approver == "head"

    own.reload()
    own.list.setCurrentRow(next(i for i in range(own.list.count()) if own.list.item(i).data(
        Qt.ItemDataRole.UserRole) == post_id))
    assert own.export_button.isEnabled()
    operation = own.export(str(tmp_path / "out"))
    with qtbot.waitSignal(operation.finished, timeout=60_000):
        pass
    folder = tmp_path / "out" / f"post{post_id}-website"
    assert (folder / "manifest.json").exists()
    assert school.posts.post(post_id).status == "exported"


def test_refusals_reach_the_user_in_one_dialog(qtbot, school, answers):
    view = window(qtbot, school, "admin").show_screen("register")
    operation = view.enrol("COLLINS", [str(FACE_FILES / "astronaut.png")])
    with qtbot.waitSignal(operation.finished, timeout=30_000):
        pass
    assert any("COLLINS cannot be enrolled: biometric consent refused" in m for m in answers)
    dialog = view.findChild(QtWidgets.QMessageBox, "errorDialog")
    assert dialog is not None and "cannot be enrolled" in dialog.text()


def test_dashboard_shows_quota_takedowns_and_the_queue(qtbot, school, tmp_path):
    school.users.add_user("admin", "head", "slt", PASSWORD)
    post = school.posts.stage("teacher1", "Oak", "website", "Oak: the Blue Room.", [1],
                              ["Two people"])
    school.posts.submit("teacher1", post.id)
    dashboard = window(qtbot, school, "head").show_screen("dashboard")
    assert dashboard.waiting.rowCount() == 1
    assert dashboard.quota.item(0, 2).text() == "needs more posts"
    school.posts.approve("head", post.id)
    school.post_export.export_post("teacher1", post.id, tmp_path)
    school.pupils.set_consent("admin", "OBAMA", "website", "refused")
    dashboard.reload()
    row = [dashboard.takedowns.item(0, c).text() for c in range(5)]
    assert row == ["Oak: the Blue Room.", "Barack Testpupil (Oak)", "School website", "",
                   "Refused by a parent or carer"]
    assert dashboard.quota.item(0, 1).text() == "1"


def test_sign_in_lists_users_and_remembers_the_last(qtbot, services):
    from classlens.gui.signin import SignInDialog

    services.signin.set_password("teacher1", "teacher1", "teacher-password")
    dialog = SignInDialog(services, last_user="teacher1")
    qtbot.addWidget(dialog)
    assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == [
        "admin (ict)", "deputy (slt)", "head (slt)", "teacher1 (teacher)"]
    assert dialog.user().username == "teacher1" and dialog.prompt.text() == "Password"
    dialog.password.setText("wrong-password")
    dialog.accept()
    assert "wrong password for teacher1" in dialog.message.text() and dialog.signed_in is None
    dialog.password.setText("teacher-password")
    dialog.accept()
    assert dialog.signed_in.username == "teacher1"


def test_an_account_without_a_password_is_locked_at_sign_in(qtbot, services):
    from sqlalchemy import update

    from classlens.gui.signin import SignInDialog
    from classlens.storage.models import User

    with services.db.transaction() as session:  # left so by an older version
        session.execute(update(User).where(User.username == "head").values(password_hash=None))
    dialog = SignInDialog(services, last_user="head")
    qtbot.addWidget(dialog)
    assert "locked: ask your ICT leader" in dialog.message.text()
    dialog.password.setText("i-will-claim-it")
    dialog.accept()
    assert dialog.signed_in is None and "head has no password" in dialog.message.text()
    assert not services.signin.needs_password("head")


def test_first_run_offers_a_new_school_or_the_demo(qtbot):
    from classlens.gui.signin import FirstRunDialog

    dialog = FirstRunDialog()
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.findChild(QtWidgets.QPushButton, "create"),
                     Qt.MouseButton.LeftButton)
    assert dialog.choice is None  # a school needs a name
    dialog.name.setText("Redbourn Primary")
    dialog.policy.setCurrentIndex(dialog.policy.findData("no-faces"))
    for first, again, problem in (("", "", "at least 8"), ("admin-pass-1", "admin-pass-2",
                                                          "differ")):
        dialog.password.setText(first)
        dialog.again.setText(again)
        qtbot.mouseClick(dialog.findChild(QtWidgets.QPushButton, "create"),
                         Qt.MouseButton.LeftButton)
        assert dialog.choice is None and problem in dialog.message.text()  # admin's password
    dialog.again.setText("admin-pass-1")
    qtbot.mouseClick(dialog.findChild(QtWidgets.QPushButton, "create"),
                     Qt.MouseButton.LeftButton)
    assert dialog.choice == "create" and dialog.policy.currentData() == "no-faces"


def test_first_sign_in_with_an_initial_password_asks_for_a_new_one(qtbot, services,
                                                                  monkeypatch):
    from classlens.gui import signin

    shown = []

    def answer(dialog):
        """The user's answers in the change-password dialog, in turn."""
        shown.append(dialog)
        for first, again, problem in ((PASSWORD, PASSWORD, "other than the one"),
                                      ("short", "short", "at least 8"),
                                      ("my-own-pass-1", "my-own-pass-2", "differ")):
            dialog.password.setText(first)
            dialog.again.setText(again)
            dialog.accept()
            assert problem in dialog.message.text() and services.signin.must_change_password("head")
        dialog.password.setText("my-own-pass-1")
        dialog.again.setText("my-own-pass-1")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(signin.ChangePasswordDialog, "exec", answer)
    dialog = signin.SignInDialog(services, last_user="head")
    qtbot.addWidget(dialog)
    dialog.password.setText(PASSWORD)
    dialog.accept()
    assert len(shown) == 1 and dialog.signed_in.username == "head"
    assert not services.signin.must_change_password("head")
    assert services.signin.sign_in("head", "my-own-pass-1")
    # Cancelling the change means not signing in.
    monkeypatch.setattr(signin.ChangePasswordDialog, "exec", lambda self: 0)
    again = signin.SignInDialog(services, last_user="deputy")
    qtbot.addWidget(again)
    again.password.setText(PASSWORD)
    again.accept()
    assert again.signed_in is None and "Choose your own password" in again.message.text()


def test_the_demo_shows_its_password_on_the_sign_in_screen(qtbot, tmp_path, monkeypatch):
    from classlens.demo import DEMO_PASSWORD, open_demo
    from classlens.gui import app, signin

    services = open_demo(directory=tmp_path / "demo")
    real_dialog = signin.SignInDialog
    shown = {}

    def sign_in_dialog(services_, last_user, hint=""):
        shown["hint"] = hint
        dialog = real_dialog(services_, last_user, hint=hint)
        qtbot.addWidget(dialog)
        shown["dialog"] = dialog
        return dialog

    monkeypatch.setattr(signin, "SignInDialog", sign_in_dialog)
    monkeypatch.setattr(QtWidgets.QDialog, "exec", lambda self: 0)  # the user closes it
    monkeypatch.setattr(app, "install_excepthook", lambda: None)
    monkeypatch.setattr("classlens.demo.open_demo", lambda: services)
    assert app.main("sqlite://", None, demo=True, username=None) == 0
    assert DEMO_PASSWORD in shown["hint"]
    assert shown["dialog"].hint.text() == shown["hint"] and not shown["dialog"].hint.isHidden()
    for username in ("admin", "ms.khan", "mr.jones", "mrs.patel"):
        assert not services.signin.must_change_password(username)
        assert services.signin.sign_in(username, DEMO_PASSWORD)


def test_the_readme_command_starts_the_demo(tmp_path):
    """`classlens gui --demo` builds the demo school and opens the window."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    run = subprocess.run([sys.executable, "-m", "classlens.cli", "gui", "--demo", "--user",
                          "ms.khan", "--exit-after", "1"], env=env, capture_output=True,
                         text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "ClassLens" / "demo" / "classlens.sqlite").exists()


def test_a_recognition_is_corrected_only_with_a_senior_confirmation(qtbot, school, answers):
    school.users.add_user("admin", "head", "slt", PASSWORD)
    view = window(qtbot, school, "teacher1").show_screen("photos")
    view.channel_box.setCurrentIndex(view.channel_box.findData("social_private"))
    view.gallery.setCurrentIndex(view.model.index(0))
    panel = view.face_review  # the photo, its faces and the review actions
    biden = next(f for f in panel.canvas.faces if f.pupil_id == "BIDEN")
    panel.canvas.selected = biden.id
    panel._describe_face()
    assert panel.correct_button.isEnabled()
    qtbot.mouseClick(panel.not_face_button, Qt.MouseButton.LeftButton)
    assert "an SLT member other than you must confirm" in answers[-1]
    school.signin.set_password("head", "head", "head-secret-1")
    panel.correct("it is his brother", "head", "not-his-password")
    assert "wrong password for head" in answers[-1]
    assert next(f for f in panel.canvas.faces if f.id == biden.id).pupil_id == "BIDEN"
    panel.correct("it is his brother", "head", "head-secret-1")
    face = next(f for f in panel.canvas.faces if f.id == biden.id)
    assert (face.pupil_id, face.recognised_pupil_id, face.correction_confirmed_by) == (
        None, "BIDEN", "head")
    assert panel.canvas.colour(face) != SHOWN  # not identified now: blurred
