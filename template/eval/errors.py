"""Errors the command line turns into one-line messages and exit codes."""


class UsageError(Exception):
    """Bad input from the user (unknown suite, malformed config or dataset): exit code 2."""


class CouldNotRun(Exception):
    """There is no evidence to judge the change by (exit code 3, never "gate breached"):
    the app or the model endpoint is unreachable, or no baseline of the same producer."""


class AppStartError(CouldNotRun):
    """The app under evaluation could not be built (a kind of "could not run")."""
