"""Errors the command line turns into one-line messages and exit codes."""


class UsageError(Exception):
    """Bad input from the user (unknown suite, malformed config or dataset): exit code 2."""


class AppStartError(Exception):
    """The app under evaluation could not be built: the gate fails (exit code 1)."""
