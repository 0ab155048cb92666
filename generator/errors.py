"""Expected failures: a one-line message for the user and an exit code, never a traceback."""

from __future__ import annotations

USAGE_EXIT = 2
FAILURE_EXIT = 1
INTERRUPTED_EXIT = 130  # 128 + SIGINT, as shells report it


class GenaiopsError(Exception):
    """A failure the user can act on; the CLI prints ``message`` alone and exits ``exit_code``."""

    def __init__(self, message: str, exit_code: int = USAGE_EXIT) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
