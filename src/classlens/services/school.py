"""The school, its policy and its channels."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from classlens.audit import record
from classlens.errors import ClassLensError, NeedsConfirmation
from classlens.policy.platforms import PLATFORMS
from classlens.policy.presets import policy_for
from classlens.register.consent import CATEGORIES
from classlens.services.access import MANAGE_CHANNELS, require
from classlens.services.biometrics import count_templates, delete_all_templates
from classlens.services.context import Context
from classlens.services.lookups import now, policy_changed, school_row
from classlens.services.signin import hash_password
from classlens.services.views import ChannelView
from classlens.storage.models import Channel, School, User

DEFAULT_PLATFORM = {
    "website": "website",
    "social_public": "x",
    "social_private": "x",
    "newsletter": "newsletter",
}


class SchoolServices:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def init_school(self, name: str, preset: str, admin_password: str) -> bool:
        """Create the school, its channels and the `admin` user with its password
        (chosen by whoever creates the school); False if it exists."""
        policy_for(preset)  # refuse an unknown preset before writing anything
        admin_hash = hash_password(admin_password)
        with self.ctx.db.transaction() as session:
            if session.scalar(select(School)) is not None:
                return False
            session.add(School(name=name, policy=preset, settings="{}", created_at=now()))
            for category in CATEGORIES:
                session.add(Channel(name=category, category=category,
                                    platform=DEFAULT_PLATFORM.get(category, "other")))
            session.add(User(username="admin", role="ict", created_at=now(),
                             password_hash=admin_hash, must_change_password=False))
            record(session, "system", "school.created", f"school:{name}",
                   new=f"policy {preset}")
            record(session, "system", "user.added", "user:admin", "role", None, "ict")
        return True

    def set_library(self, actor: str, folder: Path) -> None:
        """Where every machine finds the school's photos (a shared folder)."""
        folder = folder.expanduser().absolute()
        folder.mkdir(parents=True, exist_ok=True)
        with self.ctx.db.transaction() as session:
            require(session, actor, MANAGE_CHANNELS)
            school = school_row(session)
            old, school.library_path = school.library_path, str(folder)
            self.ctx.library_moved()
            record(session, actor, "school.library", f"school:{school.name}",
                   "library_path", old, str(folder))

    def set_policy(self, actor: str, name: str, value, delete_templates: bool = False) -> None:
        """Change one named policy setting of the school (its preset stays).

        A change that switches face recognition off (`faces` "none", or
        `biometric_recognition` false) deletes every face template and
        reference photo, so it needs `delete_templates=True`: the app and the
        command line ask first.
        """
        with self.ctx.db.transaction() as session:
            require(session, actor, MANAGE_CHANNELS)
            school = school_row(session)
            settings = json.loads(school.settings)
            old = settings.get(name)
            try:
                before = policy_for(school.policy, settings)
                after = policy_for(school.policy, {**settings, name: value})
            except (ValueError, TypeError) as error:
                raise ClassLensError(str(error)) from None
            if before.recognises_faces and not after.recognises_faces:
                templates, pupils = count_templates(session)
                if templates and not delete_templates:
                    raise NeedsConfirmation(
                        f"{name} = {json.dumps(value)} switches face recognition off: the "
                        f"{templates} face template(s) of {pupils} pupil(s) and their "
                        "reference photos will be deleted, and pupils would need enrolling "
                        "again. Confirm to go on.", hint="--yes")
                delete_all_templates(session, self.ctx.library, actor,
                                     f"policy {name} = {json.dumps(value)}: no face recognition")
            settings[name] = value
            school.settings = json.dumps(settings, sort_keys=True)
            policy_changed(session)
            record(session, actor, "policy.set", f"school:{school.name}", name,
                   None if old is None else json.dumps(old), json.dumps(value))

    def channels(self) -> list[ChannelView]:
        with self.ctx.db.transaction() as session:
            channels = session.scalars(select(Channel).order_by(Channel.id))
            return [ChannelView.of(c) for c in channels]

    def add_channel(self, actor: str, name: str, category: str, platform: str) -> None:
        if category not in CATEGORIES:
            raise ClassLensError(f"category must be one of {', '.join(CATEGORIES)}")
        if platform not in PLATFORMS:
            raise ClassLensError(f"platform must be one of {', '.join(PLATFORMS)}")
        with self.ctx.db.transaction() as session:
            require(session, actor, MANAGE_CHANNELS)
            if session.scalar(select(Channel).where(Channel.name == name)):
                raise ClassLensError(f"channel {name!r} already exists")
            session.add(Channel(name=name, category=category, platform=platform))
            record(session, actor, "channel.added", f"channel:{name}", None, None,
                   f"{category} on {platform}")

