"""Where ClassLens keeps things by default: the user's data directory."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

APP = "ClassLens"


def data_dir() -> Path:
    return user_data_path(APP, appauthor=False)


def default_db_url() -> str:
    return os.environ.get("CLASSLENS_DB") or f"sqlite:///{data_dir() / 'classlens.sqlite'}"


def library_from_environment() -> Path | None:
    value = os.environ.get("CLASSLENS_LIBRARY")
    return Path(value) if value else None


def default_library() -> Path:
    return data_dir() / "library"
