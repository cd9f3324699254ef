"""Sign-in: every account has a password from the start, argon2 hashes, initial
passwords changed at first sign-in, lockout; on both backends."""

from __future__ import annotations

import pytest
from conftest import PASSWORD
from sqlalchemy import select, update

from classlens.cli import main
from classlens.errors import ClassLensError, NotAllowed
from classlens.storage.models import User


def stored_user(services, username) -> User:
    with services.db.transaction() as session:
        return session.scalar(select(User).where(User.username == username))


def make_password_less(services, *usernames):
    """What an older version left behind: accounts nobody gave a password."""
    with services.db.transaction() as session:
        session.execute(update(User).where(User.username.in_(usernames))
                        .values(password_hash=None, must_change_password=False))


def test_every_account_is_made_with_a_hashed_password(services):
    for username, must_change in (("admin", False), ("teacher1", True), ("head", True)):
        user = stored_user(services, username)
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
        assert user.must_change_password is must_change  # admin chose its own at init
    with pytest.raises(ClassLensError, match="at least 8 characters"):
        services.users.add_user("admin", "short", "teacher", "1234567")
    with pytest.raises(ClassLensError, match="at least 8 characters"):
        services.users.add_user("admin", "blank", "teacher", "")
    assert {u.username for u in services.users.users()} == {"admin", "teacher1", "head", "deputy"}
    assert services.signin.sign_in("teacher1", PASSWORD).username == "teacher1"
    for missing in (None, ""):
        with pytest.raises(NotAllowed, match="give the password of teacher1"):
            services.signin.sign_in("teacher1", missing)
    with pytest.raises(NotAllowed, match="wrong password for teacher1"):
        services.signin.sign_in("teacher1", "wrong horse battery")
    assert stored_user(services, "teacher1").failed_sign_ins == 1  # only the real guess


def test_an_initial_password_is_changed_by_its_owner_and_reset_by_ict(services):
    assert services.signin.must_change_password("teacher1")
    services.signin.set_password("teacher1", "teacher1", "correct horse battery")
    assert not services.signin.must_change_password("teacher1")
    with pytest.raises(NotAllowed, match="wrong password"):
        services.signin.sign_in("teacher1", PASSWORD)
    assert services.signin.sign_in("teacher1", "correct horse battery")
    with pytest.raises(NotAllowed, match="only an ICT leader"):
        services.signin.set_password("head", "teacher1", "head-chose-this")
    services.signin.set_password("admin", "teacher1", "reset-by-ict-1")  # forgot it
    assert services.signin.must_change_password("teacher1")  # ICT knows this one: change it again


def test_repeated_failures_lock_the_account_until_ict_resets_it(services):
    services.signin.sign_in("head", PASSWORD)
    for attempt in range(4):
        with pytest.raises(NotAllowed, match="wrong password"):
            services.signin.sign_in("head", f"guess {attempt}")
    with pytest.raises(NotAllowed, match="now locked"):
        services.signin.sign_in("head", "guess 5")
    with pytest.raises(NotAllowed, match="is locked"):
        services.signin.sign_in("head", PASSWORD)  # even the right one, for now
    with pytest.raises(NotAllowed, match="only an ICT leader"):
        services.signin.set_password("deputy", "head", "new-password-2")
    services.signin.set_password("admin", "head", "new-password-2")
    assert services.signin.sign_in("head", "new-password-2").username == "head"
    actions = [e["action"] for e in services.audit_log.audit()]
    assert "user.locked" in actions and "user.password_set" in actions


def test_nobody_takes_over_an_account_left_without_a_password(services, db_url, tmp_path,
                                                              monkeypatch, capsys):
    """The reproduction: an SLT account without a password could be used by anyone, or
    claimed by whoever set its password first. Now it is locked until ICT sets one."""
    make_password_less(services, "head")

    def cli(*args, password=None, new=None):
        for name, value in (("CLASSLENS_PASSWORD", password), ("CLASSLENS_NEW_PASSWORD", new)):
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        capsys.readouterr()
        code = main(["--db", db_url, "--library", str(tmp_path / "library"), *args])
        return code, capsys.readouterr().err

    for password in (None, "", "anything-at-all"):
        code, err = cli("register", "list", "--as", "head", password=password)
        assert code == 1 and "head has no password" in err and "set-password head" in err
    # Claiming it by setting its password first: refused on every path.
    code, err = cli("users", "passwd", "head", "--as", "head", password="x" * 8,
                    new="claimed-by-me")
    assert code == 1 and "head has no password" in err
    with pytest.raises(NotAllowed, match="head has no password"):
        services.signin.sign_in("head", "claimed-by-me")  # the app's first sign-in
    assert stored_user(services, "head").password_hash is None
    # A teacher cannot set it either; the ICT leader can.
    code, err = cli("users", "set-password", "head", "--as", "teacher1", password=PASSWORD,
                    new="claimed-by-me")
    assert code == 1 and "only an ICT leader" in err
    assert cli("users", "set-password", "head", "--as", "admin", password=PASSWORD,
               new="given-by-ict")[0] == 0
    assert services.signin.must_change_password("head")
    assert cli("register", "list", "--as", "head", password="given-by-ict")[0] == 0


def test_an_older_register_without_any_ict_password_can_be_unlocked_once(services, db_url,
                                                                         tmp_path, monkeypatch):
    make_password_less(services, "admin", "head")
    run = ["--db", db_url, "--library", str(tmp_path / "library")]
    monkeypatch.setenv("CLASSLENS_NEW_PASSWORD", "admin-chose-this")
    monkeypatch.delenv("CLASSLENS_PASSWORD", raising=False)
    assert main([*run, "users", "passwd", "head", "--as", "head"]) == 1  # not an ICT account
    assert main([*run, "users", "passwd", "admin", "--as", "admin"]) == 0
    assert not services.signin.must_change_password("admin")
    # From then on the ICT account is an ordinary one: its password is needed.
    monkeypatch.setenv("CLASSLENS_NEW_PASSWORD", "someone-else-1")
    assert main([*run, "users", "passwd", "admin", "--as", "admin"]) == 1
    with pytest.raises(NotAllowed, match="only while no ICT account has a password"):
        services.signin.set_first_ict_password("admin", "someone-else-1")
    assert services.signin.sign_in("admin", "admin-chose-this")


def test_acting_as_someone_always_needs_their_password(cli, monkeypatch):
    assert cli("init", "--school", "Oak").code == 0
    assert cli("users", "add", "mr.jones", "--role", "slt", "--as", "admin").code == 0
    monkeypatch.delenv("CLASSLENS_PASSWORD")
    for actor in ("admin", "mr.jones"):
        refused = cli("register", "list", "--as", actor)
        assert refused.code == 1
        assert f"acting as {actor} needs {actor}'s password: set CLASSLENS_PASSWORD" in refused.err
        assert "Traceback" not in refused.err
    monkeypatch.setenv("CLASSLENS_PASSWORD", "not-it-at-all")
    assert "wrong password for mr.jones" in cli("register", "list", "--as", "mr.jones").err
    monkeypatch.setenv("CLASSLENS_PASSWORD", PASSWORD)
    ok = cli("register", "list", "--as", "mr.jones")
    assert ok.code == 0 and "initial password" in ok.err  # a reminder to choose their own
    monkeypatch.setenv("CLASSLENS_NEW_PASSWORD", "jones-chose-this")
    assert cli("users", "passwd", "mr.jones", "--as", "mr.jones").code == 0
    monkeypatch.setenv("CLASSLENS_PASSWORD", "jones-chose-this")
    ok = cli("register", "list", "--as", "mr.jones")
    assert ok.code == 0 and "initial password" not in ok.err
    # Commands that need nobody still work without a password.
    monkeypatch.delenv("CLASSLENS_PASSWORD")
    assert cli("register", "list", "--json").code == 0


def test_init_and_users_add_take_the_password_from_the_environment(cli, monkeypatch):
    monkeypatch.delenv("CLASSLENS_NEW_PASSWORD")
    refused = cli("init", "--school", "Oak")  # no terminal to ask: nothing is created
    assert refused.code == 2 and "CLASSLENS_NEW_PASSWORD" in refused.err
    assert cli("users", "list", "--json").json == []
    monkeypatch.setenv("CLASSLENS_NEW_PASSWORD", "short")
    assert "at least 8 characters" in cli("init", "--school", "Oak").err
    monkeypatch.setenv("CLASSLENS_NEW_PASSWORD", PASSWORD)
    assert cli("init", "--school", "Oak").code == 0
    monkeypatch.setenv("CLASSLENS_NEW_PASSWORD", "short")
    refused = cli("users", "add", "ms.khan", "--role", "teacher", "--as", "admin")
    assert refused.code == 1 and "at least 8 characters" in refused.err
    assert [u["username"] for u in cli("users", "list", "--json").json] == ["admin"]
    monkeypatch.setenv("CLASSLENS_NEW_PASSWORD", "khan-initial-1")
    added = cli("users", "add", "ms.khan", "--role", "teacher", "--as", "admin")
    assert added.code == 0 and "initial password" in added.out
    monkeypatch.setenv("CLASSLENS_PASSWORD", "khan-initial-1")
    assert cli("register", "list", "--as", "ms.khan").code == 0


def test_nobody_approves_a_post_as_an_slt_member_without_their_password(school, tmp_path,
                                                                         monkeypatch, capsys):
    """The reproduction: a teacher approved her own post `--as` an SLT member who had
    not chosen a password yet. Four eyes need the second person's password."""
    school.users.add_user("admin", "head", "slt", "heads-initial-1")
    view = school.posts.stage("teacher1", "Oak", "website", "Oak: a visit to the Blue Room.", [1],
                              ["Two visitors in a grand room."])
    school.posts.submit("teacher1", view.id)
    run = ["--db", school.db.url, "--library",
           str(tmp_path / "library"), "posts", "approve", str(view.id), "--as", "head"]
    for password in (None, "", "teacher1s-guess", PASSWORD):
        if password is None:
            monkeypatch.delenv("CLASSLENS_PASSWORD", raising=False)
        else:
            monkeypatch.setenv("CLASSLENS_PASSWORD", password)
        assert main(run) == 1
        assert "password" in capsys.readouterr().err
        assert school.posts.post(view.id).status == "submitted"
    monkeypatch.setenv("CLASSLENS_PASSWORD", "heads-initial-1")
    assert main(run) == 0 and school.posts.post(view.id).status == "approved"
