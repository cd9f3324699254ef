"""Errors the core raises for people: each says what went wrong and what to do."""


class ClassLensError(Exception):
    """The request was refused and nothing was written (CLI exit code 1)."""


class NotAllowed(ClassLensError):
    """The acting user may not do this."""


class NotFound(ClassLensError):
    """A pupil, user, channel... named by the caller does not exist."""


class ConcurrentChange(ClassLensError):
    """Someone else changed the same record between our read and our write."""


class NeedsConfirmation(ClassLensError):
    """The change destroys something (face templates...): ask the user, then repeat
    it confirmed."""
