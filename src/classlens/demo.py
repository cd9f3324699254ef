"""The demo school: a register whose pupils show every consent reason.

Built from resources/demo/ into its own database in the user's data
directory, so a newcomer sees the product working without touching real data.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from classlens.paths import data_dir
from classlens.resources import resources_dir
from classlens.services import Services
from classlens.storage import Database

DEMO_SCHOOL = "Redbourn Demo Primary"
# Every demo user has this password; the sign-in screen of the demo shows it.
DEMO_PASSWORD = "demo-password"
DEMO_USERS = (("ms.khan", "teacher"), ("mr.jones", "slt"), ("mrs.patel", "slt"))


def demo_dir() -> Path:
    return data_dir() / "demo"


def open_demo(reset: bool = False, directory: Path | None = None) -> Services:
    directory = directory or demo_dir()
    if reset and directory.exists():
        shutil.rmtree(directory)
    if directory.exists() and not reset and _made_without_passwords(directory):
        shutil.rmtree(directory)  # an older version's demo: rebuild it with passwords
    directory.mkdir(parents=True, exist_ok=True)
    services = Services(Database(f"sqlite:///{directory / 'classlens.sqlite'}"),
                        directory / "library", key_file=directory / "template.key")
    if services.settings.init_school(DEMO_SCHOOL, "private-feed", DEMO_PASSWORD):
        try:
            build_demo(services)
        except BaseException:
            # Never leave a half-built demo that the next start would take as done.
            services.db.close()
            shutil.rmtree(directory, ignore_errors=True)
            raise
    return services


def _made_without_passwords(directory: Path) -> bool:
    database = directory / "classlens.sqlite"
    if not database.exists():
        return False
    services = Services(Database(f"sqlite:///{database}"))
    try:
        return any(not services.signin.needs_password(u.username) for u in services.users.users())
    except Exception:  # noqa: BLE001 - an unreadable demo is rebuilt as well
        return True
    finally:
        services.db.close()


def build_demo(services: Services) -> None:
    """Staff, the register, and one pupil for every reason a face stays blurred."""
    for username, role in DEMO_USERS:
        services.users.add_user("admin", username, role, DEMO_PASSWORD)
        # The demo's users "chose" the demo password: no change asked at first sign-in.
        services.signin.set_password(username, username, DEMO_PASSWORD)
    register = resources_dir() / "demo" / "register.csv"
    services.register_files.import_register("admin", register)
    # Noah has left: a re-import without him, asking to mark leavers.
    with tempfile.TemporaryDirectory() as tmp:
        lines = register.read_text(encoding="utf-8").splitlines(keepends=True)
        current = Path(tmp) / "register.csv"
        current.write_text("".join(line for line in lines if "A100000000012" not in line),
                           encoding="utf-8")
        services.register_files.import_register("admin", current, mark_missing_left=True)
    today = services.context.today()
    # Tomás (Year 3) refuses the press himself: a competent pupil's refusal wins.
    services.pupils.set_consent("admin", "A100000000006", "press", "refused", "pupil",
                                evidence="told his teacher, recorded by the ICT leader")
    # Siân's consent lapsed at the end of last term: she needs renewing.
    for category in ("website", "social_private"):
        services.pupils.set_consent("admin", "A100000000007", category, "granted", "parent",
                                    expires=today - timedelta(days=40), evidence="2025 form")
    services.pupils.set_never_publish("admin", "A100000000009", True,
                                      "looked-after child: placement must not be disclosed")
    build_photos_and_posts(services, services.library_root.parent / "exports")
    build_followers(services)


def build_photos_and_posts(services: Services, exports: Path) -> None:
    """Enrolled pupils, reviewed photos and a post in every state of its life."""
    photos = resources_dir() / "demo" / "photos"
    # Annie and Aarav have biometric consent: their reference portraits.
    services.enrolment.enrol("admin", "A100000000002", [str(photos / "obama_portrait.jpg")])
    services.enrolment.enrol("admin", "A100000000008", [str(photos / "biden_portrait.jpg")])
    oak = services.photo_import.import_photos("ms.khan", [str(photos / n) for n in (
        "obama_biden_blue_room.jpg", "obama_blue_room.jpg", "astronaut.png")], "Oak", workers=1)
    willow = services.photo_import.import_photos("ms.khan",
                                                 [str(photos / "obama_address_720p.jpg")],
                                                 "Willow", workers=1)
    trip, hall, science = (r.id for r in oak)
    (assembly,) = (r.id for r in willow)
    # Grace has no biometric consent: her teacher names her by hand.
    assert science is not None and assembly is not None  # the demo photos import
    (face,) = services.photos.faces(science)
    services.face_review.review_face("ms.khan", science, face.id, "pupil",
                                     "her class teacher knows her",
                                     pupil_id="A100000000003")

    def post(caption, photo, alt, channel="social_private", class_name="Oak", acks=(),
             kind="general"):
        return services.posts.stage("ms.khan", class_name, channel, caption, [photo], [alt],
                                    list(acks), kind).id

    post("Oak: magnets and forces in our science lesson.", science,
         "A pupil in an orange flight suit smiling in front of a flag.")
    # The trip is an event: it does not count towards Oak's weekly quota.
    submitted = post("Oak: a visit to the Blue Room.", trip,
                     "Two visitors in a grand room with yellow curtains.", kind="event")
    services.posts.submit("ms.khan", submitted)
    approved = post("Oak: exploring the state rooms.", hall,
                    "A visitor standing beside a gilded chair.", channel="website")
    services.posts.submit("ms.khan", approved)
    services.posts.approve("mr.jones", approved)
    rejected = post("Willow: assembly this morning.", assembly, "A speaker at a lectern.",
                    channel="newsletter", class_name="Willow")
    services.posts.submit("ms.khan", rejected)
    services.posts.reject("mr.jones", rejected, "Please use a photo with the whole class.")
    for state in ("exported", "published", "withdrawn"):
        number = post(f"Oak: the Blue Room trip ({state}).", trip,
                      "Two visitors in a grand room.", channel="website", kind="event")
        services.posts.submit("ms.khan", number)
        services.posts.approve("mrs.patel", number)
        services.post_export.export_post("ms.khan", number, exports)
        if state != "exported":
            services.posts.mark_published("ms.khan", number, f"https://school.example/news/{number}")
        if state == "withdrawn":
            services.posts.withdraw_post("mr.jones", number, "replaced by a newer post")
    # Annie's parents withdraw consent for the website: her live posts must come down.
    services.pupils.set_consent("admin", "A100000000002", "website", "refused", "parent",
                                evidence="e-mail from parent")


def build_followers(services: Services) -> None:
    """Parents' contacts, staff names, decided follow requests and a removal request."""
    report = services.contacts.import_contacts("admin", resources_dir() / "demo" / "contacts.csv")
    assert not report.errors, report.errors  # the demo's own file
    for user, name in (("ms.khan", "Aisha Khan"), ("mr.jones", "Rhys Jones"),
                       ("mrs.patel", "Meera Patel"), ("admin", "Dafydd Hughes")):
        services.contacts.set_display_name("admin", user, name)
    for handle, name, decision in (("@niamh_ob", "Niamh O'Brien", "accept"),
                                   ("@bill_w", "Bill Williams", "accept"),
                                   ("@smithplumbing", "Smith & Sons Plumbing Ltd", "block")):
        services.followers.decide_follower("mr.jones", "social_private", handle, decision, name)
    services.followers.decide_follower("mr.jones", "social_public", "@cheap_followers_4u", "block",
                                       "Cheap Followers Services")
    # The account settings of the private feed: two confirmed this term, one not yet.
    services.account_checks.confirm_account_items("mr.jones", "social_private",
                                                  ["protected", "messages-off"])
    # Zoë's father asks for the published trip post to come down.
    published = next(p.id for p in services.posts.posts("published"))
    services.removals.request_removal("ms.khan", "Mr O'Brien (Zoë's father), by phone",
                                      post_id=published)
