"""Each role's job driven through the real widgets, asserting what the user sees:
messages that stay, screens that follow changes, no duplicate posts, plain words."""

from __future__ import annotations

import shutil

import pytest
from conftest import DATA, FACE_FILES, PASSWORD, REASON, TWO, window

from classlens.gui import messages
from classlens.gui.main_window import MainWindow
from classlens.gui.qt import Qt, QtWidgets


def shown_messages(win: MainWindow) -> list[str]:
    return win.messages.texts()


def no_internal_words(text: str) -> bool:
    return not any(word in text for word in ("social_private", "social_public", "OBAMA",
                                             "BIDEN", "COLLINS", "distance"))


# -- teacher ----------------------------------------------------------------------


def test_teacher_imports_and_the_summary_stays(qtbot, school, tmp_path, answers):
    folder = tmp_path / "trip"
    folder.mkdir()
    shutil.copy(FACE_FILES / "astronaut.png", folder / "astronaut.png")
    (folder / "broken.jpg").write_bytes((FACE_FILES / "obama_portrait.jpg").read_bytes()[:5000])
    (folder / "notes.txt").write_text("bring packed lunches")
    win = window(qtbot, school, "teacher1")
    compose = win.show_screen("compose")
    assert compose.photo_list.count() == 1
    photos = win.show_screen("photos")
    operation = photos.start_import([str(folder)], workers=1)
    with qtbot.waitSignal(operation.finished, timeout=120_000):
        pass
    (summary,) = shown_messages(win)
    assert summary.startswith("Imported 1 photo(s) into Oak.")
    assert "broken.jpg" in summary and "notes.txt" in summary
    # A refresh of the gallery does not take the message away; the compose screen,
    # opened before the import, shows the new photo without being touched.
    photos.reload()
    assert shown_messages(win) == [summary]
    assert compose.photo_list.count() == 2
    assert "astronaut.png" in [compose.photo_list.item(i).text().split("\n")[0]
                               for i in range(2)]
    dismiss = win.messages.findChild(QtWidgets.QPushButton, "dismissMessage")
    qtbot.mouseClick(dismiss, Qt.MouseButton.LeftButton)
    assert shown_messages(win) == []


def test_importing_with_no_classes_says_why(qtbot, services, tmp_path, answers):
    view = window(qtbot, services, "teacher1").show_screen("photos")
    assert view.start_import([str(tmp_path)]) is None
    assert "There are no classes yet" in messages.recent()[-1]


def test_teacher_submits_once_and_the_form_clears(qtbot, school, answers):
    school.users.add_user("admin", "head", "slt", PASSWORD)
    win = window(qtbot, school, "teacher1")
    compose = win.show_screen("compose")
    # A private-feed school starts on its private feed, in its own words.
    assert compose.channel_box.currentText() == "Private feed (X)"
    compose.channel_box.setCurrentIndex(compose.channel_box.findData("website"))
    compose.select_photos([1])
    compose.caption.setPlainText("Oak: our visit to the Blue Room.")
    compose.set_alt(0, "Two visitors in a grand room.")
    qtbot.waitUntil(lambda: compose.submit_button.isEnabled(), timeout=10_000)
    qtbot.mouseClick(compose.submit_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(compose.submit_button, Qt.MouseButton.LeftButton)  # a rushed double click
    posts = [p for p in school.posts.posts() if p.author == "teacher1"]
    assert [p.status for p in posts] == ["submitted"]
    assert compose.caption.toPlainText() == "" and compose.selected_photos() == []
    assert not compose.submit_button.isEnabled()
    assert any("is waiting for approval" in m for m in shown_messages(win))
    assert compose.mine.count() == 1
    assert compose.mine.item(0).text().startswith("Awaiting approval · Oak: our visit")


def test_teacher_saves_a_draft_then_discards_it(qtbot, school, answers):
    win = window(qtbot, school, "teacher1")
    compose = win.show_screen("compose")
    compose.caption.setPlainText("Oak: work in progress")
    qtbot.waitUntil(lambda: compose.draft_button.isEnabled(), timeout=5_000)
    qtbot.mouseClick(compose.draft_button, Qt.MouseButton.LeftButton)
    (draft,) = school.posts.posts("draft")
    assert "Draft saved" in compose.status_line.text()
    # Saving again updates the same draft rather than making a second one.
    compose.caption.setPlainText("Oak: work in progress, nearly done")
    qtbot.mouseClick(compose.draft_button, Qt.MouseButton.LeftButton)
    drafts = school.posts.posts("draft")
    assert [p.caption for p in drafts] == ["Oak: work in progress, nearly done"]
    compose.mine.setCurrentRow(0)
    assert compose.discard_button.isEnabled()
    qtbot.mouseClick(compose.discard_button, Qt.MouseButton.LeftButton)
    assert school.posts.post(draft.id).status == "discarded"
    assert compose.mine.count() == 0 and compose.caption.toPlainText() == ""
    assert school.audit_log.audit()[0]["action"] == "post.discarded"


def test_only_the_author_discards_and_never_an_approved_post(school):
    from classlens.errors import ClassLensError, NotAllowed

    school.users.add_user("admin", "head", "slt", PASSWORD)
    post = school.posts.stage("teacher1", "Oak", "website", "Oak: the Blue Room.", [1],
                              ["Two people"])
    with pytest.raises(NotAllowed):
        school.posts.discard_draft("head", post.id)
    school.posts.submit("teacher1", post.id)
    school.posts.approve("head", post.id)
    with pytest.raises(ClassLensError, match="only a draft"):
        school.posts.discard_draft("teacher1", post.id)


def test_the_face_review_speaks_plainly(qtbot, school, answers):
    view = window(qtbot, school, "teacher1").show_screen("photos")
    assert view.channel_box.currentText() in {"Private feed (X)", "School website"}
    assert all("_" not in view.channel_box.itemText(i) for i in range(view.channel_box.count()))
    view.gallery.setCurrentIndex(view.model.index(0))
    panel = view.face_review  # the photo, its faces and the review actions
    texts = []
    for face in panel.canvas.faces:
        panel.canvas.selected = face.id
        panel._describe_face()
        texts.append(panel.face_info.text())
    assert all(no_internal_words(t) for t in texts), texts
    assert any("Joe Testpupil (Oak)" in t for t in texts)
    # The pupil picker starts empty and finds a pupil by part of the name.
    assert panel.pupil_box.currentIndex() == -1 and panel.chosen_pupil() is None
    panel.review("pupil", "the class teacher knows him")
    assert "Type the pupil's name" in messages.recent()[-1]
    panel.pupil_box.setEditText("Eileen Testpupil (Oak)")
    assert panel.chosen_pupil() == "COLLINS"


def test_an_enrolment_photo_with_two_faces_is_reported(qtbot, school, answers):
    win = window(qtbot, school, "admin")
    register = win.show_screen("register")
    operation = register.enrol("OBAMA", [TWO])
    with qtbot.waitSignal(operation.finished, timeout=60_000):
        pass
    texts = shown_messages(win)
    assert texts and "Barack Testpupil (Oak)" in texts[-1]
    assert "obama_biden_blue_room.jpg" in texts[-1]


# -- senior leadership ----------------------------------------------------------


def submitted_post(school) -> int:
    post = school.posts.stage("teacher1", "Oak", "website", "Oak: our visit to the Blue Room.", [1],
                              ["Two visitors in a grand room."])
    school.posts.submit("teacher1", post.id)
    return post.id


def test_the_approver_sees_every_face_zooms_and_confirms(qtbot, school, answers, tmp_path):
    school.users.add_user("admin", "head", "slt", PASSWORD)
    first = submitted_post(school)
    second = submitted_post(school)
    win = window(qtbot, school, "head")
    approvals = win.show_screen("posts")
    assert approvals.current_id() is None and not approvals.approve_button.isEnabled()
    def choose(post_id):
        approvals.list.setCurrentRow(next(
            i for i in range(approvals.list.count())
            if approvals.list.item(i).data(Qt.ItemDataRole.UserRole) == post_id))

    choose(first)
    assert approvals.current_id() == first
    lines = approvals.face_lines()
    assert lines == [
        "Image 1: Shown: recognised as Barack Testpupil (Oak) — consent given",
        "Image 1: Shown: recognised as Joe Testpupil (Oak) — consent given"]
    assert "School website" in approvals.details.text()
    preview = approvals.findChild(QtWidgets.QLabel, "exportPreview")
    qtbot.mouseClick(preview, Qt.MouseButton.LeftButton)
    zoom = approvals.findChild(QtWidgets.QDialog, "zoomDialog")
    assert zoom is not None and zoom.pixmap.width() > 280  # the exported size, not a thumb
    zoom.close()
    qtbot.mouseClick(approvals.approve_button, Qt.MouseButton.LeftButton)
    assert school.posts.post(first).status == "approved"
    # Nothing is selected after a decision: the next post is a deliberate choice.
    assert approvals.current_id() is None and not approvals.approve_button.isEnabled()
    assert approvals.list.count() == 1
    assert any("Approved teacher1's post for School website" in m
               for m in shown_messages(win))
    # Sending back needs a reason the author reads.
    choose(second)
    assert approvals.current_id() == second
    qtbot.mouseClick(approvals.reject_button, Qt.MouseButton.LeftButton)
    assert school.posts.post(second).rejection_reason == REASON
    # The teacher's list shows it sent back, with the reason in full.
    compose = window(qtbot, school, "teacher1").show_screen("compose")
    texts = [compose.mine.item(i).text() for i in range(compose.mine.count())]
    assert f"Sent back: {REASON}" in "\n".join(texts)


def test_the_export_message_stays_after_the_refresh(qtbot, school, answers, tmp_path):
    school.users.add_user("admin", "head", "slt", PASSWORD)
    post_id = submitted_post(school)
    school.posts.approve("head", post_id)
    win = window(qtbot, school, "teacher1")
    posts = win.show_screen("posts")
    posts.list.setCurrentRow(0)
    operation = posts.export(str(tmp_path / "out"))
    with qtbot.waitSignal(operation.finished, timeout=60_000):
        pass
    assert any(f"Exported to {tmp_path / 'out'}" in m for m in shown_messages(win))
    assert school.posts.post(post_id).status == "exported"
    assert posts.withdraw_button.text() == "Mark as taken down…"


# -- ICT leader -------------------------------------------------------------------


def test_ict_manages_staff_accounts(qtbot, services, answers):
    win = window(qtbot, services, "admin")
    view = win.show_screen("school").staff_accounts
    names = [view.staff.item(r, 0).text() for r in range(view.staff.rowCount())]
    assert names == ["admin", "deputy", "head", "teacher1"]
    password = view.add_user("mr.jones", "teacher")
    assert password and any(password in m for m in shown_messages(win))
    row = next(r for r in range(view.staff.rowCount())
               if view.staff.item(r, 0).text() == "mr.jones")
    assert view.staff.item(r := row, 1).text() == "Teacher"
    assert "initial password" in view.staff.item(r, 2).text()
    assert services.signin.sign_in("mr.jones", password).username == "mr.jones"
    view.staff.selectRow(row)
    assert view.role_button.isEnabled()
    assert view.change_role("mr.jones", "slt")
    assert next(u.role for u in services.users.users() if u.username == "mr.jones") == "slt"
    new_password = view.reset_password("mr.jones")
    assert services.signin.must_change_password("mr.jones")
    qtbot.mouseClick(view.disable_button, Qt.MouseButton.LeftButton)
    row = next(r for r in range(view.staff.rowCount())
               if view.staff.item(r, 0).text() == "mr.jones")
    assert view.staff.item(row, 2).text() == "Disabled"
    from classlens.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.signin.sign_in("mr.jones", new_password)
    # An ICT leader cannot lock themselves out.
    own = next(r for r in range(view.staff.rowCount())
               if view.staff.item(r, 0).text() == "admin")
    view.staff.selectRow(own)
    assert not view.disable_button.isEnabled() and not view.role_button.isEnabled()
    assert not view.disable_user("admin", confirm=False)
    assert "cannot change your own account" in answers[-1]


def test_ict_flags_a_pupil_never_to_publish_and_adds_a_channel(qtbot, school, answers):
    win = window(qtbot, school, "admin")
    school_view = win.show_screen("school")
    view = school_view.never_publish
    view.never_pupil.setEditText("Joe Testpupil (Oak)")
    view.never_reason.setText("court order")
    assert view.flag_never()
    assert view.never.item(0, 0).text() == "Joe Testpupil (Oak)"
    assert view.never.item(0, 1).text() == "court order"
    register = win.show_screen("register")
    biden = next(r for r in range(register.model.rowCount())
                 if register.model.pupils[r].pupil_id == "BIDEN")
    assert register.model.index(biden, 3).data() == "never publish"  # website
    view = school_view.channels
    view.channel_name.setText("Oak class blog")
    view.channel_category.setCurrentIndex(view.channel_category.findData("website"))
    view.channel_platform.setCurrentIndex(view.channel_platform.findData("website"))
    assert view.add_channel()
    assert "Oak class blog" in [view.channel_table.item(r, 0).text()
                                for r in range(view.channel_table.rowCount())]
    compose = win.show_screen("compose")
    assert compose.channel_box.findText("Oak class blog") >= 0  # built before, updated


def test_ict_changes_a_policy_setting(qtbot, services, answers):
    view = window(qtbot, services, "admin").show_screen("school").policy_settings
    row = next(r for r in range(view.policy_table.rowCount())
               if view.policy_table.item(r, 0).text() == "Hashtags allowed in captions")
    assert view.policy_table.item(row, 1).text() == "no"
    view.policy_table.selectRow(row)
    assert view.policy_value.text() == "false"
    view.policy_value.setText("true")
    assert view.change_policy()
    assert services.policy().allow_hashtags is True
    row = next(r for r in range(view.policy_table.rowCount())
               if view.policy_table.item(r, 0).text() == "Hashtags allowed in captions")
    assert view.policy_table.item(row, 1).text() == "yes"


def test_one_consent_form_records_every_category(qtbot, school, answers):
    view = window(qtbot, school, "admin").show_screen("register")
    view.select_pupil("COLLINS")
    dialog = view.edit_consent()
    assert dialog.windowTitle() == "Consent form for Eileen Testpupil (Oak)"
    dialog.set_all("granted")
    dialog.set_decision("press", "refused")
    dialog.set_decision("biometric", None)
    dialog.evidence.setText("paper form, September")
    dialog.findChild(QtWidgets.QDialogButtonBox).button(
        QtWidgets.QDialogButtonBox.StandardButton.Save).click()
    consent = school.pupils.pupil("COLLINS").as_dict()["consent"]
    assert consent["press"] == "refused" and consent["video"] == "granted"
    assert consent["biometric"] == "refused"  # not on this form: left as it was
    row = next(r for r in range(view.model.rowCount())
               if view.model.pupils[r].pupil_id == "COLLINS")
    assert view.model.index(row, 3 + 4).data() == "refused"  # press, refreshed at once
    assert "Recorded Eileen Testpupil (Oak)'s form" in messages.recent()[-1]


def test_an_empty_consent_form_is_not_saved(qtbot, school, answers):
    view = window(qtbot, school, "admin").show_screen("register")
    view.select_pupil("COLLINS")
    dialog = view.edit_consent()
    dialog.findChild(QtWidgets.QDialogButtonBox).button(
        QtWidgets.QDialogButtonBox.StandardButton.Save).click()
    assert dialog.isVisible() and "Nothing to save" in dialog.message.text()


def test_no_consent_for_website_includes_leavers_and_never_publish(qtbot, services):
    services.register_files.import_register("admin", DATA / "register_ours.csv")
    pupils = services.pupils.list_pupils()
    allowed = [p for p in pupils if p.consent["website"].allowed]
    never, leaver = allowed[0], allowed[1]
    services.pupils.set_never_publish("admin", never.pupil_id, True, "court order")
    with services.db.transaction() as session:
        from sqlalchemy import update

        from classlens.storage.models import Pupil

        session.execute(update(Pupil).where(Pupil.pupil_id == leaver.pupil_id)
                        .values(on_roll=False))
    view = window(qtbot, services, "admin").show_screen("register")
    view.filter_box.setCurrentIndex(view.filter_box.findData("website"))
    ids = {view.model.pupils[view.proxy.mapToSource(view.proxy.index(r, 0)).row()].pupil_id
           for r in range(view.proxy.rowCount())}
    assert never.pupil_id in ids and leaver.pupil_id in ids
    assert view.filter_box.currentText() == "May not be shown: School website"


def test_mis_import_with_unknown_headings_previews_each_pupil(qtbot, services, tmp_path,
                                                              answers):
    services.register_files.import_register("admin", DATA / "register_ours.csv")
    first = services.pupils.list_pupils()[0]
    odd = tmp_path / "odd.csv"
    odd.write_text("Ref,Christian name,Family,Group,Photos - Website\n"
                   f"{first.pupil_id},{first.given_name},{first.family_name},"
                   f"{first.class_name},no\n")
    win = window(qtbot, services, "admin")
    register = win.show_screen("register")
    wizard = register.open_import_wizard()
    wizard.file_page.path.setText(str(odd))
    wizard.next()
    page = wizard.mapping_page
    assert not page.isComplete()
    assert "Recognised 1 of your 5 columns" in page.matched.text()
    assert "Pupil number (UPN)" in page.matched.text()
    for field, heading in (("pupil_id", "Ref"), ("given_name", "Christian name"),
                           ("family_name", "Family"), ("class", "Group")):
        page.combos[field].setCurrentIndex(page.combos[field].findData(heading))
    assert page.isComplete()
    wizard.next()
    check = wizard.check_page
    assert "1 updated" in check.summary.text()
    top = check.changes.topLevelItem(0)
    assert top.text(0).startswith(f"{first.preferred_name or first.given_name} "
                                  f"{first.family_name}")
    changes = [top.child(i).text(1) for i in range(top.childCount())]
    assert "School website (parent or carer): granted → refused" in changes, changes
    wizard.accept()
    assert any("Imported the register from odd.csv: 0 new, 1 updated" in m
               for m in shown_messages(win))
    assert services.pupils.pupil(first.pupil_id).as_dict()["consent"]["website"] == "refused"


def test_sign_out_returns_to_the_sign_in(qtbot, services):
    win = window(qtbot, services, "teacher1")
    with qtbot.waitSignal(win.sign_out_requested):
        qtbot.mouseClick(win.findChild(QtWidgets.QPushButton, "signOutButton"),
                         Qt.MouseButton.LeftButton)
    assert win.signing_out and not win.isVisible()
    assert "Teacher" in win.who.text()


# -- layout and keyboard ------------------------------------------------------------


@pytest.mark.parametrize("username", ["teacher1", "admin", "head"])
def test_every_screen_fits_1280x720_and_names_its_controls(qtbot, school, username):
    if username == "head":
        school.users.add_user("admin", "head", "slt", PASSWORD)
    win = window(qtbot, school, username)
    win.resize(1280, 720)
    win.show()
    unnamed = []
    for key in list(win._pages):
        view = win.show_screen(key)
        hint = view.minimumSizeHint()
        assert hint.width() <= 1280 and hint.height() <= 620, (key, hint)
        controls = [w for kind in (QtWidgets.QPushButton, QtWidgets.QComboBox,
                                   QtWidgets.QLineEdit, QtWidgets.QAbstractItemView)
                    for w in view.findChildren(kind)]
        for widget in controls:
            if isinstance(widget, QtWidgets.QHeaderView):
                continue  # a table's own headings
            if isinstance(widget, QtWidgets.QAbstractItemView) and isinstance(
                    widget.parent(), QtWidgets.QComboBox):
                continue  # a combo box's own pop-up list
            if isinstance(widget, QtWidgets.QLineEdit) and isinstance(
                    widget.parent(), (QtWidgets.QComboBox, QtWidgets.QAbstractSpinBox)):
                continue
            named = widget.accessibleName() or (isinstance(widget, QtWidgets.QPushButton)
                                                and widget.text())
            if not named and widget.isVisibleTo(view):
                unnamed.append(f"{key}: {type(widget).__name__} {widget.objectName()}")
    assert unnamed == []
    assert win.minimumSizeHint().width() <= 1280


def test_the_welcome_dialog_is_a_sensible_size(qtbot):
    from classlens.gui.signin import FirstRunDialog

    dialog = FirstRunDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.width() <= 720 and dialog.height() >= 250
    qtbot.mouseClick(dialog.findChild(QtWidgets.QPushButton, "create"),
                     Qt.MouseButton.LeftButton)
    assert "Give the school's name" in dialog.message.text()


def test_the_register_keeps_the_chosen_pupil_after_a_change(qtbot, school, answers):
    view = window(qtbot, school, "admin").show_screen("register")
    view.select_pupil("COLLINS")
    view.record_form("COLLINS", {"press": "refused"}, "parent", None, "phone call")
    assert view.selected_pupil().pupil_id == "COLLINS"


def test_discarded_drafts_do_not_count_towards_the_weekly_quota(school):
    def quota_warned() -> tuple[bool, int]:
        post = school.posts.stage("teacher1", "Oak", "website", "Oak: the Blue Room.", [1],
                                  ["Two people"])
        return "weekly-quota" in {p.rule for p in school.posts.post(post.id).problems}, post.id

    first = [quota_warned()[1] for _ in range(2)]
    warned, third = quota_warned()
    assert warned  # the policy asks for at most 2 general posts a week
    for post_id in (*first, third):
        school.posts.discard_draft("teacher1", post_id)
    assert not quota_warned()[0]
