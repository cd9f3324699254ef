"""Hostile and unusual files never stop an import, never leave half a photo."""

from __future__ import annotations

import io
import os
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from conftest import FACE_FILES, PASSWORD
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import select

from classlens.photos import decode
from classlens.services import Services
from classlens.storage import Database
from classlens.storage.models import Photo

# How many generated files each property test tries (the README quotes these).
DECODER_CASES = 400
IMPORTER_CASES = 100


def chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png(width: int, height: int, depth: int = 8, colour: int = 2, idat: bytes | None = None,
        extra: list[bytes] = ()) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    body = b"".join(extra)
    if idat is not None:
        body += chunk(b"IDAT", idat)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + body + chunk(b"IEND", b"")


def tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 100, 50)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header is edited to claim another size."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (120, 120, 120)).save(buffer, "JPEG", quality=50)
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def one_bit_png(side: int) -> bytes:
    """A 1-bit PNG of side x side that compresses to a few tens of KB."""
    row = b"\x00" * (1 + (side + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return png(side, side, depth=1, colour=0, idat=idat)


def png_with_huge_text(megabytes: int) -> bytes:
    text = zlib.compress(b"a" * (megabytes * 2**20), 9)
    plain = tiny_png()
    at = plain.index(b"IDAT") - 4
    return plain[:at] + chunk(b"zTXt", b"Comment\x00\x00" + text) + plain[at:]


def grey16(name: str) -> tuple[bytes, np.ndarray]:
    """A real photo as a 16-bit greyscale PNG, and its 8-bit grey pixels."""
    grey = np.asarray(Image.open(FACE_FILES / name).convert("L"), dtype=np.uint16)
    buffer = io.BytesIO()
    Image.fromarray(grey * 257).save(buffer, "PNG")
    return buffer.getvalue(), grey


def write(folder: Path, name: str, data: bytes) -> str:
    path = folder / name
    path.write_bytes(data)
    return str(path)


def library_matches_database(services) -> None:
    """Every original in the library is a photo the database knows, and back."""
    with services.db.transaction() as session:
        known = set(session.scalars(select(Photo.library_path)))
    originals = services.library_root / "originals"
    stored = {str(p.relative_to(services.library_root)).replace(os.sep, "/")
              for p in originals.rglob("*") if p.is_file()} if originals.exists() else set()
    assert stored == known
    assert not [p for p in originals.rglob(".part-*")] if originals.exists() else True


# -- the reported files, one by one and in one batch ------------------------------


def test_decoder_refuses_bombs_from_the_header(tmp_path):
    for data, message in (
            (jpeg_claiming(12000, 20000), "too large"),
            (one_bit_png(15800), "too large"),
            (png_with_huge_text(50), "damaged"),
    ):
        with pytest.raises(decode.PhotoError, match=message):
            decode.load(data, 0.5)
    assert len(jpeg_claiming(12000, 20000)) < 1000
    assert len(one_bit_png(15800)) < 60_000


def test_sixteen_bit_greyscale_decodes_as_the_photo(tmp_path):
    data, grey = grey16("obama_portrait.jpg")
    image, scale = decode.load(data, 1.0)
    pixels = np.asarray(image, dtype=np.int16)
    assert scale == 1.0 and image.mode == "RGB"
    assert np.abs(pixels[..., 0] - grey).max() <= 1  # not all white


def test_only_regular_files_are_read(tmp_path):
    fifo = tmp_path / "x.jpg"
    os.mkfifo(fifo)
    with pytest.raises(decode.PhotoError, match="not a regular file"):
        decode.read_photo_file(fifo)
    with pytest.raises(decode.PhotoError, match="not a regular file"):
        decode.read_photo_file(Path("/dev/zero"))
    with pytest.raises(decode.PhotoError, match="not a regular file"):
        decode.read_photo_file(tmp_path)


def test_a_batch_of_hostile_files_goes_on_to_the_good_photo(school, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    fifo = folder / "x.jpg"
    os.mkfifo(fifo)
    data16, _ = grey16("obama_blue_room.jpg")
    files = [
        write(folder, "bomb.jpg", jpeg_claiming(12000, 20000)),
        write(folder, "onebit.png", one_bit_png(15800)),
        write(folder, "ztxt.png", png_with_huge_text(50)),
        str(fifo),
        write(folder, "truncated.jpg", (FACE_FILES / "obama_portrait.jpg").read_bytes()[:5000]),
        write(folder, "grey16.png", data16),
        str(FACE_FILES / "obama_address_720p.jpg"),
    ]
    imported = school.photo_import.import_photos("teacher1", files, "Oak", workers=2)
    results = {Path(r.file).name: r for r in imported}
    assert [n for n, r in results.items() if r.error is None] == [
        "grey16.png", "obama_address_720p.jpg"]
    assert "too large" in results["bomb.jpg"].error
    assert "too large" in results["onebit.png"].error
    assert "damaged" in results["ztxt.png"].error
    assert "not a regular file" in results["x.jpg"].error
    assert "damaged or truncated" in results["truncated.jpg"].error
    assert results["grey16.png"].faces  # a face found in the 16-bit photo
    library_matches_database(school)


def test_file_names_are_printed_safely(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("CLASSLENS_KEY_FILE", str(tmp_path / "key"))
    assert cli("init", "--school", "Oak Primary").code == 0
    (tmp_path / "r.csv").write_text("pupil_id,given_name,family_name,class\nP1,A,B,Oak\n")
    assert cli("register", "import", str(tmp_path / "r.csv"), "--as", "admin").code == 0
    hostile = tmp_path / "a\x1b[2J\rb.jpg"
    hostile.write_bytes(b"not a photo")
    result = cli("photos", "import", str(hostile), "--class", "Oak", "--as", "admin",
                 "--workers", "1")
    assert "\x1b" not in result.out and "\r" not in result.out
    assert "a\\x1b[2J\\rb.jpg: NOT IMPORTED" in result.out


# -- property-based: generated hostile headers ------------------------------------

dimensions = st.one_of(st.integers(0, 64), st.integers(0, 2**31 - 1),
                       st.sampled_from([12000, 15800, 16384, 20000, 65535]))
png_files = st.builds(
    lambda w, h, depth, colour, idat, text, cut: png(
        w, h, depth, colour, idat, [chunk(b"zTXt", b"k\x00\x00" + text)] if text else []
    )[:cut],
    dimensions, dimensions, st.sampled_from([0, 1, 2, 4, 8, 16, 3, 255]),
    st.sampled_from([0, 2, 3, 4, 6, 1, 7]),
    st.one_of(st.none(), st.binary(max_size=64).map(zlib.compress), st.binary(max_size=64)),
    st.one_of(st.just(b""), st.binary(max_size=32),
              st.integers(1, 4).map(lambda mb: zlib.compress(b"\x00" * mb * 2**20))),
    st.integers(8, 10_000))
jpeg_files = st.builds(lambda w, h, cut, noise: (jpeg_claiming(w, h) + noise)[:cut],
                       st.integers(0, 65535), st.integers(0, 65535), st.integers(2, 2000),
                       st.binary(max_size=64))
webp_files = st.builds(
    lambda w, h, rest: b"RIFF" + struct.pack("<I", 30 + len(rest)) + b"WEBPVP8X"
    + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + (w - 1).to_bytes(3, "little")
    + (h - 1).to_bytes(3, "little") + rest,
    st.integers(1, 2**24), st.integers(1, 2**24), st.binary(max_size=64))
hostile = st.one_of(png_files, jpeg_files, webp_files, st.binary(max_size=256))


@settings(max_examples=DECODER_CASES, deadline=None)
@given(hostile)
def test_generated_headers_decode_or_fail_cleanly(data):
    try:
        info = decode.inspect(data)
        image, _ = decode.load(data, 0.5)
    except decode.PhotoError:
        return
    assert image.mode == "RGB" and info.width * info.height <= decode.MAX_PIXELS


@settings(max_examples=IMPORTER_CASES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(hostile, min_size=1, max_size=4))
def test_generated_files_never_stop_an_import(school, tmp_path, files):
    folder = tmp_path / "gen"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    paths = [write(folder, f"{i}.png", data) for i, data in enumerate(files)]
    results = school.photo_import.import_photos("teacher1", paths, "Oak", workers=1)
    assert [r.file for r in results] == paths
    assert all((r.error is None) == (r.id is not None) for r in results)
    library_matches_database(school)


# -- processes ------------------------------------------------------------------------


def distinct_photos(folder: Path, count: int) -> list[str]:
    """Real group photos, each re-encoded differently (a different content hash)."""
    folder.mkdir(exist_ok=True)
    source = Image.open(FACE_FILES / "obama_biden_blue_room.jpg").convert("RGB")
    big = source.resize((source.width * 3, source.height * 3))
    paths = []
    for i in range(count):
        path = folder / f"p{i:02}.jpg"
        big.save(path, "JPEG", quality=70 + i)
        paths.append(str(path))
    return paths


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat_line = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat_line.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def start_import(school, photos: list[str], **popen) -> subprocess.Popen:
    """`classlens photos import` of `photos` on two workers, as a user runs it."""
    school.db.close()
    env = {**os.environ, "CLASSLENS_KEY_FILE": str(school.key_file),
           "CLASSLENS_PASSWORD": PASSWORD}
    command = [sys.executable, "-m", "classlens.cli", "--db", school.db.url, "--library",
               str(school.library_root), "photos", "import", *photos, "--class", "Oak",
               "--workers", "2", "--as", "teacher1"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, **popen)


def still_running(pids: set[int]) -> list[int]:
    """Those of `pids` that are alive (not ended, not a zombie)."""
    return [pid for pid in pids if Path(f"/proc/{pid}").exists()
            and "Z" not in (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0])]


def test_workers_end_with_a_killed_import_and_a_resume_leaves_no_stray_file(school, tmp_path):
    if not Path("/proc").exists():
        pytest.skip("needs /proc to find the worker processes")
    photos = distinct_photos(tmp_path / "batch", 7)
    process = start_import(school, photos, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while time.monotonic() < deadline:
        workers |= children_of(process.pid)
        with school.db.transaction() as session:
            if len(session.scalars(select(Photo.id)).all()) >= 2:
                break
        time.sleep(0.2)
    workers |= children_of(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert workers
    time.sleep(1.5)  # a photo takes a worker 2 s or more: they did not run on
    assert still_running(workers) == []
    # Resuming imports the rest; nothing in the library is unknown to the database.
    results = school.photo_import.import_photos("teacher1", photos, "Oak", workers=2)
    assert all(r.error is None for r in results)
    library_matches_database(school)


def test_two_imports_of_the_same_files_at_once(school, tmp_path):
    photos = distinct_photos(tmp_path / "same", 3)
    other = Services(Database(school.db.url), school.library_root, key_file=school.key_file)
    outcomes: dict[str, list] = {}

    def run(name, services):
        try:
            outcomes[name] = services.photo_import.import_photos("teacher1", photos, "Oak",
                                                                 workers=1)
        except Exception as error:  # noqa: BLE001 - the test reports it
            outcomes[name] = error

    threads = [threading.Thread(target=run, args=(n, s))
               for n, s in (("first", school), ("second", other))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.db.close()
    assert all(isinstance(v, list) for v in outcomes.values()), outcomes
    for index in range(len(photos)):
        pair = [outcomes[n][index] for n in ("first", "second")]
        assert all(r.error is None for r in pair)
        assert sorted(r.duplicate for r in pair) == [False, True]
        assert pair[0].id == pair[1].id
    library_matches_database(school)


def test_enrolling_with_another_key_is_refused(school, tmp_path):
    school.key_file.rename(tmp_path / "moved.key")
    with pytest.raises(Exception, match=r"template key is not at .*template.key") as missing:
        school.enrolment.enrol("admin", "OBAMA", [str(FACE_FILES / "obama_portrait.jpg")])
    # In words the app can show; the environment variable is the command line's hint.
    assert "CLASSLENS_KEY_FILE" not in str(missing.value)
    assert "CLASSLENS_KEY_FILE" in missing.value.hint
    assert not school.key_file.exists()  # no second key was made
    school.key_file.write_bytes(b"5L1Bq8tZc3sVbP0n6nYbXW2sGxF2y2Kk1bq1o8l1m0E=")
    with pytest.raises(Exception, match="not the key the enrolled pupils") as wrong:
        school.enrolment.enrol("admin", "OBAMA", [str(FACE_FILES / "obama_portrait.jpg")])
    assert "CLASSLENS_KEY_FILE" not in str(wrong.value)
    assert school.enrolment.templates_of("OBAMA") == 1


def test_a_file_planted_where_an_original_goes_is_replaced_by_what_was_analysed(
        school, tmp_path):
    """A same-size file already at the original's place in the library (put there
    by hand, or damaged) must not stand in for the photo that was analysed."""
    from classlens.photos.library import sha256_of

    photo = tmp_path / "trip.jpg"
    shutil.copy(FACE_FILES / "obama_portrait.jpg", photo)
    data = photo.read_bytes()
    digest = sha256_of(data)
    planted = school.library_root / "originals" / digest[:2] / f"{digest}.jpg"
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_bytes(bytes(len(data)))
    (imported,) = school.photo_import.import_photos("teacher1", [str(photo)], "Oak", workers=1)
    assert imported.error is None
    assert sha256_of(planted.read_bytes()) == digest
    library_matches_database(school)


@pytest.mark.parametrize("when", ["workers starting", "photos stored"])
def test_ctrl_c_stops_an_import_once_cleanly_and_a_rerun_finishes_it(school, tmp_path, when):
    """Ctrl-C reaches every process of the command (the terminal signals the
    whole group): the command says it stopped, with no traceback from it or its
    workers, none of which runs on; running it again imports the rest."""
    if not Path("/proc").exists():
        pytest.skip("needs /proc to find the worker processes")
    photos = distinct_photos(tmp_path / "batch", 8)
    process = start_import(school, photos, stderr=subprocess.PIPE, text=True,
                           start_new_session=True)
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while time.monotonic() < deadline:
        workers |= children_of(process.pid)
        if when == "workers starting" and len(workers) >= 2:
            break
        if when == "photos stored":
            with school.db.transaction() as session:
                if len(session.scalars(select(Photo.id)).all()) >= 3:
                    break
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGINT)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 130, errors
    assert "classlens: stopped. What was finished is kept" in errors
    assert "Traceback" not in errors and "KeyboardInterrupt" not in errors, errors
    time.sleep(1.5)
    assert still_running(workers) == []
    results = school.photo_import.import_photos("teacher1", photos, "Oak", workers=2)
    assert all(r.error is None for r in results)
    library_matches_database(school)


def test_temporary_files_of_killed_writes_are_removed_once_old(school, tmp_path):
    """kill -9 in the middle of writing a file leaves its temporary `.part-` file
    (in an export folder it may hold a whole blurred photo): the next write into
    the same folder removes those over an hour old, and leaves a newer one, which
    another machine may still be writing."""
    from classlens.photos.library import sha256_of

    photo = tmp_path / "trip.jpg"
    shutil.copy(FACE_FILES / "obama_portrait.jpg", photo)
    digest = sha256_of(photo.read_bytes())
    out = tmp_path / "out"
    folders = (out, school.library_root / "originals" / digest[:2])
    two_hours_ago = time.time() - 7200
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ".part-killed").write_bytes(b"\xff\xd8 half a photo")
        os.utime(folder / ".part-killed", (two_hours_ago, two_hours_ago))
        (folder / ".part-writing").write_bytes(b"\xff\xd8 another machine, now")
    school.photo_export.export_photo("admin", 1, "social_private", out)
    school.photo_import.import_photos("teacher1", [str(photo)], "Oak", workers=1)
    for folder in folders:
        assert sorted(p.name for p in folder.glob(".part-*")) == [".part-writing"]
