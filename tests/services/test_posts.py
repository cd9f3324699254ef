"""The post lifecycle's edges, on the prepared school (Obama and Biden enrolled)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from conftest import PASSWORD
from imaging import BIDEN_RIGHT, OBAMA_LEFT

from classlens.errors import ClassLensError, NotAllowed
from classlens.services.lookups import school_row

CAPTION = "Oak: a visit to the Blue Room."
ALT = ["Two visitors in a grand room."]


@pytest.fixture
def staff(school):
    school.users.add_user("admin", "head", "slt", PASSWORD)
    school.users.add_user("admin", "deputy", "slt", PASSWORD)
    return school


def approved_post(school, channel="website", acks=()):
    view = school.posts.stage("teacher1", "Oak", channel, CAPTION, [1], ALT, list(acks))
    school.posts.submit("teacher1", view.id)
    return school.posts.approve("head", view.id)


def test_editing_sends_a_post_back_to_draft(staff):
    view = approved_post(staff)
    assert view.status == "approved" and view.approver == "head"
    edited = staff.posts.edit("teacher1", view.id, caption="Oak: the Blue Room, again.")
    assert edited.status == "draft" and edited.approver is None
    with pytest.raises(NotAllowed, match="only the author"):
        staff.posts.edit("head", view.id, caption="Oak: changed by someone else")


def test_rejection_reason_reaches_the_author(staff):
    view = staff.posts.stage("teacher1", "Oak", "website", CAPTION, [1], ALT)
    staff.posts.submit("teacher1", view.id)
    with pytest.raises(ClassLensError, match="give the author a reason"):
        staff.posts.reject("head", view.id, "  ")
    rejected = staff.posts.reject("head", view.id, "Please use a group shot")
    assert rejected.status == "rejected" and rejected.rejection_reason == "Please use a group shot"
    assert staff.posts.edit("teacher1", view.id, caption=CAPTION + " ").status == "draft"


def test_nobody_approves_their_own_post(staff):
    view = staff.posts.stage("head", "Oak", "website", CAPTION, [1], ALT)
    staff.posts.submit("head", view.id)
    with pytest.raises(NotAllowed, match="a different member of senior leadership"):
        staff.posts.approve("head", view.id)
    assert staff.posts.approve("deputy", view.id).status == "approved"


def test_warnings_need_acknowledgement_before_submission(staff):
    view = staff.posts.stage("teacher1", "Oak", "social_private",
                             CAPTION + " Back tomorrow at 3pm.",
                             [1], ALT)
    rules = {p.rule for p in view.problems}
    assert rules == {"trip-safety"}  # Biden is blurred on the private feed, Obama shown
    with pytest.raises(ClassLensError, match=r"\[trip-safety\]"):
        staff.posts.submit("teacher1", view.id)
    staff.posts.edit("teacher1", view.id, acks=["trip-safety"])
    assert staff.posts.submit("teacher1", view.id).status == "submitted"


def test_a_photo_of_only_blurred_faces_is_flagged(staff):
    staff.pupils.set_consent("admin", "OBAMA", "newsletter", "refused")
    view = staff.posts.stage("teacher1", "Oak", "newsletter", CAPTION, [1], ALT)
    assert [(p.rule, p.severity) for p in view.problems] == [("all-blurred", "warning")]


def test_a_never_publish_pupil_keeps_the_photo_out(staff):
    staff.pupils.set_never_publish("admin", "OBAMA", True, "court order")
    view = staff.posts.stage("teacher1", "Oak", "website", CAPTION, [1], ALT)
    assert ("never-publish", "error") in {(p.rule, p.severity) for p in view.problems}


def test_approval_records_every_face_decision(staff):
    view = approved_post(staff, "social_public")
    from sqlalchemy import select

    from classlens.storage.models import Post

    with staff.db.transaction() as session:
        snapshot = json.loads(session.scalar(select(Post.approval_snapshot)
                                             .where(Post.id == view.id)))
    # Every face, shown or blurred, with its box and why: what the export will show.
    assert snapshot == {"1": [
        {"face": 1, "box": OBAMA_LEFT.as_list(), "shown": True,
         "why": "recognised as OBAMA: consent granted"},
        {"face": 2, "box": BIDEN_RIGHT.as_list(), "shown": False,
         "why": "recognised as BIDEN: refused by parent/carer"}]}  # refused the public feed


def test_posting_window_is_checked_at_export(staff, tmp_path):
    with staff.db.transaction() as session:
        school_row(session).policy = "no-faces"
    staff.context.clock = lambda: datetime(2026, 11, 18, 10, 0)  # staged on a Wednesday morning
    view = approved_post(staff, acks=["all-blurred"])  # no faces at all under this policy
    staff.context.clock = lambda: datetime(2026, 11, 21, 20, 0)  # exported on Saturday evening
    with pytest.raises(ClassLensError, match=r"\[posting-window\]"):
        staff.post_export.export_post("teacher1", view.id, tmp_path)
    staff.context.clock = lambda: datetime(2026, 11, 18, 10, 0)
    result = staff.post_export.export_post("teacher1", view.id, tmp_path)
    assert any(name.endswith(".jpg") for name in result["files"])


def test_two_approvals_at_once_cannot_both_win(staff):
    """Optimistic locking: the second writer of the same post is refused."""
    from sqlalchemy.orm import Session

    from classlens.storage.models import Post

    view = staff.posts.stage("teacher1", "Oak", "website", CAPTION, [1], ALT)
    staff.posts.submit("teacher1", view.id)
    first, second = Session(staff.db.engine), Session(staff.db.engine)
    a, b = first.get(Post, view.id), second.get(Post, view.id)
    a.status, b.status = "approved", "rejected"
    first.commit()
    from sqlalchemy.orm.exc import StaleDataError

    with pytest.raises(StaleDataError):
        second.commit()
    first.close()
    second.close()
    assert staff.posts.post(view.id).status == "approved"


def test_publication_log_lists_only_shown_pupils(staff, tmp_path):
    view = approved_post(staff, "social_public")
    staff.post_export.export_post("teacher1", view.id, tmp_path)
    assert [e["post_id"] for e in staff.post_reports.takedown("OBAMA")] == [view.id]
    assert staff.post_reports.takedown("BIDEN") == []  # blurred in this post: nothing to take down
