"""Ways around the safety promises (face decisions, approvals, backups, the
audit log, hostile files) found by trying the product as an attacker would:
each test reproduces one, on real photos and real databases, and shows it is
closed."""

from __future__ import annotations

import contextlib
import json
import struct
from pathlib import Path

import numpy as np
import pytest
from conftest import FACE_FILES, PASSWORD, TWO
from sqlalchemy import select, text

from classlens.audit import entry_hash
from classlens.errors import ClassLensError, NotAllowed
from classlens.services import Services
from classlens.storage import Database
from classlens.storage.models import Face, Pupil

CAPTION = "Oak: a visit from space."
ALT = ["A visitor in a space suit."]
ASTRONAUT = str(FACE_FILES / "astronaut.png")  # Eileen Collins: pupil COLLINS, no biometrics


@pytest.fixture
def staff(school):
    school.users.add_user("admin", "head", "slt", PASSWORD)
    school.users.add_user("admin", "deputy", "slt", PASSWORD)
    # COLLINS has no biometric consent, so her face is never recognised; her
    # parent now refuses the private feed.
    school.pupils.set_consent("head", "COLLINS", "social_private", "refused")
    return school


def _collins_photo(services) -> tuple[int, int]:
    (imported,) = services.photo_import.import_photos("teacher1", [ASTRONAUT], "Oak", workers=1)
    assert imported.error is None
    (face,) = services.photos.faces(imported.id)
    assert face.recognised_pupil_id is None
    assert not face.decisions["social_private"].shown  # blurred by default
    return imported.id, face.id


def test_the_approver_cannot_clear_a_face_and_then_approve_the_post(staff, tmp_path):
    """Four eyes: the teacher submitted a post whose only face is blurred; the SLT
    approver alone clears it as "not a face" and approves. The export shows the
    face (a pupil refused on this channel) though only one person ever decided
    it should be seen."""
    photo_id, face_id = _collins_photo(staff)
    post = staff.posts.stage("teacher1", "Oak", "social_private", CAPTION, [photo_id], ALT,
                             ["all-blurred"])
    staff.posts.submit("teacher1", post.id)
    staff.face_review.review_face("head", photo_id, face_id, "not-a-face", "looks like a poster")
    try:
        staff.posts.approve("head", post.id)
    except NotAllowed:
        return  # refused: the reviewer of a face is not its second pair of eyes
    try:
        result = staff.post_export.export_post("teacher1", post.id, tmp_path / "out")
    except ClassLensError:
        return
    manifest = json.loads((Path(result["folder"]) / "manifest.json").read_text())
    assert manifest["images"][0]["faces_shown"] == 0, (
        "the approver cleared the face and approved the post alone: one person made a "
        "face visible")


def test_one_slt_member_cannot_clear_a_face_and_export_it_alone(staff, tmp_path):
    """The brief: un-blur only through a post a second person approved. One SLT
    member clears a face as "not a face" and exports the single photo: shown,
    with no second person involved at any step."""
    photo_id, face_id = _collins_photo(staff)
    staff.face_review.review_face("head", photo_id, face_id, "not-a-face", "looks like a poster")
    try:
        result = staff.photo_export.export_photo("head", photo_id, "social_private",
                                                 tmp_path / "out")
    except ClassLensError:
        return
    assert [f["shown"] for f in result.faces] == [False], (
        "one person cleared the face and exported it unblurred")


@pytest.mark.xfail(strict=True, reason="known limit (README, audit log): the chain is not "
                   "keyed, so whoever can write the database and drop its triggers can "
                   "recompute it; a keyed chain or an anchor kept outside is still to build")
def test_audit_chain_cannot_be_rewritten_by_recomputing_the_hashes(school):
    """Someone with the database (the SQLite file on the staffroom PC) drops the
    append-only trigger, removes an entry, changes who approved something, and
    recomputes the chain with the public formula: `audit verify` says intact."""
    school.users.add_user("admin", "head", "slt", PASSWORD)
    school.pupils.set_consent("head", "OBAMA", "website", "refused")
    with school.db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_log_no_update"))
            connection.execute(text("DROP TRIGGER audit_log_no_delete"))
        else:
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        ids = connection.execute(text("SELECT id FROM audit_log ORDER BY id")).scalars().all()
        connection.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[3]})
        connection.execute(text("UPDATE audit_log SET actor = 'teacher1' "
                                "WHERE action = 'consent.set'"))
    # Recompute the chain (entry_hash is the formula any reader of the code has).
    with school.db.transaction() as session:
        from classlens.storage.models import AuditEntry

        head = "0" * 64
        for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
            entry.prev_hash = head
            entry.hash = head = entry_hash(head, entry.at, entry.actor, entry.action,
                                           entry.subject, entry.field, entry.old_value,
                                           entry.new_value, entry.sensitive)
    report = school.audit_log.verify_audit()
    assert not report.intact, "an edited and re-chained audit log verifies as intact"


def test_no_comparison_with_a_pupil_whose_biometric_consent_was_withdrawn_mid_import(
        school, tmp_path):
    """An import loads the templates once, at its start. Biden's parent withdraws
    biometric consent while it runs (the templates are deleted at once); the
    photos imported after that are still compared with Biden's template and
    his face is recorded as recognised."""
    from classlens.tasks import TaskState

    other = Services(Database(school.db.url), school.library_root,
                     key_file=school.key_file)
    school.users.add_user("admin", "head", "slt", PASSWORD)

    def progress(done, total, message):
        if done == 1:  # the first photo is in; the parent phones
            other.pupils.set_consent("head", "BIDEN", "biometric", "refused")

    files = [str(FACE_FILES / "obama_portrait.jpg"), str(FACE_FILES / "biden_portrait.jpg")]
    results = school.photo_import.import_photos("teacher1", files, "Oak", state=TaskState(progress),
                                                workers=1)
    assert [r.error for r in results] == [None, None]
    assert school.enrolment.templates_of("BIDEN") == 0  # the withdrawal did delete the templates
    with school.db.transaction() as session:
        biden = session.scalar(select(Pupil.id).where(Pupil.pupil_id == "BIDEN"))
        recognised = session.scalars(select(Face.photo_id).where(
            Face.pupil_id == biden, Face.photo_id == results[1].id)).all()
    other.db.close()
    assert recognised == [], ("a face was compared with, and recognised as, a pupil after "
                              "his biometric consent was withdrawn")


# -- a photo whose colour profile hides its faces from the detector ---------------------

def _s15(x: float) -> bytes:
    return struct.pack(">i", round(x * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ " + bytes(4) + _s15(x) + _s15(y) + _s15(z)


def _brightening_profile(levels: int) -> bytes:
    """A valid ICC v2 RGB profile (sRGB primaries) whose tone curves map device
    values 0..levels-1 onto the whole range: a photo stored almost black shows
    normally in any colour-managed viewer, and in ClassLens's export."""
    curve = [min(65535, round((min(i, levels - 1) / (levels - 1)) ** 2.2 * 65535))
             for i in range(256)]
    curv = b"curv" + bytes(4) + struct.pack(">I", 256) + struct.pack(">256H", *curve)
    text_ = b"probe\0"
    desc = (b"desc" + bytes(4) + struct.pack(">I", len(text_)) + text_ + bytes(8 + 3 + 67))
    tags = [(b"desc", desc), (b"wtpt", _xyz(0.9642, 1.0, 0.8249)),
            (b"rXYZ", _xyz(0.4361, 0.2225, 0.0139)), (b"gXYZ", _xyz(0.3851, 0.7169, 0.0971)),
            (b"bXYZ", _xyz(0.1431, 0.0606, 0.7141)), (b"rTRC", curv), (b"gTRC", curv),
            (b"bTRC", curv), (b"cprt", b"text" + bytes(4) + b"none\0")]
    offset = 128 + 4 + 12 * len(tags)
    table, data = struct.pack(">I", len(tags)), b""
    for signature, body in tags:
        data += bytes(-(offset + len(data)) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = 128 + len(table) + len(data)
    header = (struct.pack(">I", size) + b"lcms" + struct.pack(">I", 0x02100000) + b"mntr"
              + b"RGB XYZ " + bytes(12) + b"acsp" + b"APPL" + bytes(24)
              + _s15(0.9642) + _s15(1.0) + _s15(0.8249) + b"lcms" + bytes(44))
    assert len(header) == 128
    return header + table + data


def test_a_colour_profile_cannot_hide_faces_from_detection_and_show_them_in_the_export(
        school, tmp_path):
    """The two-person photo stored with 8 levels per channel (almost black) and an
    ICC profile that brightens it back. Detection reads the raw pixels and finds
    no face; the export converts to sRGB through the profile and publishes both
    faces unblurred: Biden, never-publish, fully recognisable."""
    from imaging import BIDEN_RIGHT, distance, encoding_at
    from PIL import Image

    school.users.add_user("admin", "head", "slt", PASSWORD)
    school.pupils.set_never_publish("head", "BIDEN", True, "court order")
    with pytest.raises(ClassLensError, match="must never be published"):  # the real photo
        school.photo_export.export_photo("head", 1, "website", tmp_path / "control")

    original = Image.open(TWO).convert("RGB")
    pixels = (np.asarray(original, dtype=np.float32) / 256 * 8).astype(np.uint8)
    hostile = tmp_path / "blue-room.png"
    Image.fromarray(pixels).save(hostile, icc_profile=_brightening_profile(8))

    (imported,) = school.photo_import.import_photos("teacher1", [str(hostile)], "Oak", workers=1)
    assert imported.error is None
    try:
        result = school.photo_export.export_photo("head", imported.id, "website", tmp_path / "out")
    except ClassLensError:
        return  # refused: fine
    exported = Image.open(result.path).convert("RGB")
    after = encoding_at(exported, BIDEN_RIGHT)
    gap = None if after is None else distance(encoding_at(original, BIDEN_RIGHT), after)
    assert gap is None or gap > 0.6, (
        f"{len(result.faces)} face(s) found; a never-publish pupil is exported unblurred "
        f"(recogniser distance {gap:.2f} to the original)")


def test_a_face_named_after_export_puts_the_post_on_that_pupils_takedown_list(staff, tmp_path):
    """A post went out with an unidentified face cleared as "not a face" (teacher
    cleared it, SLT approved). Her parent phones: it is Eileen. Staff name the face
    COLLINS and record the refusal. ClassLens now knows the published post shows
    her, yet her takedown list is empty and a removal request for her lists no
    post to take down."""
    (imported,) = staff.photo_import.import_photos("teacher1", [ASTRONAUT], "Oak", workers=1)
    (face,) = staff.photos.faces(imported.id)
    staff.face_review.review_face("teacher1", imported.id, face.id, "not-a-face",
                                  "a poster on the wall")
    post = staff.posts.stage("teacher1", "Oak", "social_public", CAPTION, [imported.id], ALT)
    staff.posts.submit("teacher1", post.id)
    staff.posts.approve("head", post.id)
    staff.post_export.export_post("teacher1", post.id, tmp_path / "out")
    staff.posts.mark_published("teacher1", post.id, "https://x.com/school/status/1")

    staff.face_review.review_face("teacher1", imported.id, face.id, "pupil",
                                  "her mum says it is Eileen",
                                  "COLLINS")
    staff.pupils.set_consent("head", "COLLINS", "social_public", "refused")
    assert [e["post_id"] for e in staff.post_reports.takedown("COLLINS")] == [post.id], (
        "a published post showing a pupil who withdrew consent is not on her takedown list")


@pytest.mark.parametrize("value", ["None", "NONE", "no", "blur-all", None],
                         ids=["None", "NONE", "no", "blur-all", "null"])
def test_a_mistyped_faces_setting_does_not_unblur_a_no_faces_school(school, value):
    """A no-faces school (every face blurred); the ICT leader retypes the setting with
    a capital letter, or clears it. Any value but "none" is taken as "show consented
    faces": recognised pupils are shown again (and recognition is back on)."""
    school.settings.set_policy("admin", "faces", "none", delete_templates=True)
    assert not any(f.decisions["website"].shown for f in school.photos.faces(1))
    try:
        school.settings.set_policy("admin", "faces", value)
    except ClassLensError:
        return  # refused: "none" or "consented" only
    shown = [f.recognised_pupil_id for f in school.photos.faces(1) if f.decisions["website"].shown]
    assert shown == [], f"faces = {value!r} shows {shown} in a school that publishes no faces"


def test_match_tolerance_cannot_be_loosened_so_that_strangers_are_recognised(school):
    """The domain: keep the tolerance strict (default well below 0.6) and demand a
    margin. Any number is accepted; at 0.95 with no margin the astronaut (Eileen
    Collins, pupil COLLINS, no biometric consent, website refused) is "recognised"
    as BIDEN and shown unblurred."""
    school.users.add_user("admin", "head", "slt", PASSWORD)
    school.pupils.set_consent("head", "COLLINS", "website", "refused")
    try:
        school.settings.set_policy("admin", "match_tolerance", 0.95)
        school.settings.set_policy("admin", "match_margin", 0)
    except ClassLensError:
        return
    (imported,) = school.photo_import.import_photos("teacher1", [ASTRONAUT], "Oak", workers=1)
    (face,) = school.photos.faces(imported.id)
    assert not face.decisions["website"].shown, (
        f"a stranger's face is {face.decisions['website'].reason} and shown")


def test_an_original_changed_in_the_library_after_approval_is_not_exported(staff, tmp_path):
    """The library is a folder every importing machine writes to (often a shared
    one). After SLT approved a post (Obama shown, Biden blurred: he refused the
    private feed), the original is replaced in the library by the same photo
    mirrored. Export never checks the original against its SHA-256: it blurs the
    old boxes and publishes Biden unblurred, where Obama's face was approved."""
    from imaging import BIDEN_RIGHT, distance, encoding_at
    from PIL import Image, ImageOps

    staff.pupils.set_consent("head", "COLLINS", "social_private", "granted")  # back as it was
    post = staff.posts.stage("teacher1", "Oak", "social_private", CAPTION, [1], ALT)
    staff.posts.submit("teacher1", post.id)
    staff.posts.approve("head", post.id)

    (photo,) = [p for p in staff.photos.photos() if p.id == 1]
    original = Image.open(TWO).convert("RGB")
    ImageOps.mirror(original).save(staff.library.path(photo.library_path), "JPEG", quality=95)
    try:
        result = staff.post_export.export_post("teacher1", post.id, tmp_path / "out")
    except ClassLensError:
        return  # refused: the original is not the one that was approved
    (image,) = sorted(Path(result["folder"]).glob("post*.jpg"))
    exported = Image.open(image).convert("RGB")
    scale = exported.width / original.width
    mirrored = BIDEN_RIGHT.__class__(round((original.width - BIDEN_RIGHT.right) * scale),
                                     round(BIDEN_RIGHT.top * scale),
                                     round((original.width - BIDEN_RIGHT.left) * scale),
                                     round(BIDEN_RIGHT.bottom * scale))
    after = encoding_at(exported, mirrored)
    gap = None if after is None else distance(
        encoding_at(ImageOps.mirror(original), mirrored), after)
    assert gap is None or gap > 0.6, (
        f"Biden (refused) is exported unblurred from a replaced original (distance {gap:.2f})")


@pytest.mark.parametrize("hidden", ["\u200b", "\u00ad", "\u200d", "\u2060", "\ufeff"],
                         ids=["zwsp", "soft-hyphen", "zwj", "word-joiner", "bom"])
def test_an_invisible_character_does_not_hide_a_pupil_name_from_the_caption_check(
        school, hidden):
    """A caption pasted from a word processor or a web page can carry a soft hyphen
    or a zero-width character inside a word. The platform shows "Eileen"; the
    pupil-name rule does not see it."""
    for caption, alt in ((f"Oak: Ei{hidden}leen won the race.", "Children running."),
                         ("Oak: the race.", f"Ei{hidden}leen running.")):
        problems = school.posts.check_draft("Oak", "social_private", caption, [1], [alt])
        assert "pupil-name" in {p.rule for p in problems}, (
            f"{caption!r} / {alt!r} passes the pupil-name rule")


def test_no_template_is_stored_for_a_pupil_whose_biometric_consent_was_withdrawn_during_enrolment(
        school, monkeypatch):
    """Enrolment checks biometric consent, then computes the encoding (seconds on a
    real photo), then stores the template, without holding the register lock. A
    withdrawal recorded on another machine meanwhile deletes the templates there
    is, and the new one is stored after it: a template of a pupil without consent."""
    import threading

    school.users.add_user("admin", "head", "slt", PASSWORD)
    other = Services(Database(school.db.url), school.library_root, key_file=school.key_file)
    encode = type(school.enrolment)._reference_encoding

    def encode_while_withdrawn(path):
        result = encode(path)
        worker = threading.Thread(target=other.pupils.set_consent,
                                  args=("head", "OBAMA", "biometric", "refused"))
        worker.start()
        worker.join(30)
        assert not worker.is_alive()
        return result

    monkeypatch.setattr(type(school.enrolment), "_reference_encoding",
                        staticmethod(encode_while_withdrawn))
    with contextlib.suppress(ClassLensError):  # refused: fine
        school.enrolment.enrol("admin", "OBAMA", [str(FACE_FILES / "obama_portrait.jpg")])
    other.db.close()
    with school.db.transaction() as session:  # the refusal was recorded meanwhile
        from classlens.storage.models import Consent

        assert session.scalars(select(Consent.status).join(Pupil).where(
            Pupil.pupil_id == "OBAMA", Consent.category == "biometric")).all() == ["refused"]
    assert school.enrolment.templates_of("OBAMA") == 0, (
        "a template was stored after the pupil's biometric consent was withdrawn")


def test_audit_text_output_escapes_control_characters_in_free_text(cli, tmp_path):
    """A reason is free text. Typed with a newline and a terminal escape, it prints
    raw in `classlens audit`: a forged line ("head approved post 7") and a
    "conceal" escape that hides what follows. File names are escaped already; the
    audit log, which people read to find out who did what, is not."""
    from conftest import REGISTER, write_csv

    assert cli("init", "--school", "Probe Primary", "--policy", "private-feed").code == 0
    assert cli("users", "add", "teacher1", "--role", "teacher", "--as", "admin").code == 0
    register = write_csv(tmp_path / "register.csv", REGISTER)
    assert cli("register", "import", str(register), "--as", "admin").code == 0
    assert cli("photos", "import", TWO, "--class", "Oak", "--as", "teacher1").code == 0
    forged = "2026-11-24T20:31:00  head  post.approved  post:7  status  submitted  approved"
    reason = f"ok\n{forged}\x1b[8m"
    assert cli("photos", "review", "1", "--face", "1", "--blur", "--reason", reason,
               "--as", "teacher1").code == 0
    out = cli("audit", "--limit", "5").out
    assert "\x1b" not in out, "a terminal escape from a reason is printed raw"
    assert not any(line.startswith("2026-11-24T20:31:00") for line in out.splitlines()), (
        "a reason's newline forges a line of the audit log")


def test_a_crafted_manifest_is_refused_with_a_message_not_a_traceback(school, tmp_path):
    """A 600-byte zip whose manifest.json is 200,000 nested brackets: restore dies
    with a RecursionError traceback (nothing is touched, but the ICT leader gets no
    message, and the app an unhandled exception)."""
    import zipfile

    crafted = tmp_path / "backup.zip"
    with zipfile.ZipFile(crafted, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", "[" * 200_000 + "]" * 200_000)
        archive.writestr("manifest.mac", "0" * 64)
    with pytest.raises(ClassLensError):
        school.backups.check_backup(crafted)
    with pytest.raises(ClassLensError):
        school.backups.restore("admin", crafted)
