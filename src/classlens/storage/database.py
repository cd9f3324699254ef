"""Opening a ClassLens database: engine from a URL, migrations, sessions."""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from classlens.errors import ConcurrentChange

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection=None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None  # the package ships its migrations
    return head


REVISION_LINE = re.compile(r'^(down_revision|revision)\s*=\s*"([^"]*)"', re.MULTILINE)


@cache
def _head_from_files() -> str | None:
    """The newest revision, read from the migration files without loading Alembic
    (a third of a command's start-up). None when the files do not say plainly,
    and then Alembic decides."""
    revisions, parents = set(), set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(REVISION_LINE.findall(script.read_text(encoding="utf-8")))
        if "revision" not in found:
            return None
        revisions.add(found["revision"])
        parents.add(found.get("down_revision"))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # SQLite ignores foreign keys unless asked; WAL lets the GUI read while the
    # CLI writes; the busy timeout waits for a writer instead of failing.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_db_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Sessions may run on a worker thread (the GUI's background work); the
        # pool still hands each connection to one thread at a time.
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Run the migrations up to `revision` inside the caller's transaction."""
    from alembic import command

    command.upgrade(alembic_config(connection), revision)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (the newest by default), in one transaction."""
    with engine.begin() as connection:
        current = _current_revision(connection)
        if revision == "head" and current is not None and current == _head_from_files():
            return  # up to date: the usual case, decided without Alembic
        if revision == "head" and current == head_revision():
            return
        upgrade(connection, revision)


class Database:
    """An open, migrated database and the sessions on it."""

    def __init__(self, url: str):
        self.url = url
        self.engine = create_db_engine(url)
        # Close the pooled connections with the Database, not whenever the garbage
        # collector finds them (psycopg rightly warns about connections left open).
        weakref.finalize(self, self.engine.dispose)
        migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed together, or not at all."""
        try:
            with self._sessions.begin() as session:
                yield session
        except StaleDataError:
            # Optimistic locking: someone else changed the record since we read it.
            raise ConcurrentChange("someone else changed this at the same time; nothing "
                                   "was saved: reload and try again") from None

    def close(self) -> None:
        self.engine.dispose()
