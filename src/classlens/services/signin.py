"""Who is acting: passwords hashed with argon2id, and lockout after failures.

Every account has a password from the moment it exists: `init` sets admin's,
and an ICT leader gives each new user an initial one, which the app asks
them to change at first sign-in. Nobody can claim an account by being the
first to choose its password: an account without one (made by an older
version) is locked until an ICT leader sets one.
"""

from __future__ import annotations

from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from classlens.audit import record
from classlens.errors import ClassLensError, NotAllowed
from classlens.services.access import MANAGE_USERS, STAFF, require
from classlens.services.context import Context
from classlens.services.views import UserView
from classlens.storage.models import User, utcnow

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MIN_LENGTH = 8
_hasher = PasswordHasher()


def check_new_password(password: str | None) -> str:
    """The password rules, in one place: refuse before anything is written."""
    if not password or len(password) < MIN_LENGTH:
        raise ClassLensError(f"a password needs at least {MIN_LENGTH} characters")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check_new_password(password))


def locked_without_password(username: str) -> NotAllowed:
    return NotAllowed(f"{username} has no password (the account was made by an older version "
                      "of ClassLens), so it is locked: an ICT leader must set one",
                      hint=f"classlens users set-password {username} --as ICT-LEADER")


class SignInServices:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def needs_password(self, username: str) -> bool:
        """True when the account has a password (every account made by this version)."""
        with self.ctx.db.transaction() as session:
            user = session.scalar(select(User).where(User.username == username))
            return user is not None and user.password_hash is not None

    def must_change_password(self, username: str) -> bool:
        """True while the user still has the initial password an ICT leader gave."""
        with self.ctx.db.transaction() as session:
            user = session.scalar(select(User).where(User.username == username))
            return bool(user and user.must_change_password)

    def require_role(self, username: str | None, roles) -> None:
        """Refuse early, before asking anyone for a password, if the role cannot do it."""
        with self.ctx.db.transaction() as session:
            require(session, username, roles)

    def sign_in(self, username: str, password: str | None) -> UserView:
        """Check the password. Raises NotAllowed; never sets a password."""
        failure = None
        with self.ctx.db.transaction() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                raise NotAllowed(f"there is no user {username!r}")
            now = utcnow()
            if user.locked_until is not None and user.locked_until > now:
                raise NotAllowed(
                    f"{username} is locked after {MAX_FAILURES} wrong passwords until "
                    f"{user.locked_until.astimezone():%H:%M}; an ICT leader can unlock it "
                    "by setting a new password")
            if user.password_hash is None:
                raise locked_without_password(username)
            if not password:  # not a guess (a script without the variable): not counted
                raise NotAllowed(f"give the password of {username}")
            try:
                _hasher.verify(user.password_hash, password or "")
            except (VerificationError, InvalidHashError):
                # Counted in this transaction, which commits; the refusal follows.
                user.failed_sign_ins += 1
                failure = f"wrong password for {username}"
                if user.failed_sign_ins >= MAX_FAILURES:
                    user.locked_until, user.failed_sign_ins = now + LOCKOUT, 0
                    record(session, username, "user.locked", f"user:{username}")
                    failure += f"; the account is now locked for {LOCKOUT.seconds // 60} minutes"
            else:
                user.failed_sign_ins, user.locked_until = 0, None
                if _hasher.check_needs_rehash(user.password_hash):
                    user.password_hash = _hasher.hash(password)
            signed_in = UserView.of(user)
        if failure:
            raise NotAllowed(failure)
        return signed_in

    def set_password(self, actor: str, username: str, password: str) -> None:
        """A signed-in user changes their own password; an ICT leader sets anyone's.

        A password an ICT leader sets for someone else is an initial one (the
        ICT leader knows it): the app asks its owner to change it. Setting a
        password also unlocks the account.
        """
        check_new_password(password)
        with self.ctx.db.transaction() as session:
            acting = require(session, actor, STAFF)
            if actor != username and acting.role not in MANAGE_USERS:
                raise NotAllowed("only an ICT leader sets another user's password")
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                raise NotAllowed(f"there is no user {username!r}")
            self._set(session, user, password, actor, initial=actor != username)

    def set_first_ict_password(self, username: str, password: str) -> None:
        """Unlock a register from an older version in which no ICT account has a password.

        Without this nobody could ever set a password again. It is only
        possible while no ICT account has one, so it cannot take over an
        account in a school that has an ICT leader who can sign in.
        """
        check_new_password(password)
        with self.ctx.db.transaction() as session:
            user = require(session, username, STAFF)
            if user.role not in MANAGE_USERS:
                raise locked_without_password(username)
            if user.password_hash is not None or session.scalar(
                    select(User.id).where(User.role.in_(MANAGE_USERS),
                                          User.password_hash.is_not(None)).limit(1)):
                raise NotAllowed("only while no ICT account has a password; ask your ICT "
                                 "leader to set yours")
            self._set(session, user, password, username, initial=False)

    # -- staff accounts (ICT) ------------------------------------------------------

    def _other_user(self, session: Session, actor: str, username: str) -> User:
        require(session, actor, MANAGE_USERS)
        if actor == username:
            raise NotAllowed("you cannot change your own account here: another ICT leader "
                             "does that, so the school is never left without one")
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotAllowed(f"there is no user {username!r}")
        return user

    def disable_user(self, actor: str, username: str) -> None:
        """A member of staff has left: their account can no longer sign in.

        The account is kept (the audit log names it) with no password, which
        sign-in already treats as locked; an ICT leader enables it again by
        setting a new initial password.
        """
        with self.ctx.db.transaction() as session:
            user = self._other_user(session, actor, username)
            if user.password_hash is None:
                raise ClassLensError(f"{username} is already disabled")
            user.password_hash, user.must_change_password = None, False
            record(session, actor, "user.disabled", f"user:{username}")

    def set_role(self, actor: str, username: str, role: str) -> None:
        """Change what a member of staff may do (teacher, ict, slt)."""
        from classlens.roles import ROLES

        if role not in ROLES:
            raise ClassLensError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        with self.ctx.db.transaction() as session:
            user = self._other_user(session, actor, username)
            old, user.role = user.role, role
            record(session, actor, "user.role", f"user:{username}", "role", old, role)

    def _set(self, session: Session, user: User, password: str, actor: str,
             initial: bool) -> None:
        user.password_hash = hash_password(password)
        user.must_change_password = initial
        user.failed_sign_ins, user.locked_until = 0, None
        record(session, actor, "user.password_set", f"user:{user.username}",
               new="initial password, to change at first sign-in" if initial else None)
