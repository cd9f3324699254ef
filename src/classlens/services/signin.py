"""Who is acting: passwords hashed with argon2id, and lockout after failures.

A user created without a password sets one at first sign-in (the GUI asks;
the command line takes CLASSLENS_PASSWORD). Once set, every sign-in needs it.
"""

from __future__ import annotations

from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from classlens.errors import ClassLensError, NotAllowed
from classlens.services.base import ServiceBase
from classlens.storage.models import User, utcnow

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MIN_LENGTH = 8
_hasher = PasswordHasher()


class SignInServices(ServiceBase):
    def needs_password(self, username: str) -> bool:
        """True once the user has set a password."""
        with self.db.transaction() as session:
            user = session.scalar(select(User).where(User.username == username))
            return user is not None and user.password_hash is not None

    def sign_in(self, username: str, password: str | None) -> User:
        """Check the password; set it if the user has none yet. Raises NotAllowed."""
        failure = None
        with self.db.transaction() as session:
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
                if password:
                    self._set(session, user, password, username)
                return user
            try:
                _hasher.verify(user.password_hash, password or "")
            except (VerificationError, InvalidHashError):
                # Counted in this transaction, which commits; the refusal follows.
                user.failed_sign_ins += 1
                failure = f"wrong password for {username}"
                if user.failed_sign_ins >= MAX_FAILURES:
                    user.locked_until, user.failed_sign_ins = now + LOCKOUT, 0
                    self._audit(session, username, "user.locked", f"user:{username}")
                    failure += f"; the account is now locked for {LOCKOUT.seconds // 60} minutes"
            else:
                user.failed_sign_ins, user.locked_until = 0, None
                if _hasher.check_needs_rehash(user.password_hash):
                    user.password_hash = _hasher.hash(password)
        if failure:
            raise NotAllowed(failure)
        return user

    def set_password(self, actor: str, username: str, password: str) -> None:
        """A user changes their own password; an ICT leader resets anyone's (and unlocks)."""
        with self.db.transaction() as session:
            acting = self.require(session, actor, ("teacher", "ict", "slt"))
            if actor != username and acting.role != "ict":
                raise NotAllowed("only an ICT leader sets another user's password")
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                raise NotAllowed(f"there is no user {username!r}")
            self._set(session, user, password, actor)

    def _set(self, session, user: User, password: str, actor: str) -> None:
        if len(password) < MIN_LENGTH:
            raise ClassLensError(f"a password needs at least {MIN_LENGTH} characters")
        user.password_hash = _hasher.hash(password)
        user.failed_sign_ins, user.locked_until = 0, None
        self._audit(session, actor, "user.password_set", f"user:{user.username}")
