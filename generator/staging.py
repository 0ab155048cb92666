"""All or nothing on disk: a private staging directory beside DEST, one move into place, undo.

``new`` renders, runs ``git init`` and makes the first commit inside the staging directory;
only the finished project is moved to DEST. SIGINT and SIGTERM become ``Cancelled`` while the
work runs, so the cleanup always runs; during the move they wait, and a signal that came during
it undoes the move. Either the whole project is there, or nothing is.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from generator.errors import GenaiopsError
from generator.inputs import describe_os_error

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Cancelled(BaseException):
    """A signal asked genaiops to stop (a BaseException: nothing may swallow it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


@dataclass
class Guard:
    """Whether a signal still cancels: not once the project is in place (the commit point)."""

    committed: bool = False
    received: list[int] = field(default_factory=list)


@contextlib.contextmanager
def cancellable() -> Iterator[Guard]:
    """SIGINT/SIGTERM raise ``Cancelled`` until the guard is committed.

    Only the first signal raises; later ones must not cut the cleanup short. After the
    commit point a signal is noted and the finished work is reported as done.
    """
    guard = Guard()
    if threading.current_thread() is not threading.main_thread():
        yield guard  # signal handlers can only be set from the main thread
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        guard.received.append(signum)
        if len(guard.received) == 1 and not guard.committed:
            raise Cancelled(signum)

    previous = {sig: signal.signal(sig, handler) for sig in SIGNALS}
    try:
        yield guard
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT/SIGTERM back while a step must not be cut in two."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)


def pending_signal() -> bool:
    return bool(set(signal.sigpending()) & set(SIGNALS))


@dataclass
class Staging:
    """The staging directory beside DEST and the parents of DEST genaiops had to create."""

    dest: Path
    root: Path
    created_parents: list[Path] = field(default_factory=list)

    @property
    def project(self) -> Path:
        return self.root / "project"

    def move_into_place(self, guard: Guard) -> None:
        """Move the finished project to DEST; a signal during the move undoes it."""
        with signals_held():
            moves = _move(self.project, self.dest)
            if pending_signal():
                _undo(moves)
            else:
                guard.committed = True
        # a held signal is delivered here: Cancelled if the move was undone, else only noted


@contextlib.contextmanager
def staged(dest: Path) -> Iterator[Staging]:
    """A private directory beside ``dest`` (so the move is a rename), always removed after.

    On any failure or signal the parents of ``dest`` that were created are removed too.
    """
    created = _make_parents(dest.parent)
    try:
        with signals_held():
            root = Path(tempfile.mkdtemp(prefix=".genaiops-new-", dir=dest.parent))
    except OSError as exc:
        _remove_created(created)
        raise GenaiopsError(f"cannot write to {dest.parent}: {describe_os_error(exc)}") from None
    staging = Staging(dest, root, created)
    done = False
    try:
        yield staging
        done = True
    finally:
        with signals_held():
            shutil.rmtree(root, ignore_errors=True)
            if not done or not dest.exists():
                _remove_created(created)


def _make_parents(parent: Path) -> list[Path]:
    """Create missing parents of DEST; return those we created, to undo on failure."""
    missing: list[Path] = []
    probe = parent
    while not (probe.exists() or probe.is_symlink()):
        missing.append(probe)
        probe = probe.parent
    with signals_held():
        for path in reversed(missing):
            try:
                path.mkdir()
            except OSError as exc:
                _remove_created(missing)
                raise GenaiopsError(f"cannot create {path}: {describe_os_error(exc)}") from None
    return missing


def _remove_created(paths: list[Path]) -> None:
    for path in paths:  # deepest first
        with contextlib.suppress(OSError):
            path.rmdir()


Move = tuple[Path, Path, bool]  # from, to, whether ``to`` is a directory we created


def _move(rendered: Path, dest: Path) -> list[Move]:
    """Rename the project into place (one rename for a new DEST, file by file with --force)."""
    moves: list[Move] = []
    try:
        if not dest.exists():
            rendered.rename(dest)
            return [(rendered, dest, False)]
        for entry in sorted(rendered.iterdir()):
            target = dest / entry.name
            if not target.exists():
                entry.rename(target)
                moves.append((entry, target, False))
                continue
            for item in sorted(entry.rglob("*")):  # a directory both have: file by file
                rel = item.relative_to(rendered)
                if item.is_dir() and not item.is_symlink():
                    if not (dest / rel).exists():
                        (dest / rel).mkdir()
                        moves.append((item, dest / rel, True))
                else:
                    item.rename(dest / rel)
                    moves.append((item, dest / rel, False))
    except OSError as exc:
        _undo(moves)
        raise GenaiopsError(
            f"cannot move the project into {dest}: {describe_os_error(exc)}; nothing was written"
        ) from None
    return moves


def _undo(moves: list[Move]) -> None:
    for source, target, made_dir in reversed(moves):
        with contextlib.suppress(OSError):
            if made_dir:
                target.rmdir()
            else:
                target.rename(source)
