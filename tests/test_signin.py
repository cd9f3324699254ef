"""Sign-in: argon2 password hashes, first sign-in, lockout, on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from classlens.errors import ClassLensError, NotAllowed
from classlens.storage.models import User


def test_passwords_are_hashed_set_once_and_then_required(services):
    assert not services.needs_password("teacher1")
    services.sign_in("teacher1", None)  # no password yet: first sign-in may set one
    with pytest.raises(ClassLensError, match="at least 8 characters"):
        services.sign_in("teacher1", "short")
    services.sign_in("teacher1", "correct horse battery")
    assert services.needs_password("teacher1")
    with services.db.transaction() as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "teacher1"))
    assert stored.startswith("$argon2id$") and "correct" not in stored
    assert services.sign_in("teacher1", "correct horse battery").username == "teacher1"
    with pytest.raises(NotAllowed, match="wrong password for teacher1"):
        services.sign_in("teacher1", "wrong horse battery")
    with pytest.raises(NotAllowed, match="wrong password"):
        services.sign_in("teacher1", None)


def test_repeated_failures_lock_the_account_until_ict_resets_it(services):
    services.sign_in("head", "head-password-1")
    for attempt in range(4):
        with pytest.raises(NotAllowed, match="wrong password"):
            services.sign_in("head", f"guess {attempt}")
    with pytest.raises(NotAllowed, match="now locked"):
        services.sign_in("head", "guess 5")
    with pytest.raises(NotAllowed, match="is locked"):
        services.sign_in("head", "head-password-1")  # even the right one, for now
    with pytest.raises(NotAllowed, match="only an ICT leader"):
        services.set_password("deputy", "head", "new-password-2")
    services.set_password("admin", "head", "new-password-2")
    assert services.sign_in("head", "new-password-2").username == "head"
    actions = [e["action"] for e in services.audit()]
    assert "user.locked" in actions and "user.password_set" in actions


def test_the_command_line_asks_for_the_password(cli, monkeypatch):
    assert cli("init", "--school", "Oak").code == 0
    monkeypatch.setenv("CLASSLENS_NEW_PASSWORD", "admin-password-1")
    assert cli("users", "passwd", "admin", "--as", "admin").code == 0
    refused = cli("users", "add", "x", "--role", "teacher", "--as", "admin")
    assert refused.code == 1 and "set CLASSLENS_PASSWORD" in refused.err
    monkeypatch.setenv("CLASSLENS_PASSWORD", "not-it-at-all")
    assert "wrong password" in cli("users", "add", "x", "--role", "teacher", "--as",
                                   "admin").err
    monkeypatch.setenv("CLASSLENS_PASSWORD", "admin-password-1")
    assert cli("users", "add", "x", "--role", "teacher", "--as", "admin").code == 0
    # Commands that need nobody still work without a password.
    assert cli("register", "list", "--json").code == 0
