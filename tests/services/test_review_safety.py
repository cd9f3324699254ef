"""Each way around the safety rule that was reproduced on the old code, now
refused with a clear message (real photo, Obama and Biden enrolled; Biden
refused the private feed)."""

from __future__ import annotations

import json
import threading
import time

import pytest
from conftest import PASSWORD, TWO
from imaging import BIDEN_RIGHT, FACES, distance, encoding_at
from PIL import Image
from sqlalchemy import select

from classlens.errors import ClassLensError, NotAllowed
from classlens.services import Services
from classlens.storage import Database
from classlens.storage.models import Publication

CAPTION, ALT = "Oak: a visit to the Blue Room.", ["Two visitors in a grand room."]


@pytest.fixture
def staff(school):
    school.users.add_user("admin", "head", "slt", PASSWORD)
    school.users.add_user("admin", "deputy", "slt", PASSWORD)
    return school


def face_of(services, pupil_id, photo_id=1):
    return next(f for f in services.photos.faces(photo_id) if f.recognised_pupil_id == pupil_id)


def approved(services, channel="social_private", photo_id=1, acks=()):
    # An event post: these tests stage several in one week, beyond the weekly quota.
    view = services.posts.stage("teacher1", "Oak", channel, CAPTION, [photo_id], ALT, list(acks),
                                kind="event")
    services.posts.submit("teacher1", view.id)
    return services.posts.approve("head", view.id).id


def test_not_a_face_cannot_show_a_refused_pupil(staff, tmp_path):
    biden = face_of(staff, "BIDEN")
    with pytest.raises(NotAllowed, match="recognition identified photo 1, face 2 as BIDEN; "
                       "saying it is not a face corrects the recognition, which an SLT member "
                       "other than you must confirm"):
        staff.face_review.review_face("teacher1", 1, biden.id, "not-a-face", "it is a poster")
    result = staff.photo_export.export_photo("admin", 1, "social_private", tmp_path / "out")
    assert [f["shown"] for f in result.faces] == [True, False]
    exported = Image.open(result.path).convert("RGB")
    after = encoding_at(exported, BIDEN_RIGHT)
    assert after is None or distance(encoding_at(Image.open(TWO).convert("RGB"),
                                                 BIDEN_RIGHT), after) > 0.6


def test_not_a_face_shows_nothing_under_no_faces(staff):
    (imported,) = staff.photo_import.import_photos("teacher1", [str(FACES / "astronaut.png")],
                                                   "Oak",
                                                   workers=1)
    (face,) = staff.photos.faces(imported.id)
    staff.face_review.review_face("teacher1", imported.id, face.id, "not-a-face", "a poster")
    assert staff.photos.faces(imported.id)[0].decisions["website"].shown  # a second person approves
    staff.settings.set_policy("admin", "faces", "none", delete_templates=True)
    (face,) = staff.photos.faces(imported.id)
    assert not any(d.shown for d in face.decisions.values())
    assert face.decisions["website"].reason == "school policy: no faces are published"


def test_relabel_and_undo_do_not_lift_never_publish(staff, tmp_path):
    staff.pupils.set_never_publish("admin", "OBAMA", True, "court order")
    obama = face_of(staff, "OBAMA")
    with pytest.raises(NotAllowed, match="as OBAMA; saying it is someone else corrects the "
                       "recognition, which an SLT member other than you must confirm"):
        staff.face_review.review_face("teacher1", 1, obama.id, "pupil", "it is Eileen", "COLLINS")
    staff.face_review.review_face("teacher1", 1, obama.id, "reset", "undo")
    assert face_of(staff, "OBAMA").pupil_id == "OBAMA"  # recognition kept
    with pytest.raises(ClassLensError, match="must never be published"):
        staff.photo_export.export_photo("admin", 1, "website", tmp_path / "out")
    # Nobody confirms their own correction, and only SLT confirm.
    with pytest.raises(NotAllowed, match="cannot confirm their own correction"):
        staff.face_review.review_face("head", 1, obama.id, "pupil", "it is Eileen", "COLLINS",
                                      confirmed_by="head")
    with pytest.raises(NotAllowed, match="only slt users"):
        staff.face_review.review_face("teacher1", 1, obama.id, "pupil", "it is Eileen", "COLLINS",
                                      confirmed_by="admin")
    # Two people, one of them senior: the correction stands, audited with both names.
    staff.face_review.review_face("teacher1", 1, obama.id, "pupil", "it is Eileen", "COLLINS",
                                  confirmed_by="head")
    corrected = next(f for f in staff.photos.faces(1) if f.id == obama.id)
    assert (corrected.pupil_id, corrected.recognised_pupil_id,
            corrected.correction_confirmed_by) == ("COLLINS", "OBAMA", "head")
    entry = staff.audit_log.audit("admin")[0]
    assert entry["actor"] == "teacher1" and entry["action"] == "face.pupil"
    assert entry["new"].endswith("(it is Eileen); confirmed by head")
    assert staff.photo_export.export_photo("admin", 1, "website",
                                           tmp_path / "out").faces[0]["shown"]
    # Undo returns to what recognition found: the photo is blocked again.
    staff.face_review.review_face("teacher1", 1, obama.id, "reset", "no, it was him")
    assert face_of(staff, "OBAMA").pupil_id == "OBAMA"
    with pytest.raises(ClassLensError, match="must never be published"):
        staff.photo_export.export_photo("admin", 1, "website", tmp_path / "again")


def test_approval_covers_every_face_decision(staff, tmp_path):
    (imported,) = staff.photo_import.import_photos("teacher1", [str(FACES / "astronaut.png")],
                                                   "Oak",
                                                   workers=1)
    post_id = approved(staff, "website", imported.id, ["all-blurred"])
    (face,) = staff.photos.faces(imported.id)
    staff.face_review.review_face("teacher1", imported.id, face.id, "not-a-face", "a poster")
    with pytest.raises(ClassLensError) as refusal:
        staff.post_export.export_post("teacher1", post_id, tmp_path / "out")
    message = str(refusal.value)
    assert f"post {post_id} changed since it was approved" in message
    assert (f"photo {imported.id}, face {face.id} at {face.box.as_list()} was blurred: not "
            "identified") in message
    assert "now shown: cleared by a reviewer: not a face" in message
    assert not (tmp_path / "out").exists()
    # A correction after approval is a change too, even with two people agreeing.
    post_id = approved(staff)
    biden = face_of(staff, "BIDEN")
    staff.face_review.review_face("teacher1", 1, biden.id, "pupil", "it is Eileen", "COLLINS",
                                  confirmed_by="deputy")
    with pytest.raises(ClassLensError, match=r"photo 1, face 2 at \[786, 48, 936, 254\] was "
                       "blurred: recognised as BIDEN: refused by parent/carer; now shown: "
                       "named by a reviewer as COLLINS"):
        staff.post_export.export_post("teacher1", post_id, tmp_path / "out")


def test_single_photos_are_for_ict_and_slt_and_are_logged(staff, tmp_path):
    with pytest.raises(NotAllowed, match="only ICT and SLT users export one"):
        staff.photo_export.export_photo("teacher1", 1, "social_private", tmp_path / "t")
    assert not (tmp_path / "t").exists()
    result = staff.photo_export.export_photo("head", 1, "social_private", tmp_path / "out")
    with staff.db.transaction() as session:
        (entry,) = session.scalars(select(Publication))
        assert (entry.post_id, entry.file_name, entry.exported_by) == (
            None, result.path.name, "head")
    (live,) = staff.post_reports.takedown("OBAMA")
    assert (live["post_id"], live["photo_id"], live["file"], live["take_down"]) == (
        None, 1, result.path.name, False)
    staff.pupils.set_consent("admin", "OBAMA", "social_private", "refused", "parent")
    (opened,) = staff.post_reports.open_takedowns()
    assert (opened["post_id"], opened["photo_id"], opened["file"], opened["pupil_id"]) == (
        None, 1, result.path.name, "OBAMA")
    assert staff.post_reports.takedown("BIDEN") == []  # blurred in it
    staff.post_reports.withdraw_photo_export("head", result.path.name)
    assert staff.post_reports.open_takedowns() == [] and staff.post_reports.takedown("OBAMA") == []


def second_client(services) -> Services:
    return Services(Database(services.db.url), services.library_root,
                    key_file=services.key_file)


def test_a_withdrawal_just_after_an_export_started_blocks_it(staff, tmp_path, monkeypatch):
    post_id = approved(staff)
    other = second_client(staff)
    render = staff.post_export.renderer.render

    def render_then_withdraw(session, photo, channel):
        rendering = render(session, photo, channel)
        # Another machine records the withdrawal while this one is rendering.
        worker = threading.Thread(target=other.pupils.set_consent, args=(
            "admin", "OBAMA", "social_private", "refused", "parent"))
        worker.start()
        worker.join(30)
        assert not worker.is_alive()
        return rendering

    monkeypatch.setattr(staff.post_export.renderer, "render", render_then_withdraw)
    with pytest.raises(ClassLensError, match=r"photo 1, face 1 at \[236, 20, 392, 224\] was "
                       "shown: recognised as OBAMA: consent granted; now blurred: recognised "
                       "as OBAMA: refused by parent/carer"):
        staff.post_export.export_post("teacher1", post_id, tmp_path / "out")
    other.db.close()
    assert not (tmp_path / "out").exists()
    with staff.db.transaction() as session:
        assert list(session.scalars(select(Publication))) == []
    assert staff.posts.post(post_id).status == "approved"


def test_a_withdrawal_during_the_export_opens_its_takedown(staff, tmp_path, monkeypatch):
    from classlens.services import post_export as posts

    post_id = approved(staff)
    other = second_client(staff)
    record, write_folder = posts.record, posts._write_folder
    outcome = {}

    def withdraw():
        try:
            other.pupils.set_consent("admin", "OBAMA", "social_private", "refused", "parent")
            outcome["withdrawn"] = time.monotonic()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcome["error"] = error

    def record_while_withdrawing(session, *args):
        # The export's log is written; its transaction has not committed yet.
        worker = threading.Thread(target=withdraw)
        worker.start()
        worker.join(1.0)  # it waits for the register lock this export holds
        outcome["worker"] = worker
        outcome["logged"] = time.monotonic()
        return record(session, *args)

    def write_after_the_log(target, files):
        outcome["files_on_disk_before_commit"] = target.exists()
        outcome["written"] = time.monotonic()
        return write_folder(target, files)

    monkeypatch.setattr(posts, "record", record_while_withdrawing)
    monkeypatch.setattr(posts, "_write_folder", write_after_the_log)
    result = staff.post_export.export_post("teacher1", post_id, tmp_path / "out")
    outcome["worker"].join(30)
    other.db.close()
    assert "error" not in outcome, outcome.get("error")
    assert outcome["withdrawn"] > outcome["logged"]  # it waited for the export's log
    assert outcome["written"] > outcome["logged"] and not outcome["files_on_disk_before_commit"]
    manifest = json.loads((tmp_path / "out" / f"post{post_id}-social-private" /
                           "manifest.json").read_text())
    assert manifest["images"][0]["faces_shown"] == 1 and result["files"]
    (opened,) = staff.post_reports.open_takedowns()
    assert (opened["post_id"], opened["pupil_id"]) == (post_id, "OBAMA")


def test_an_export_that_fails_before_its_log_is_committed_leaves_no_file(
        staff, tmp_path, monkeypatch):
    """A file no publication log names could be posted and never taken down: the
    files are written only once the log is committed. Stopped in between (Ctrl-C,
    a crash), the log names files that were never written, which is safe."""
    from classlens.services import photo_export, post_export

    post_id = approved(staff)
    out = tmp_path / "out"

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt  # the last step of each export's transaction

    for module in (photo_export, post_export):
        monkeypatch.setattr(module, "record", stopped)
    with pytest.raises(KeyboardInterrupt):
        staff.post_export.export_post("teacher1", post_id, out / "post")
    with pytest.raises(KeyboardInterrupt):
        staff.photo_export.export_photo("admin", 1, "social_private", out / "single")
    assert [p for p in out.rglob("*") if p.is_file()] == []
    with staff.db.transaction() as session:
        assert list(session.scalars(select(Publication))) == []
    monkeypatch.undo()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(post_export, "_write_folder", disk_full)
    with pytest.raises(OSError):
        staff.post_export.export_post("teacher1", post_id, out / "post")
    with staff.db.transaction() as session:  # logged though never written: a takedown finds nothing
        assert len(list(session.scalars(select(Publication)))) == 1
    assert [p for p in out.rglob("*") if p.is_file()] == []


def test_no_faces_means_no_recognition(staff):
    assert staff.enrolment.templates_of("OBAMA") == 1
    from classlens.errors import NeedsConfirmation

    with pytest.raises(NeedsConfirmation, match="2 face template"):
        staff.settings.set_policy("admin", "faces", "none")
    assert staff.enrolment.templates_of("OBAMA") == 1 and staff.policy().faces == "consented"
    staff.settings.set_policy("admin", "faces", "none", delete_templates=True)
    assert staff.enrolment.templates_of("OBAMA") == 0 and staff.enrolment.templates_of("BIDEN") == 0
    assert list((staff.library_root / "references").rglob("*.*")) == []
    with pytest.raises(ClassLensError, match=r"policy \(private-feed\) has no face "
                       "recognition, so no pupil is enrolled"):
        staff.enrolment.enrol("admin", "OBAMA", [str(FACES / "obama_portrait.jpg")])
    assert staff.enrolment.templates_of("OBAMA") == 0
    # What recognition found is no template: the never-publish block still holds.
    assert face_of(staff, "OBAMA").recognised_pupil_id == "OBAMA"


def test_withdrawing_biometric_consent_keeps_a_never_publish_pupil_out(staff, tmp_path):
    """The templates go, but the record that the photo shows a never-publish
    child stays (it is no template); lifting the flag forgets it."""
    staff.pupils.set_never_publish("admin", "OBAMA", True, "court order")
    staff.pupils.set_consent("admin", "OBAMA", "biometric", "refused")
    assert staff.enrolment.templates_of("OBAMA") == 0
    assert face_of(staff, "OBAMA").pupil_id == "OBAMA"
    with pytest.raises(ClassLensError, match="must never be published"):
        staff.photo_export.export_photo("admin", 1, "social_private", tmp_path / "out")

    staff.pupils.set_never_publish("admin", "OBAMA", False, "the order ended")
    faces = staff.photos.faces(1)
    assert [f.recognised_pupil_id for f in faces] == [None, "BIDEN"]
    assert faces[0].note == "biometric consent withdrawn"
    result = staff.photo_export.export_photo("admin", 1, "social_private", tmp_path / "out")
    assert [f["shown"] for f in result.faces] == [False, False]
    actions = [e["action"] for e in staff.audit_log.audit("admin")]
    assert "recognitions.forgotten" in actions and "templates.deleted" in actions
