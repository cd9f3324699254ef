"""The dashboard's account checklist, weekly follower check and removal requests,
and the follower requests dialog with a pasted list."""

from __future__ import annotations

from conftest import PASSWORD, window, write_csv

from classlens.gui import errors
from classlens.gui.qt import QtCore

CONTACTS = ("pupil_id,contact_name,relationship,email\n"
            "OBAMA,Michelle Obama,Mother,michelle@example.org\n"
            "BIDEN,Jill Biden,Grandmother,\n")


def test_dashboard_shows_checklist_and_follower_check_until_done(qtbot, school):
    school.users.add_user("admin", "head", "slt", PASSWORD)
    win = window(qtbot, school, "head")
    panel = win.show_screen("dashboard").account_checks
    # Channels the school has not used yet are not nagged about.
    assert panel.checklist.rowCount() == 0 and panel.followers.rowCount() == 0
    school.posts.stage("teacher1", "Oak", "social_private", "Oak: a visit.", [1], ["Two people."])
    school.followers.decide_follower("head", "social_public", "@spam", "block")
    panel.reload()
    items = [panel.checklist.item(r, 0).text() + ":" + panel.checklist_rows[r]["item"]
             for r in range(panel.checklist.rowCount())]
    assert "social_private:protected" in items and "social_public:messages-off" in items
    assert panel.followers.rowCount() == 1
    assert panel.followers.item(0, 0).text() == "social_public"
    # SLT ticks two settings on the account: they are confirmed and move down.
    panel.checklist.selectRow(0)
    chosen = panel.checklist_rows[0]
    panel.confirm_selected()
    confirmed = [r for r in panel.checklist_rows if r["status"] == "confirmed"]
    assert [(r["channel"], r["item"], r["confirmed_by"]) for r in confirmed] == [
        (chosen["channel"], chosen["item"], "head")]
    assert panel.checklist_rows[-1]["status"] == "confirmed"
    # The weekly check: a sample from the follower list, then marked checked.
    followers = write_csv(school.library_root.parent / "followers.csv",
                          "handle,display_name,bio\n@a,Ann Lee,\n@b,Bob Ray,Ltd\n")
    check = panel.draw_sample(str(followers))
    assert check is not None and len(check["sample"]) == 2
    assert panel.followers.item(0, 2).text() == "sample drawn, waiting for SLT"
    panel.mark_checked()
    assert panel.followers.rowCount() == 0


def test_teachers_see_removal_requests_but_not_the_account_checks(qtbot, school, tmp_path):
    school.removals.request_removal("teacher1", "Mrs Collins, at the gate", pupil_id="COLLINS")
    win = window(qtbot, school, "teacher1")
    panel = win.show_screen("dashboard").account_checks
    assert panel.requests.rowCount() == 1
    assert panel.requests.item(0, 0).text() == "Mrs Collins, at the gate"
    assert not hasattr(panel, "checklist_box")


def test_pasting_follow_requests_gives_verdicts_and_records_decisions(qtbot, school):
    school.users.add_user("admin", "head", "slt", PASSWORD)
    school.contacts.set_display_name("admin", "head", "Gareth Hughes")
    assert not school.contacts.import_contacts("admin", write_csv(
        school.library_root.parent / "contacts.csv", CONTACTS)).errors
    win = window(qtbot, school, "head")
    panel = win.show_screen("dashboard").account_checks
    dialog = panel.open_follower_requests()
    qtbot.addWidget(dialog)
    dialog.channel.setCurrentIndex(dialog.channel.findData("social_private"))
    dialog.paste.setPlainText("@mo, Michelle Obama, Mum\n@gh\tMr Gareth Hughes\n"
                              "@barack, Barack Testpupil\n@jill, Jill Biden, Proud nan\n"
                              "@shop, Blue Room Shop Ltd\n")
    dialog.check_pasted()
    verdicts = [dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())]
    assert verdicts == ["Parent", "Staff", "Pupil — do not accept", "Unknown — check first",
                        "Business — do not accept"]
    assert "michelle@example.org" not in " ".join(
        dialog.table.item(r, 3).text() for r in range(dialog.table.rowCount()))
    dialog.table.selectRow(2)
    dialog.decide("block")
    assert "Blocked @barack" in dialog.status.text()
    assert school.followers.follower_decisions("head", "social_private")[0]["decision"] == "block"


def test_a_teacher_cannot_check_followers_even_through_the_dialog(qtbot, school):
    from classlens.gui.followers_dialog import FollowersDialog

    errors.shown.clear()
    teacher = next(u for u in school.users.users() if u.username == "teacher1")
    dialog = FollowersDialog(school, teacher)
    qtbot.addWidget(dialog)
    dialog.paste.setPlainText("@a, Ann Lee\n")
    dialog.check_pasted()
    assert dialog.table.rowCount() == 0 and "teacher" in errors.shown[-1]
    QtCore.QCoreApplication.processEvents()


def test_compose_marks_an_event_which_the_quota_does_not_count(qtbot, school):
    for caption in ("Oak: magnets.", "Oak: forces."):
        school.posts.stage("teacher1", "Oak", "website", caption, [1], ["Two people."])
    win = window(qtbot, school, "teacher1")
    compose = win.show_screen("compose")
    compose.channel_box.setCurrentIndex(compose.channel_box.findData("website"))
    compose.select_photos([1])
    compose.set_alt(0, "Two visitors in a grand room.")
    compose.caption.setPlainText("Oak: sports day!")
    compose.check()
    assert "weekly-quota" in {p.rule for p in compose._problems}
    compose.event_box.setChecked(True)
    compose.check()
    assert "weekly-quota" not in {p.rule for p in compose._problems}
    post_id = compose.submit()
    assert post_id is not None and school.posts.post(post_id).kind == "event"


def test_contacts_in_the_app_never_show_addresses_and_ict_imports_them(qtbot, school):
    school.users.add_user("admin", "head", "slt", PASSWORD)
    good = write_csv(school.library_root.parent / "contacts.csv", CONTACTS)
    bad = write_csv(school.library_root.parent / "bad.csv",
                    CONTACTS + "NOBODY,Ann Lee,Mother,\n")
    win = window(qtbot, school, "admin")
    dialog = win.show_screen("dashboard").account_checks.open_contacts()
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 0
    assert dialog.import_file(str(bad)).errors and "row 4" in dialog.status.text()
    assert dialog.table.rowCount() == 0
    asked = []
    assert dialog.import_file(str(good), confirm=lambda text: asked.append(text) or True)
    assert asked == ["2 to add, 0 to update, 0 to remove. Import?"]
    cells = [dialog.table.item(r, c).text() for r in range(dialog.table.rowCount())
             for c in range(dialog.table.columnCount())]
    assert "Michelle Obama" in cells and "michelle@example.org" not in cells
    slt = window(qtbot, school, "head")
    seen = slt.show_screen("dashboard").account_checks.open_contacts()
    qtbot.addWidget(seen)
    assert seen.table.rowCount() == 2 and seen.findChild(QtCore.QObject, "importContacts") is None
