"""Every user setting in one typed registry, stored with QSettings.

A setting is declared once with its type and default; `SCHEMA_VERSION` and
`_upgrade` migrate stored settings when their meaning changes (Picard's
config_upgrade).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from classlens.gui.qt import QtCore

T = TypeVar("T")
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Setting(Generic[T]):
    key: str
    type: type
    default: T


LAST_USER = Setting("session/last_user", str, "")
REVIEW_CHANNEL = Setting("review/channel", str, "social_private")
THUMBNAIL_SIZE = Setting("gallery/thumbnail_size", int, 160)
WINDOW_GEOMETRY = Setting("window/geometry", bytes, b"")


class Settings:
    def __init__(self, store: QtCore.QSettings | None = None):
        self._store = store or QtCore.QSettings("ClassLens", "ClassLens")
        self._upgrade()

    def get(self, setting: Setting[T]) -> T:
        value: Any = self._store.value(setting.key, setting.default)
        if setting.type is bytes:
            return bytes(value) if value else setting.default  # type: ignore[return-value]
        try:
            return setting.type(value)
        except (TypeError, ValueError):
            return setting.default

    def set(self, setting: Setting[T], value: T) -> None:
        self._store.setValue(setting.key, value)

    def _upgrade(self) -> None:
        stored = int(self._store.value("schema_version", 0) or 0)
        # No upgrade steps yet: version 1 is the first schema.
        if stored != SCHEMA_VERSION:
            self._store.setValue("schema_version", SCHEMA_VERSION)
