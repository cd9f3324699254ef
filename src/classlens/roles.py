"""The staff roles, kept apart so the command line can list them without loading the services."""

ROLES = ("teacher", "ict", "slt")
