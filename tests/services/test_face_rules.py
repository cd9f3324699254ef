"""The safety rule, walked through every combination.

(what recognition found) x (review action) x (who reviews) x (policy) x
(review before or after approval), on both backends: no path shows a face the
rules forbid, and no path exports a photo tying in a never-publish pupil.

The state is built through the services and the models directly (recognition
is written as the import writes it, without running the detector per case);
every export renders the same real photograph, whose face box is Obama's.
"""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import PASSWORD, TWO, write_csv
from sqlalchemy import select

from classlens.errors import ClassLensError, NotAllowed
from classlens.faces.detect import Box
from classlens.photos.library import sha256_of
from classlens.services import Services
from classlens.services.lookups import school_row
from classlens.storage import Database
from classlens.storage.models import Face, Photo, Publication, Pupil

FOUND = ("nothing", "consented", "refused", "never-publish")
ACTIONS = ("none", "name", "blur", "not-a-face", "region", "undo", "slt-correction")
ROLES = {"teacher": "teacher1", "ict": "admin", "slt": "deputy"}
POLICIES = ("private-feed", "public-feed", "no-faces")
WHEN = ("before-approval", "after-approval")

CHANNEL = "website"
FACE = Box(236, 20, 394, 228)  # Obama's face in the real photograph
PUPIL_OF = {"consented": "KEEN", "refused": "SHY", "never-publish": "HIDDEN"}
# Every pupil recognition ties a face to had biometric consent (their templates
# found them); without it, the sweep forgets the recognition.
REGISTER = ("pupil_id,given_name,family_name,class,consent_website,consent_biometric\n"
            "KEEN,Aurelio,Pupilone,Oak,yes,yes\n"
            "OTHER,Benedikt,Pupiltwo,Oak,yes,yes\n"  # the pupil a reviewer names
            "SHY,Cressida,Pupilthree,Oak,no,yes\n"
            "HIDDEN,Desmond,Pupilfour,Oak,yes,yes\n")
CAPTION, ALT = "Oak: a visit to the Blue Room.", ["Visitors in a grand room."]
WEDNESDAY_MORNING = datetime(2026, 11, 18, 10, 0)  # inside the no-faces posting window


def expected(found: str, action: str, policy: str) -> tuple[str, bool]:
    """What the rule says the face becomes, and whether the action is refused.

    "blocked": the photo may not be exported at all (a never-publish pupil).
    """
    recognised = found != "nothing"
    refused = ((action in ("name", "not-a-face") and recognised)
               or (action == "slt-correction" and not recognised))
    if action == "slt-correction" and recognised:
        face = "shown"  # two people agreed it is OTHER, who has consent
    elif found == "never-publish":
        face = "blocked"
    elif action in ("blur",):
        face = "blurred"
    elif found == "consented" or (found == "nothing" and action in ("name", "not-a-face")):
        face = "shown"
    else:
        face = "blurred"
    if policy == "no-faces" and face == "shown":
        face = "blurred"
    return face, refused


def allowed_by_register(found: str, action: str, policy: str) -> bool:
    """The rule stated independently: may this face ever be seen?"""
    if policy == "no-faces":
        return False
    if found in ("refused", "never-publish"):
        return action == "slt-correction"  # only a second, senior person changes who it is
    return True


@pytest.fixture
def table_school(db_url, tmp_path) -> Services:
    services = Services(Database(db_url), tmp_path / "library", key_file=tmp_path / "key",
                        clock=lambda: WEDNESDAY_MORNING, today=lambda: date(2026, 11, 18))
    services.settings.init_school("Table Primary", "private-feed", PASSWORD)
    for user, role in (("teacher1", "teacher"), ("head", "slt"), ("deputy", "slt")):
        services.users.add_user("admin", user, role, PASSWORD)
    services.register_files.import_register("admin", write_csv(tmp_path / "r.csv", REGISTER))
    services.pupils.set_never_publish("admin", "HIDDEN", True, "court order")
    yield services
    services.db.close()


def new_photo(services: Services, number: int, found: str) -> tuple[int, int]:
    """One photo (the real photograph) with one face, as the import records it."""
    # Bytes after the JPEG's end make each file distinct (export checks the hash).
    data = Path(TWO).read_bytes() + number.to_bytes(8, "big")
    relative = services.library.store("originals", data, sha256_of(data), "JPEG")
    with services.db.transaction() as session:
        pupil = (session.scalar(select(Pupil).where(Pupil.pupil_id == PUPIL_OF[found]))
                 if found in PUPIL_OF else None)
        photo = Photo(sha256=sha256_of(data), library_path=relative, original_name="x.jpg",
                      format="JPEG", width=1126, height=661,
                      imported_at=datetime.now().astimezone(), imported_by="teacher1",
                      recognition=True)
        photo.faces.append(Face(
            left=FACE.left, top=FACE.top, right=FACE.right, bottom=FACE.bottom, score=0.9,
            source="detected", pupil=pupil,
            identified_by="recognition" if pupil else None, distance=0.3 if pupil else None,
            match_note=None if pupil else "no enrolled pupil matched",
            blur_forced=False, not_a_face=False))
        session.add(photo)
        session.flush()
        return photo.id, photo.faces[0].id


def review(services: Services, actor: str, photo_id: int, face_id: int, action: str) -> bool:
    """Apply one review action; True if the core refused it (with a clear message)."""
    confirmer = "head"
    try:
        if action == "name":
            services.face_review.review_face(actor, photo_id, face_id, "pupil", "I know her",
                                             "OTHER")
        elif action == "blur":
            services.face_review.review_face(actor, photo_id, face_id, "blur", "parent asked")
        elif action == "not-a-face":
            services.face_review.review_face(actor, photo_id, face_id, "not-a-face", "a poster")
        elif action == "region":
            region = services.face_review.add_blur(actor, photo_id, FACE, "cover it")
            # A blur region can never be cleared or named into showing.
            for attempt in ("not-a-face", "pupil"):
                with pytest.raises(ClassLensError, match="always blurred"):
                    services.face_review.review_face(actor, photo_id, region, attempt, "oops",
                                                     "OTHER")
        elif action == "undo":
            review = services.face_review.review_face
            if services.photos.faces(photo_id)[0].recognised_pupil_id:
                review(actor, photo_id, face_id, "pupil", "not him", "OTHER",
                       confirmed_by=confirmer)
            else:
                review(actor, photo_id, face_id, "pupil", "I know her", "OTHER")
            review(actor, photo_id, face_id, "reset", "undo that")
        elif action == "slt-correction":
            services.face_review.review_face(actor, photo_id, face_id, "pupil", "it is OTHER",
                                             "OTHER", confirmed_by=confirmer)
    except NotAllowed as refusal:
        assert "SLT member" in str(refusal), refusal
        return True
    except ClassLensError as refusal:
        assert "nothing to correct" in str(refusal), refusal
        return True
    return False


def approve(services: Services, photo_ids: list[int]) -> int:
    """Stage, submit and approve a post of the photos (one per role); a post
    with a never-publish photo stays a draft: the policy refuses it."""
    view = services.posts.stage("teacher1", "Oak", CHANNEL, CAPTION, photo_ids,
                                ALT * len(photo_ids), ["all-blurred", "group-shot",
                                                       "individual-child"],
                                kind="event")
    try:
        services.posts.submit("teacher1", view.id)
    except ClassLensError as refusal:
        assert "[never-publish]" in str(refusal), refusal
        return view.id
    services.posts.approve("head", view.id)
    return view.id


def export(services: Services, post_id: int, out: Path) -> dict[int, dict] | None:
    """The exported manifest's image entries by photo, or None if refused."""
    try:
        result = services.post_export.export_post("teacher1", post_id, out)
    except ClassLensError as refusal:
        assert any(words in str(refusal) for words in (
            "changed since it was approved", "only an approved post",
            "must never be published")), refusal
        return None
    manifest = json.loads((Path(result["folder"]) / "manifest.json").read_text())
    return {image["photo_id"]: image for image in manifest["images"]}


def test_every_path_keeps_forbidden_faces_blurred_and_never_publish_photos_out(
        table_school, tmp_path):
    """Each case has its own photo; the three reviewers' photos of one
    (policy, found, action, when) share a post, which keeps the walk fast."""
    services = table_school
    failures = []
    numbers = itertools.count(1)
    for policy, found, action, when in itertools.product(POLICIES, FOUND, ACTIONS, WHEN):
        with services.db.transaction() as session:
            school_row(session).policy = policy
        face, should_refuse = expected(found, action, policy)
        before, _ = expected(found, "none", policy)
        photos = {role: new_photo(services, next(numbers), found) for role in ROLES}
        ids = [photo_id for photo_id, _ in photos.values()]
        refused = {}
        if when == "after-approval":
            post_id = approve(services, ids)
        for role, actor in ROLES.items():
            refused[role] = review(services, actor, *photos[role], action)
        if when == "before-approval":
            post_id = approve(services, ids)
        images = export(services, post_id, tmp_path / f"{policy}-{found}-{action}-{when}")
        for role, (photo_id, _) in photos.items():
            case = f"{policy}/{found}/{action}/{role}/{when}"
            if refused[role] != should_refuse:
                failures.append(f"{case}: review {'refused' if refused[role] else 'accepted'}")
            decision = services.photos.faces(photo_id)[0].decisions[CHANNEL]
            if face != "blocked" and decision.shown != (face == "shown"):
                failures.append(f"{case}: face {'shown' if decision.shown else 'blurred'} "
                                f"({decision.reason}), expected {face}")
            # What left the app, whatever the path.
            if images is not None:
                shown = images[photo_id]["faces_shown"]
                if face == "blocked" or (when == "after-approval" and before == "blocked"):
                    failures.append(f"{case}: a never-publish photo was exported")
                if shown and not allowed_by_register(found, action, policy):
                    failures.append(f"{case}: a forbidden face was exported unblurred")
                if shown != (face == "shown"):
                    failures.append(f"{case}: exported {shown} face(s) shown, expected {face}")
                if action == "region" and images[photo_id]["faces_blurred"] < 1:
                    failures.append(f"{case}: the blur region was not blurred")
            else:
                # Approval covers every face's decision and why: any accepted change after
                # it (even a blur) stops the export until the post is approved again.
                changed = (when == "after-approval" and not should_refuse
                           and action not in ("none", "undo")
                           and (policy != "no-faces" or action == "region"))
                if face != "blocked" and before != "blocked" and not changed:
                    failures.append(f"{case}: refused an export the rules allow")
    assert next(numbers) == 1 + len(POLICIES) * len(FOUND) * len(ACTIONS) * len(ROLES) * 2
    assert failures == [], "\n".join(failures[:40])
    # Every exported file is in the publication log, with the pupil shown (if any).
    with services.db.transaction() as session:
        logged = session.execute(select(Publication.pupil_id, Pupil.pupil_id).outerjoin(
            Pupil, Publication.pupil_id == Pupil.id)).all()
    shown_pupils = {p for _, p in logged if p}
    assert "SHY" not in shown_pupils and "HIDDEN" not in shown_pupils
    assert shown_pupils == {"KEEN", "OTHER"}
    assert any(p is None for p, _ in logged)  # files with every face blurred are logged too


def test_single_photo_export_obeys_the_same_rule_and_only_ict_and_slt_export(
        table_school, tmp_path):
    services = table_school
    for number, (found, policy) in enumerate(itertools.product(FOUND, POLICIES), start=1):
        with services.db.transaction() as session:
            school_row(session).policy = policy
        photo_id, _ = new_photo(services, 10_000 + number, found)
        with pytest.raises(NotAllowed, match="only ICT and SLT users export one"):
            services.photo_export.export_photo("teacher1", photo_id, CHANNEL, tmp_path / "t")
        face, _ = expected(found, "none", policy)
        for exporter in ("admin", "head"):
            if face == "blocked":
                with pytest.raises(ClassLensError, match="must never be published"):
                    services.photo_export.export_photo(exporter, photo_id, CHANNEL, tmp_path / "s")
                continue
            result = services.photo_export.export_photo(exporter, photo_id, CHANNEL, tmp_path / "s")
            assert [f["shown"] for f in result.faces] == [face == "shown"], (found, policy)
    assert not (tmp_path / "t").exists()
