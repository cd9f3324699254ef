"""The demo school shows every consent reason, so a newcomer sees them all."""

from classlens.demo import open_demo
from classlens.register.consent import Reason


def test_demo_school_exercises_every_reason(tmp_path):
    services = open_demo(directory=tmp_path / "demo")
    reasons = {
        services.pupils.may_show(p.pupil_id, channel.name).reason
        for p in services.pupils.list_pupils()
        for channel in services.settings.channels()
    }
    assert reasons == set(Reason)
    roles = {u.role for u in services.users.users()}
    assert roles == {"teacher", "ict", "slt"}
    assert {p.status for p in services.posts.posts()} == {
        "draft", "submitted", "approved", "rejected", "exported", "published", "withdrawn"}
    recognised = {f.pupil_id for photo in services.photos.photos()
                  for f in services.photos.faces(photo.id)}
    assert {"A100000000002", "A100000000008", "A100000000003"} <= recognised
    # Opening it again reuses it; reset rebuilds it.
    again = open_demo(directory=tmp_path / "demo")
    assert len(again.pupils.list_pupils()) == 12
    assert len(open_demo(reset=True, directory=tmp_path / "demo").audit_log.audit()) > 0


def test_every_demo_user_has_the_demo_password_and_an_old_demo_is_rebuilt(tmp_path):
    from sqlalchemy import update

    from classlens.demo import DEMO_PASSWORD
    from classlens.storage.models import User

    services = open_demo(directory=tmp_path / "demo")
    for user in services.users.users():
        assert services.signin.sign_in(user.username, DEMO_PASSWORD)
        assert not services.signin.must_change_password(user.username)
    # A demo built by an older version has accounts without passwords: rebuilt.
    with services.db.transaction() as session:
        session.execute(update(User).values(password_hash=None))
    services.db.close()
    rebuilt = open_demo(directory=tmp_path / "demo")
    assert all(rebuilt.signin.needs_password(u.username) for u in rebuilt.users.users())
    assert rebuilt.signin.sign_in("mr.jones", DEMO_PASSWORD)
