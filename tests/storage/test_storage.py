"""Migrations, the typed models, and the append-only audit log, on real SQLite files."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import PASSWORD
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from classlens.services import Services
from classlens.storage import Database, migrate
from classlens.storage.database import create_db_engine, head_revision
from classlens.storage.models import Base


def test_models_describe_the_migrated_schema(db_url):
    db = Database(db_url)
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_upgrade_of_a_database_created_by_the_first_migration(db_url):
    engine = create_db_engine(db_url)
    migrate(engine, "0001")
    with engine.begin() as c:
        c.execute(text("INSERT INTO school (id, name, policy, settings, created_at) VALUES "
                       "(1, 'Old School', 'public-feed', '{}', '2024-09-01 08:00:00')"))
        c.execute(text("INSERT INTO classes (id, name) VALUES (1, 'Oak')"))
        c.execute(text("INSERT INTO pupils (id, pupil_id, given_name, family_name, class_id, "
                       "on_roll, never_publish) VALUES "
                       "(1, 'P1', 'Zoë', 'O''Brien', 1, TRUE, FALSE)"))
        c.execute(text("INSERT INTO consents (pupil_id, category, status, decided_by, "
                       "recorded_by, recorded_at, expires) VALUES (1, 'website', 'granted', "
                       "'parent', 'admin', '2024-09-01 08:00:00', '2099-08-31')"))
        c.execute(text("INSERT INTO users (username, role, created_at) VALUES "
                       "('admin', 'ict', '2024-09-01 08:00:00')"))
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
    engine.dispose()

    services = Services(Database(db_url))  # opening migrates to the newest revision
    with services.db.engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            head_revision())
    pupil = services.pupils.pupil("P1")
    assert (pupil.given_name, pupil.class_name) == ("Zoë", "Oak")
    assert pupil.consent["website"].allowed
    # 0002 gave the existing school its channels, one per consent category.
    assert [c.name for c in services.settings.channels()][:2] == ["website", "social_public"]
    assert services.pupils.may_show("P1", "website").allowed
    assert services.school().created_at.tzinfo is not None


REVISIONS = ["0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010",
             "0011", "0012"]


@pytest.mark.parametrize("revision", REVISIONS)
def test_a_database_saved_at_every_revision_upgrades(db_url, revision):
    """Each schema version a school may still have opens, keeping its register."""
    engine = create_db_engine(db_url)
    migrate(engine, revision)
    with engine.begin() as c:
        c.execute(text("INSERT INTO school (id, name, policy, settings, created_at) VALUES "
                       "(1, 'Old School', 'private-feed', '{}', '2024-09-01 08:00:00')"))
        c.execute(text("INSERT INTO pupils (id, pupil_id, given_name, family_name, on_roll, "
                       "never_publish) VALUES (1, 'P1', 'Ann', 'Lee', TRUE, FALSE)"))
    engine.dispose()
    services = Services(Database(db_url))
    assert services.pupils.pupil("P1").given_name == "Ann"
    with services.db.engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            head_revision())


def test_the_revision_list_is_complete():
    assert REVISIONS[-1] == head_revision()


def test_a_fresh_database_has_no_channels_until_a_school_exists(db_url):
    services = Services(Database(db_url))
    assert services.settings.channels() == []
    services.settings.init_school("New", "no-faces", PASSWORD)
    assert len(services.settings.channels()) == 7


def test_opening_twice_keeps_data(db_url):
    first = Services(Database(db_url))
    first.settings.init_school("Twice", "private-feed", PASSWORD)
    first.db.close()
    second = Services(Database(db_url))
    assert second.school().name == "Twice"


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET new_value = 'forged'",
    "DELETE FROM audit_log",
])
def test_the_audit_log_is_append_only(services, statement):
    with pytest.raises(DatabaseError, match="append-only"), services.db.engine.begin() as c:
        c.execute(text(statement))
    assert services.audit_log.audit()[-1]["action"] == "school.created"


def test_foreign_keys_are_enforced(services):
    with pytest.raises(DatabaseError), services.db.engine.begin() as c:
        c.execute(text("INSERT INTO consents (pupil_id, category, status, decided_by, "
                       "recorded_by, recorded_at) VALUES (999, 'website', 'granted', "
                       "'parent', 'admin', '2024-09-01')"))


def test_a_name_given_by_a_reviewer_before_0009_is_kept_apart_from_recognition(db_url):
    """Before 0009 a reviewer's naming overwrote the recognition in the same column."""
    engine = create_db_engine(db_url)
    migrate(engine, "0008")
    with engine.begin() as c:
        c.execute(text("INSERT INTO pupils (id, pupil_id, given_name, family_name, on_roll, "
                       "never_publish) VALUES (1, 'P1', 'Ann', 'Lee', TRUE, FALSE), "
                       "(2, 'P2', 'Bob', 'Ray', TRUE, FALSE)"))
        c.execute(text("INSERT INTO photos (id, sha256, library_path, original_name, format, "
                       "width, height, imported_at, imported_by, recognition) VALUES (1, 'ab', "
                       "'x.jpg', 'x.jpg', 'JPEG', 10, 10, '2026-01-01 00:00:00', 't', TRUE)"))
        for face, pupil, how in ((1, 1, "recognition"), (2, 2, "reviewer")):
            c.execute(text("INSERT INTO faces (id, photo_id, \"left\", top, \"right\", bottom, "
                           "score, source, pupil_id, identified_by, blur_forced, not_a_face) "
                           f"VALUES ({face}, 1, 0, 0, 5, 5, 0.9, 'detected', {pupil}, '{how}', "
                           "FALSE, FALSE)"))
    migrate(engine)
    with engine.connect() as c:
        rows = c.execute(text("SELECT id, pupil_id, identified_by, named_pupil_id FROM faces "
                              "ORDER BY id")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, 1, "recognition", None), (2, None, None, 2)]


def test_the_quick_head_check_agrees_with_alembic():
    # Opening a database compares its revision with the migration files without
    # loading Alembic; that shortcut must name the same head Alembic does.
    from classlens.storage.database import _head_from_files

    assert _head_from_files() == head_revision()
