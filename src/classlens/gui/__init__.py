"""The desktop app: PySide6 widgets over the core services. No rules live here."""
