"""Errors the command line turns into one-line messages and exit codes."""


class UsageError(Exception):
    """Bad input from the user (unknown suite, malformed config or dataset): exit code 2."""
