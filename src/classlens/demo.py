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


def demo_dir() -> Path:
    return data_dir() / "demo"


def open_demo(reset: bool = False, directory: Path | None = None) -> Services:
    directory = directory or demo_dir()
    if reset and directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True, exist_ok=True)
    services = Services(Database(f"sqlite:///{directory / 'classlens.sqlite'}"),
                        directory / "library")
    if services.init_school(DEMO_SCHOOL, "private-feed"):
        build_demo(services)
    return services


def build_demo(services: Services) -> None:
    """Staff, the register, and one pupil for every reason a face stays blurred."""
    services.add_user("admin", "ms.khan", "teacher")
    services.add_user("admin", "mr.jones", "slt")
    services.add_user("admin", "mrs.patel", "slt")
    register = resources_dir() / "demo" / "register.csv"
    services.import_register("admin", register)
    # Noah has left: a re-import without him, asking to mark leavers.
    with tempfile.TemporaryDirectory() as tmp:
        lines = register.read_text(encoding="utf-8").splitlines(keepends=True)
        current = Path(tmp) / "register.csv"
        current.write_text("".join(line for line in lines if "A100000000012" not in line),
                           encoding="utf-8")
        services.import_register("admin", current, mark_missing_left=True)
    today = services.today()
    # Tomás (Year 3) refuses the press himself: a competent pupil's refusal wins.
    services.set_consent("admin", "A100000000006", "press", "refused", "pupil",
                         evidence="told his teacher, recorded by the ICT leader")
    # Siân's consent lapsed at the end of last term: she needs renewing.
    for category in ("website", "social_private"):
        services.set_consent("admin", "A100000000007", category, "granted", "parent",
                             expires=today - timedelta(days=40), evidence="2025 form")
    services.set_never_publish("admin", "A100000000009", True,
                               "looked-after child: placement must not be disclosed")
