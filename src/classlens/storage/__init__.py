"""Storage: an SQLAlchemy engine from any URL, typed models, Alembic migrations."""

from classlens.storage.database import Database, migrate

__all__ = ["Database", "migrate"]
