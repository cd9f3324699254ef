"""Staff accounts."""

from __future__ import annotations

from sqlalchemy import select

from classlens.audit import record
from classlens.errors import ClassLensError
from classlens.roles import ROLES
from classlens.services.access import MANAGE_USERS, require
from classlens.services.context import Context
from classlens.services.lookups import now
from classlens.services.signin import hash_password
from classlens.services.views import UserView
from classlens.storage.models import User


class UserServices:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def add_user(self, actor: str, username: str, role: str, password: str) -> None:
        """A new account with an initial password, which its owner changes at first
        sign-in in the app."""
        if role not in ROLES:
            raise ClassLensError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        username = username.strip()
        if not username:
            raise ClassLensError("a username cannot be blank")
        with self.ctx.db.transaction() as session:
            require(session, actor, MANAGE_USERS)
            if session.scalar(select(User).where(User.username == username)):
                raise ClassLensError(f"user {username!r} already exists")
            session.add(User(username=username, role=role, created_at=now(),
                             password_hash=hash_password(password), must_change_password=True))
            record(session, actor, "user.added", f"user:{username}", "role", None, role)

    def users(self) -> list[UserView]:
        with self.ctx.db.transaction() as session:
            return [UserView.of(u) for u in session.scalars(select(User).order_by(User.username))]

