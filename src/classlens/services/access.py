"""Who may do what: the roles each kind of work needs, checked here, in the
core, whatever a front end shows."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from classlens.errors import NotAllowed
from classlens.storage.models import User

MANAGE_USERS = ("ict",)
MANAGE_REGISTER = ("ict",)
RECORD_CONSENT = ("ict", "slt")
SEE_SENSITIVE = ("ict", "slt")
MANAGE_CHANNELS = ("ict",)
STAFF = ("teacher", "ict", "slt")
APPROVERS = ("slt",)
# A single photo leaves the app without a second person's approval (posts need one).
EXPORT_SINGLE = ("ict", "slt")


def require(session: Session, username: str | None, roles: Iterable[str]) -> User:
    """The acting user, if they have one of `roles`; else NotAllowed, in words."""
    roles = tuple(roles)
    if not username:
        raise NotAllowed("say who you are: sign in first",
                         hint="--as USERNAME (or CLASSLENS_USER)")
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotAllowed(f"there is no user {username!r}; an ICT leader can add one",
                         hint="classlens users add NAME --role ROLE --as ICT-LEADER")
    if user.role not in roles:
        raise NotAllowed(f"{username} is a {user.role} user; only "
                         f"{' or '.join(roles)} users may do this")
    return user


def role_of(session: Session, username: str | None) -> str | None:
    if not username:
        return None
    return session.scalar(select(User.role).where(User.username == username))
