"""Photos and faces on real photographs: recognition, blur, export, enrolment."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import REGISTER, TWO, write_csv
from imaging import (
    BIDEN_RIGHT,
    FACES,
    OBAMA_LEFT,
    distance,
    encoding_at,
    face_crop,
    group_shot,
    jpeg_with_metadata,
    metadata_left,
)
from PIL import Image

from classlens.errors import ClassLensError
from classlens.faces.detect import Box, detect_faces
from classlens.services.lookups import school_row


def faces_by_pupil(services, photo_id=1):
    return {f.pupil_id: f for f in services.photos.faces(photo_id)}


def test_enrolled_pupils_are_recognised_in_a_group_photo(school):
    faces = school.photos.faces(1)
    assert len(faces) == 2
    by_pupil = faces_by_pupil(school)
    assert set(by_pupil) == {"OBAMA", "BIDEN"}
    assert by_pupil["OBAMA"].box.overlap(OBAMA_LEFT) > 0.7
    assert by_pupil["BIDEN"].box.overlap(BIDEN_RIGHT) > 0.7
    assert by_pupil["OBAMA"].distance < 0.5 and by_pupil["BIDEN"].distance < 0.5


def test_decisions_follow_consent_per_channel(school):
    by_pupil = faces_by_pupil(school)
    obama, biden = by_pupil["OBAMA"].decisions, by_pupil["BIDEN"].decisions
    assert obama["social_private"].shown and obama["website"].shown
    assert not biden["social_private"].shown
    assert biden["social_private"].reason == "recognised as BIDEN: refused by parent/carer"
    assert not obama["newsletter"].shown  # not recorded means blurred
    assert biden["website"].shown


def test_export_blurs_the_refused_pupil_beyond_recognition_and_keeps_the_other(school, tmp_path):
    result = school.photo_export.export_photo("admin", 1, "social_private", tmp_path / "out")
    exported = Image.open(result.path).convert("RGB")
    original = Image.open(TWO).convert("RGB")
    assert exported.size == original.size  # within X's long edge: no resize
    shown = {tuple(f["box"]): f["shown"] for f in result.faces}
    assert shown == {tuple(OBAMA_LEFT.as_list()): True, tuple(BIDEN_RIGHT.as_list()): False}
    biden_before = encoding_at(original, BIDEN_RIGHT)
    biden_after = encoding_at(exported, BIDEN_RIGHT)
    assert biden_after is None or distance(biden_before, biden_after) > 0.6
    obama_before = encoding_at(original, OBAMA_LEFT)
    obama_after = encoding_at(exported, OBAMA_LEFT)
    assert distance(obama_before, obama_after) < 0.1  # untouched but for JPEG re-encoding
    # Cleared pixels are unchanged (JPEG noise only); blurred pixels are not.
    a, b = np.asarray(original, dtype=int), np.asarray(exported, dtype=int)
    region = lambda arr, box: arr[box.top:box.bottom, box.left:box.right]  # noqa: E731
    assert np.abs(region(a, OBAMA_LEFT) - region(b, OBAMA_LEFT)).mean() < 4
    assert np.abs(region(a, BIDEN_RIGHT) - region(b, BIDEN_RIGHT)).mean() > 15
    assert "BIDEN" not in result.path.name and "OBAMA" not in result.path.name


def test_a_batch_export_obeys_consent_withdrawn_while_its_files_are_made(
        school, tmp_path, monkeypatch):
    """export_photos makes each file from decisions read before the photo's own
    transaction; a refusal recorded in between must win: the file written is
    made again from the decisions that transaction logs, never the one made
    before. (One photo: the batch runs in this process, in the order a pool
    would run it.)"""
    from classlens.render import export as exporter

    made_before = []
    make = exporter.make_or_none

    def make_then_refuse(job):
        made_before.append(make(job))
        school.pupils.set_consent("admin", "OBAMA", "social_private", "refused", "parent")
        return made_before[-1]

    monkeypatch.setattr(exporter, "make_or_none", make_then_refuse)
    results = school.photo_export.export_photos("admin", [1, 99], "social_private",
                                                tmp_path / "out")
    assert len(made_before) == 1
    assert str(results[99]) == "no photo 99 in the library"
    assert [f["shown"] for f in results[1].faces] == [False, False]
    exported = results[1].path.read_bytes()
    assert exported != made_before[0][0]
    pixels = np.asarray(Image.open(results[1].path).convert("RGB"), dtype=int)
    original = np.asarray(Image.open(TWO).convert("RGB"), dtype=int)
    region = original[OBAMA_LEFT.top:OBAMA_LEFT.bottom, OBAMA_LEFT.left:OBAMA_LEFT.right]
    assert np.abs(pixels[OBAMA_LEFT.top:OBAMA_LEFT.bottom,
                         OBAMA_LEFT.left:OBAMA_LEFT.right] - region).mean() > 15
    assert school.post_reports.takedown("OBAMA") == []  # logged showing nobody


@pytest.mark.parametrize("style", ["gaussian", "pixelate"])
def test_both_blur_styles_defeat_the_recogniser(school, tmp_path, style):
    school.settings.set_policy("admin", "blur_style", style)
    result = school.photo_export.export_photo("admin", 1, "social_public", tmp_path / style)
    assert [f["shown"] for f in result.faces] == [True, False]  # Biden refused the public feed
    exported = Image.open(result.path).convert("RGB")
    original = Image.open(TWO).convert("RGB")
    after = encoding_at(exported, BIDEN_RIGHT)
    assert after is None or distance(encoding_at(original, BIDEN_RIGHT), after) > 0.6
    assert distance(encoding_at(original, OBAMA_LEFT), encoding_at(exported, OBAMA_LEFT)) < 0.1


def test_exported_file_carries_no_metadata(school, tmp_path):
    source = jpeg_with_metadata(Image.open(TWO).convert("RGB"), tmp_path / "phone.jpg")
    assert set(metadata_left(source.read_bytes())) >= {"EXIF", "XMP", "ICC", "serial"}
    (imported,) = school.photo_import.import_photos("teacher1", [str(source)], "Oak", workers=1)
    assert imported.error is None
    result = school.photo_export.export_photo("admin", imported.id, "website", tmp_path / "out")
    data = result.path.read_bytes()
    assert metadata_left(data) == []
    with Image.open(result.path) as image:
        assert len(image.getexif()) == 0
        assert not {"exif", "xmp", "icc_profile", "photoshop"} & set(image.info)
    # The original in the library is the file as the teacher gave it, byte for byte.
    photo = school.photos.photos()[-1]
    assert school.library.path(photo.library_path).read_bytes() == source.read_bytes()
    assert photo.captured_at.isoformat() == "2026-06-12T10:31:07"


def test_a_batch_export_to_an_unknown_channel_refuses_each_photo(school, tmp_path):
    results = school.photo_export.export_photos("admin", [1, 99], "no_such_channel",
                                                tmp_path / "out")
    assert "no channel 'no_such_channel'" in str(results[1])
    assert set(results) == {1, 99} and not (tmp_path / "out").exists()


def test_a_jpeg_comment_does_not_leave_with_the_export(school, tmp_path):
    """A comment segment (a camera's, or the names a photographer typed) is
    metadata too: Pillow copies it from the original unless told not to."""
    source = tmp_path / "named.jpg"
    Image.open(TWO).convert("RGB").save(source, quality=90,
                                        comment=b"Oak class: Barack Testpupil, Joe Testpupil")
    assert b"Testpupil" in source.read_bytes()
    (imported,) = school.photo_import.import_photos("teacher1", [str(source)], "Oak", workers=1)
    for many in ([imported.id], [imported.id, 1]):
        exported = school.photo_export.export_photos("admin", many, "website",
                                                     tmp_path / str(len(many)))
        data = exported[imported.id].path.read_bytes()
        assert b"Testpupil" not in data and metadata_left(data) == []


def test_exif_orientation_is_applied(school, tmp_path):
    with Image.open(FACES / "obama_portrait.jpg") as original:
        upright = original.convert("RGB")
    # Stored sideways with "rotate 90 CW to view" (6), as a phone held upright writes it.
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    path = jpeg_with_metadata(stored, tmp_path / "sideways.jpg", orientation=6)
    (result,) = school.photo_import.import_photos("teacher1", [str(path)], "Oak", workers=1)
    assert result.error is None
    photo = next(p for p in school.photos.photos() if p.id == result.id)
    assert (photo.width, photo.height) == upright.size
    assert [f["pupil_id"] for f in result.faces] == ["OBAMA"]
    exported = school.photo_export.export_photo("admin", result.id, "website", tmp_path / "o")
    with Image.open(exported.path) as exported_image:
        assert exported_image.size == upright.size


def test_duplicates_are_recognised_by_content(school, tmp_path):
    copy = tmp_path / "renamed.jpg"
    shutil.copy(TWO, copy)
    (again,) = school.photo_import.import_photos("teacher1", [str(copy)], "Oak", workers=1)
    assert again.duplicate and again.id == 1 and len(again.faces) == 2
    assert len(school.photos.photos()) == 1


def test_bad_files_are_reported_and_the_batch_goes_on(school, tmp_path):
    good = tmp_path / "good.png"
    Image.open(FACES / "astronaut.png").save(good)
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(Path(TWO).read_bytes()[:40_000])
    text = write_csv(tmp_path / "notes.jpg", "not a photo at all")
    gif = tmp_path / "anim.gif"
    Image.new("RGB", (40, 40)).save(gif)
    bomb = tmp_path / "bomb.png"
    Image.new("1", (20_000, 20_000)).save(bomb)  # 400 MP, a few kB on disk
    missing = tmp_path / "missing.jpg"
    paths = [str(p) for p in (truncated, text, good, gif, bomb, missing)]
    results = school.photo_import.import_photos("teacher1", paths, "Oak", workers=1)
    assert [r.file for r in results] == paths  # one result per input, as given
    errors = {Path(r.file).name: r.error for r in results}
    assert "damaged or truncated" in errors["truncated.jpg"]
    assert "not a photo" in errors["notes.jpg"]
    assert errors["good.png"] is None
    assert "GIF files are not supported" in errors["anim.gif"]
    assert "too large" in errors["bomb.png"]
    assert "cannot read" in errors["missing.jpg"]
    assert len(school.photos.photos()) == 2  # only the good one was added
    # Nothing of the failed files reached the library.
    stored = list((school.library_root / "originals").rglob("*.*"))
    assert len(stored) == 2


def test_heic_and_webp_from_phones(school, tmp_path):
    import pillow_heif

    image = Image.open(FACES / "biden_portrait.jpg").convert("RGB")
    heic = tmp_path / "IMG_0001.HEIC"
    pillow_heif.from_pillow(image).save(heic, quality=90)
    webp = tmp_path / "shared.webp"
    image.save(webp, "WEBP", quality=90)
    results = school.photo_import.import_photos("teacher1", [str(heic), str(webp)], "Oak",
                                                workers=1)
    assert [r.error for r in results] == [None, None]
    assert [[f["pupil_id"] for f in r.faces] for r in results] == [["BIDEN"], ["BIDEN"]]


def test_folders_are_imported_across_worker_processes(school, tmp_path):
    folder = tmp_path / "trip"
    folder.mkdir()
    for name in ("obama_portrait.jpg", "biden_portrait.jpg", "astronaut.png"):
        shutil.copy(FACES / name, folder / name)
    (folder / ".DS_Store").write_bytes(b"junk")
    seen = []
    from classlens.tasks import TaskState

    state = TaskState(lambda d, t, m: seen.append((d, t)))
    results = school.photo_import.import_photos("teacher1", [str(folder)], "Oak", state,
                                                workers=2)
    assert sorted(Path(r.file).name for r in results) == [
        "astronaut.png", "biden_portrait.jpg", "obama_portrait.jpg"]
    assert all(r.error is None for r in results)
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
    names = {Path(r.file).name: [f["pupil_id"] for f in r.faces] for r in results}
    assert names["obama_portrait.jpg"] == ["OBAMA"] and names["biden_portrait.jpg"] == ["BIDEN"]
    assert names["astronaut.png"] == [None]  # Collins has no template: unknown, blurred


def test_cancelling_keeps_what_was_finished(school, tmp_path):
    from classlens.tasks import Cancelled, TaskState

    state = TaskState()
    state.progress = lambda done, total, message: done >= 1 and state.cancel()
    files = [str(FACES / n) for n in ("obama_portrait.jpg", "biden_portrait.jpg",
                                      "astronaut.png")]
    with pytest.raises(Cancelled):
        school.photo_import.import_photos("teacher1", files, "Oak", state, workers=1)
    assert len(school.photos.photos()) == 2  # the group photo and the first of the batch


def test_enrolment_is_refused_without_biometric_consent(school):
    with pytest.raises(ClassLensError, match="COLLINS cannot be enrolled: biometric consent "
                       "refused by parent/carer"):
        school.enrolment.enrol("admin", "COLLINS", [str(FACES / "astronaut.png")])
    assert school.enrolment.templates_of("COLLINS") == 0
    report = school.enrolment.enrol("admin", "OBAMA", [TWO, str(FACES / "obama_address_720p.jpg")])
    assert report.enrolled == 1
    assert report.errors == [{"file": TWO, "message": "a reference photo must show exactly "
                              "one face; this one shows 2"}]
    assert school.enrolment.templates_of("OBAMA") == 2


def test_templates_are_encrypted_and_the_key_is_not_in_the_database(school):
    from sqlalchemy import select

    from classlens.storage.models import Template

    with school.db.transaction() as session:
        blobs = list(session.scalars(select(Template.encrypted)))
    key = school.key_file.read_bytes().strip()
    # Nowhere in the database: every value of every table, whatever the backend...
    from sqlalchemy import MetaData

    metadata = MetaData()
    metadata.reflect(school.db.engine)
    with school.db.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(table.select()):
                assert key.decode() not in repr(tuple(row))
    # ...and not in the SQLite file's bytes either.
    if school.db.url.startswith("sqlite:///"):
        assert key not in Path(school.db.url.removeprefix("sqlite:///")).read_bytes()
    for blob in blobs:
        assert len(blob) > 1024 and blob.startswith(b"gAAAAA")  # Fernet tokens
    assert (school.key_file.stat().st_mode & 0o077) == 0  # owner-only


def test_withdrawing_biometric_consent_deletes_templates_and_recognition(school, tmp_path):
    references = list((school.library_root / "references").rglob("*.*"))
    assert len(references) == 2
    school.pupils.set_consent("admin", "BIDEN", "biometric", "refused", "parent")
    assert school.enrolment.templates_of("BIDEN") == 0
    assert len(list((school.library_root / "references").rglob("*.*"))) == 1
    biden_face = next(f for f in school.photos.faces(1) if f.box.overlap(BIDEN_RIGHT) > 0.7)
    assert biden_face.pupil_id is None
    assert biden_face.note == "biometric consent withdrawn"
    assert not biden_face.decisions["website"].shown  # blurred everywhere now
    actions = [e["action"] for e in school.audit_log.audit()]
    assert "templates.deleted" in actions
    # A new import no longer recognises him.
    (result,) = school.photo_import.import_photos("teacher1", [str(FACES / "biden_portrait.jpg")],
                                                  "Oak",
                                                  workers=1)
    assert [f["pupil_id"] for f in result.faces] == [None]


def test_a_pupil_who_leaves_loses_templates(school, tmp_path):
    school.register_files.import_register("admin", write_csv(tmp_path / "r.csv", REGISTER.replace(
                       "BIDEN,Joe,Testpupil,Oak,yes,no,no,yes\n", "")), mark_missing_left=True)
    assert school.enrolment.templates_of("BIDEN") == 0
    assert school.enrolment.templates_of("OBAMA") == 1


def test_never_publish_pupil_blocks_the_photo(school, tmp_path):
    school.pupils.set_never_publish("admin", "OBAMA", True, "court order")
    with pytest.raises(ClassLensError, match="must never be published"):
        school.photo_export.export_photo("admin", 1, "website", tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_no_faces_policy_blurs_everyone(school):
    with school.db.transaction() as session:
        school_row(session).policy = "no-faces"
    for face in school.photos.faces(1):
        assert not any(d.shown for d in face.decisions.values())
        assert face.decisions["website"].reason == "school policy: no faces are published"


def test_reviewer_overrides_are_audited_and_never_bypass_consent(school, tmp_path):
    by_pupil = faces_by_pupil(school)
    biden = by_pupil["BIDEN"]
    # Naming a refused pupil by hand still blurs him on social_private.
    school.face_review.review_face("teacher1", 1, biden.id, "pupil", "I know him", pupil_id="BIDEN")
    assert not faces_by_pupil(school)["BIDEN"].decisions["social_private"].shown
    # Blurring a consented pupil on request.
    obama = by_pupil["OBAMA"]
    school.face_review.review_face("teacher1", 1, obama.id, "blur", "parent asked in person")
    assert not faces_by_pupil(school)["OBAMA"].decisions["website"].shown
    school.face_review.review_face("teacher1", 1, obama.id, "reset", "mistake")
    assert faces_by_pupil(school)["OBAMA"].decisions["website"].shown
    # A region the detector missed.
    face_id = school.face_review.add_blur("teacher1", 1, Box(500, 300, 560, 380),
                                          "child behind curtain")
    added = next(f for f in school.photos.faces(1) if f.id == face_id)
    assert added.source == "manual" and not added.decisions["website"].shown
    result = school.photo_export.export_photo("admin", 1, "website", tmp_path / "out")
    assert [f["shown"] for f in result.faces] == [True, True, False]
    audit = [(e["actor"], e["action"], e["new"]) for e in school.audit_log.audit()[:5]]
    assert ("teacher1", "face.added", "blur region [500, 300, 560, 380] (child behind curtain)"
            ) in audit
    assert any(a == "face.blur" and "parent asked in person" in n for _, a, n in audit)
    with pytest.raises(ClassLensError, match="say why"):
        school.face_review.review_face("teacher1", 1, obama.id, "blur", " ")


def test_manual_naming_is_the_lawful_alternative(school, tmp_path):
    """Collins has no biometric consent: a person names her, and consent decides."""
    (result,) = school.photo_import.import_photos("teacher1", [str(FACES / "astronaut.png")], "Oak",
                                                  workers=1)
    (face,) = school.photos.faces(result.id)
    assert not face.decisions["website"].shown
    school.face_review.review_face("teacher1", result.id, face.id, "pupil", "her class teacher",
                                   pupil_id="COLLINS")
    (face,) = school.photos.faces(result.id)
    assert face.identified_by == "reviewer"
    assert face.decisions["website"].shown
    assert face.decisions["website"].reason == "named by a reviewer as COLLINS: consent granted"


def test_small_faces_in_a_large_class_photo_are_found(tmp_path):
    """A 12-megapixel class photo with faces from 36 (the smallest we promise) to 300 px."""
    heads = [face_crop("obama_biden_blue_room.jpg", OBAMA_LEFT),
             face_crop("obama_biden_blue_room.jpg", BIDEN_RIGHT),
             face_crop("astronaut.png", Box(180, 56, 274, 178))]
    placements = []
    sizes = [36, 40, 48, 56, 64, 80, 100, 140, 200, 300]
    for i, px in enumerate(sizes):
        placements.append((heads[i % 3], px, (250 + (i % 5) * 800, 500 + (i // 5) * 1500)))
    image, truth = group_shot((4000, 3000), placements)
    path = tmp_path / "class.jpg"
    image.save(path, quality=90)
    from classlens.faces.detect import detection_scale
    from classlens.photos.decode import load

    small, scale = load(path, detection_scale(4000, 3000))
    assert small.width == 2000  # decoded at half size by the JPEG decoder itself
    boxes = detect_faces(small, scale)
    for x, y, px in truth:
        assert any(b.left <= x <= b.right and b.top <= y <= b.bottom for b in boxes), px


def test_our_encodings_are_face_recognitions_own():
    """encode_at calls dlib as face_recognition.face_encodings(model="small") does."""
    import warnings

    from PIL import ImageFile

    from classlens.faces.encode import encode_at

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import face_recognition
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # face_recognition's import turns it on
    pixels = np.asarray(Image.open(TWO).convert("RGB"))
    for box in (OBAMA_LEFT, BIDEN_RIGHT):
        (theirs,) = face_recognition.face_encodings(
            pixels, [(box.top, box.right, box.bottom, box.left)], model="small")
        assert distance(encode_at(pixels, box), theirs) < 1e-9


def test_a_close_up_portrait_enrols_its_dominant_face_and_says_so(school, tmp_path):
    """A close-up once gave ghost boxes and was refused as "shows 3 faces"; a
    small face in the background is ignored, and the report names the face used."""
    portrait = Image.open(FACES / "obama_portrait.jpg").convert("RGB")
    close_up = portrait.crop((325, 60, 647, 470)).resize((1200, 1200), Image.Resampling.LANCZOS)
    path = tmp_path / "close_up.jpg"
    close_up.save(path, quality=90)
    report = school.enrolment.enrol("admin", "OBAMA", [str(path)])
    assert (report.enrolled, report.errors, report.notes) == (1, [], [])
    # The same portrait with a small face behind the pupil (a poster, a passer-by).
    other = face_crop("obama_biden_blue_room.jpg", BIDEN_RIGHT).resize((110, 140))
    close_up.paste(other, (1060, 20))
    path = tmp_path / "with_background_face.jpg"
    close_up.save(path, quality=90)
    report = school.enrolment.enrol("admin", "OBAMA", [str(path)])
    assert report.enrolled == 1 and report.errors == []
    (note,) = report.notes
    assert note["message"].startswith("used the face at ")
    assert "ignored 1 weaker or smaller detection(s)" in note["message"]
    assert report.as_dict()["notes"] == report.notes


def _shrunk(path, face_px: int, target):
    """The two-person photo shrunk so that both faces are about `face_px` wide."""
    image = Image.open(TWO).convert("RGB")
    factor = face_px / OBAMA_LEFT.width
    image.resize((round(image.width * factor), round(image.height * factor)),
                 Image.Resampling.LANCZOS).save(target, quality=92)
    return str(target)


@pytest.mark.parametrize("face_px", [42, 60])
def test_pupils_are_recognised_down_to_the_smallest_compared_size(school, tmp_path, face_px):
    """Faces from 40 px (measured: different people stay apart, README) are
    compared, with the tighter tolerance below 80 px; before, nothing under 80
    px was, so in a whole-class photo every consented pupil stayed blurred."""
    from classlens.faces.encode import MIN_RECOGNISE_PX

    assert face_px >= MIN_RECOGNISE_PX
    (result,) = school.photo_import.import_photos("teacher1", [_shrunk(TWO, face_px,
                                                                       tmp_path / "s.jpg")],
                                                  "Oak", workers=1)
    by_pupil = faces_by_pupil(school, result.id)
    assert set(by_pupil) == {"OBAMA", "BIDEN"}
    assert all(face.distance < 0.45 for face in by_pupil.values())


def test_faces_below_the_smallest_compared_size_stay_unknown(school, tmp_path):
    (result,) = school.photo_import.import_photos("teacher1", [_shrunk(TWO, 34,
                                                                       tmp_path / "s.jpg")],
                                                  "Oak", workers=1)
    faces = school.photos.faces(result.id)
    assert len(faces) == 2
    assert [(f.pupil_id, f.note) for f in faces] == [(None, "too small to recognise")] * 2


def test_small_faces_in_a_12_megapixel_photo_are_recognised_from_full_resolution(school,
                                                                                tmp_path):
    """At half size (where detection runs) these 64 px faces are 32 px, too small
    to compare: they are encoded again from the full-resolution photo."""
    placements = [(face_crop("obama_biden_blue_room.jpg", OBAMA_LEFT), 64, (1200, 1500)),
                  (face_crop("obama_biden_blue_room.jpg", BIDEN_RIGHT), 64, (2800, 1500))]
    image, _ = group_shot((4000, 3000), placements)
    image.save(tmp_path / "class.jpg", quality=92)
    (result,) = school.photo_import.import_photos("teacher1", [str(tmp_path / "class.jpg")], "Oak",
                                                  workers=1)
    by_pupil = faces_by_pupil(school, result.id)
    assert set(by_pupil) == {"OBAMA", "BIDEN"}


def test_a_class_without_enrolled_pupils_is_not_encoded(school, tmp_path):
    """Encoding only where it can change a decision: Elm has no enrolled pupil,
    so its photos' faces are not encoded at all (Obama and Biden, enrolled in
    Oak, stay unknown and blurred there; a reviewer can still name them)."""
    header = REGISTER.splitlines()[0]
    school.register_files.import_register("admin", write_csv(tmp_path / "elm.csv",
                                                             f"{header}\nASH,Ann,Ash,Elm,yes,yes,yes,no\n"))
    (result,) = school.photo_import.import_photos("teacher1", [_shrunk(TWO, 120,
                                                                       tmp_path / "e.jpg")],
                                                  "Elm", workers=1)
    faces = school.photos.faces(result.id)
    assert len(faces) == 2
    assert [(f.pupil_id, f.distance, f.note) for f in faces] == [(None, None, "not compared")] * 2
