"""Weekly quota at staging, group shots and posts about one child on a real photo,
and parents' removal requests, on the prepared school (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from conftest import PASSWORD

from classlens.errors import ClassLensError, NotAllowed

ALT = ["Two visitors in a grand room."]


@pytest.fixture
def staff(school):
    school.users.add_user("admin", "head", "slt", PASSWORD)
    return school


def rules_of(view) -> set[str]:
    return {p.rule for p in view.problems}


def test_the_third_general_post_of_a_week_is_warned_at_staging_events_are_not(staff):
    first = staff.posts.stage("teacher1", "Oak", "website", "Oak: magnets.", [1], ALT)
    second = staff.posts.stage("teacher1", "Oak", "website", "Oak: forces.", [1], ALT)
    assert "weekly-quota" not in rules_of(first) | rules_of(second)
    event = staff.posts.stage("teacher1", "Oak", "website", "Oak: sports day.", [1], ALT,
                              kind="event")
    assert "weekly-quota" not in rules_of(event) and event.kind == "event"
    third = staff.posts.stage("teacher1", "Oak", "website", "Oak: fractions.", [1], ALT)
    assert "weekly-quota" in rules_of(third)
    with pytest.raises(ClassLensError, match="weekly-quota"):
        staff.posts.submit("teacher1", third.id)
    acked = staff.posts.edit("teacher1", third.id, acks=["weekly-quota"])
    assert staff.posts.submit("teacher1", acked.id).status == "submitted"
    # A rejected post does not count: it will not go out as it is.
    staff.posts.submit("teacher1", second.id)
    staff.posts.reject("head", second.id, "Use a whole-class photo")
    fourth = staff.posts.stage("teacher1", "Oak", "website", "Oak: poetry.", [1], ALT)
    assert "weekly-quota" in rules_of(fourth)  # magnets + fractions already
    with pytest.raises(ClassLensError, match="general or an event"):
        staff.posts.stage("teacher1", "Oak", "website", "Oak: x.", [1], ALT, kind="news")


def test_the_weekly_report_shows_general_posts_and_events(staff, tmp_path):
    for caption, kind in (("Oak: magnets.", "general"), ("Oak: sports day.", "event")):
        view = staff.posts.stage("teacher1", "Oak", "website", caption, [1], ALT, kind=kind)
        staff.posts.submit("teacher1", view.id)
        staff.posts.approve("head", view.id)
        staff.post_export.export_post("teacher1", view.id, tmp_path)
    (oak,) = [c for c in staff.post_reports.weekly_report()["classes"] if c["class"] == "Oak"]
    assert oak == {"class": "Oak", "posts": 1, "status": "ok", "events": 1}


def test_group_shots_preferred_warns_on_a_photo_showing_one_pupil(staff):
    # The Blue Room photo: Obama and Biden. On social_public only Obama is allowed.
    private = staff.posts.stage("teacher1", "Oak", "social_private", "Oak: a visit.", [1], ALT)
    assert "group-shot" not in rules_of(private)
    staff.settings.set_policy("admin", "group_shots_preferred", True)
    one = staff.posts.stage("teacher1", "Oak", "social_public", "Oak: a visit.", [1], ALT)
    assert [p.message for p in one.problems if p.rule == "group-shot"] == [
        ("Image 1 shows exactly one pupil: the policy prefers group shots. Acknowledge to "
         "post it anyway.")]
    two = staff.posts.stage("teacher1", "Oak", "website", "Oak: a visit.", [1], ALT)
    assert "group-shot" not in rules_of(two)  # both shown on the website


def test_a_post_about_one_child_not_on_the_register_is_flagged(staff):
    caption = "Oak: Jonah has been much better behaved today, well done!"
    assert "individual-child" not in rules_of(
        staff.posts.stage("teacher1", "Oak", "website", caption, [1], ALT))
    staff.settings.set_policy("admin", "individual_child_content", False)
    flagged = staff.posts.stage("teacher1", "Oak", "website", caption, [1], ALT)
    assert "individual-child" in rules_of(flagged)
    assert "pupil-name" not in rules_of(flagged)  # Jonah is not on the register


def _live_post(staff, tmp_path):
    view = staff.posts.stage("teacher1", "Oak", "website", "Oak: a visit.", [1], ALT)
    staff.posts.submit("teacher1", view.id)
    staff.posts.approve("head", view.id)
    staff.post_export.export_post("teacher1", view.id, tmp_path)
    return staff.posts.mark_published("teacher1", view.id, "https://school.example/news/1")


def test_a_removal_request_for_a_post_stays_open_until_it_is_withdrawn(staff, tmp_path):
    post = _live_post(staff, tmp_path)
    request = staff.removals.request_removal("teacher1", "Mr Obama, by phone", post_id=post.id)
    assert (request["post_id"], request["waiting_for"], request["done"]) == (
        post.id, [post.id], False)
    takedowns = staff.post_reports.open_takedowns()
    assert {t["pupil_id"] for t in takedowns} == {"OBAMA", "BIDEN"}
    assert all("removal requested by Mr Obama, by phone" in t["reason"] for t in takedowns)
    assert [r["id"] for r in staff.removals.removal_requests()] == [request["id"]]
    audit = [e for e in staff.audit_log.audit("admin") if e["action"] == "takedown.requested"]
    assert audit[0]["actor"] == "teacher1" and audit[0]["subject"] == f"post:{post.id}"
    staff.posts.withdraw_post("teacher1", post.id, "parent asked")
    assert staff.removals.removal_requests() == [] and staff.post_reports.open_takedowns() == []
    assert staff.removals.removal_requests(open_only=False)[0]["done"] is True


def test_a_removal_request_for_a_pupil_covers_their_live_posts(staff, tmp_path):
    post = _live_post(staff, tmp_path)
    request = staff.removals.request_removal("teacher1", "Mrs Collins", pupil_id="OBAMA")
    assert request["posts"] == [post.id] and request["pupil_id"] == "OBAMA"
    assert [t["pupil_id"] for t in staff.post_reports.open_takedowns()] == ["OBAMA"]
    # A pupil in no live post: open until someone says what was done.
    nothing = staff.removals.request_removal("teacher1", "Mrs Collins", pupil_id="COLLINS")
    assert nothing["posts"] == [] and not nothing["done"]
    with pytest.raises(NotAllowed):
        staff.removals.close_removal_request("teacher1", nothing["id"], "checked")
    with pytest.raises(ClassLensError, match="say what was done"):
        staff.removals.close_removal_request("head", nothing["id"], " ")
    staff.removals.close_removal_request("head", nothing["id"],
                                         "no post shows her; consent updated")
    assert [r["id"] for r in staff.removals.removal_requests()] == [request["id"]]


@pytest.mark.parametrize("kwargs,message", [
    ({}, "which post"), ({"post_id": 1, "pupil_id": "OBAMA"}, "which post"),
    ({"post_id": 999}, "no post 999"), ({"pupil_id": "NOBODY"}, "no pupil NOBODY")])
def test_a_removal_request_must_say_what(staff, kwargs, message):
    with pytest.raises(ClassLensError, match=message):
        staff.removals.request_removal("teacher1", "a parent", **kwargs)
    with pytest.raises(ClassLensError, match="who asked"):
        staff.removals.request_removal("teacher1", "  ", pupil_id="OBAMA")


def test_a_post_a_parent_asked_to_remove_cannot_go_out_while_the_request_is_open(staff,
                                                                                tmp_path):
    view = staff.posts.stage("teacher1", "Oak", "website", "Oak: a visit.", [1], ALT)
    staff.posts.submit("teacher1", view.id)
    staff.posts.approve("head", view.id)
    request = staff.removals.request_removal("teacher1", "Mrs Biden, by e-mail", post_id=view.id)
    assert request["waiting_for"] == [view.id]
    with pytest.raises(ClassLensError, match="Mrs Biden, by e-mail asked for this post"):
        staff.post_export.export_post("teacher1", view.id, tmp_path)
    staff.removals.close_removal_request("head", request["id"], "post dropped; not exported")
    assert staff.post_export.export_post("teacher1", view.id, tmp_path)["files"]
