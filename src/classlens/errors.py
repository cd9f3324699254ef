"""Errors the core raises for people: each says what went wrong and what to do."""


class ClassLensError(Exception):
    """The request was refused and nothing was written (CLI exit code 1).

    The message is in plain words, for the desktop app and the command line
    alike: what is wrong and what to do. `hint`, when given, says how to do it
    on the command line (an option such as `--yes`, or an environment
    variable); only the command line shows it, after the message.
    """

    def __init__(self, *args: object, hint: str | None = None) -> None:
        super().__init__(*args)
        self.hint = hint


class NotAllowed(ClassLensError):
    """The acting user may not do this."""


class NotFound(ClassLensError):
    """A pupil, user, channel... named by the caller does not exist."""


class ConcurrentChange(ClassLensError):
    """Someone else changed the same record between our read and our write."""


class NeedsConfirmation(ClassLensError):
    """The change destroys something (face templates...): ask the user, then repeat
    it confirmed."""
