"""Every file the CLI reads on the user's say-so: bounded, regular files only, one-line errors.

``--data-file /dev/zero`` or a 200 MB answers file must not read until memory runs out, and a
FIFO must not hang: files are opened without blocking, checked to be regular, and read up to a
cap. The same goes for path lists (``--from-file``) and the paths given as arguments.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path

from generator.errors import GenaiopsError

MAX_BYTES = 1024 * 1024  # answers, copier.yml, path lists: kilobytes in practice


def read_text(path: Path, what: str, *, limit: int = MAX_BYTES) -> str:
    """The UTF-8 text of a regular file of at most ``limit`` bytes.

    ``what`` names the file in messages (``--data-file answers.yml``).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise GenaiopsError(f"{what}: {describe_os_error(exc)}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise GenaiopsError(f"{what}: not a regular file ({_kind(mode)})")
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    return _decode(data, what, limit)


def read_stdin(what: str, *, limit: int = MAX_BYTES) -> str:
    return _decode(sys.stdin.buffer.read(limit + 1), what, limit)


def _decode(data: bytes, what: str, limit: int) -> str:
    if len(data) > limit:
        raise GenaiopsError(f"{what}: larger than {limit // 1024} KiB; is it the right file?")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GenaiopsError(f"{what}: not UTF-8 text (byte {exc.start})") from None


def read_path_list(source: str) -> list[Path]:
    """``--from-file``: paths one per line (``-``: stdin); blanks and ``#`` lines skipped.

    A relative path is relative to the list's own directory (stdin: the current one), so a
    fleet list works from wherever it is used.
    """
    what = f"--from-file {source}"
    if source == "-":
        text, base = read_stdin(what), Path()
    else:
        text, base = read_text(Path(source), what), Path(source).parent
    paths = []
    for line in text.splitlines():
        entry = line.strip()
        if entry and not entry.startswith("#"):
            path = Path(entry).expanduser()
            paths.append(path if path.is_absolute() else base / path)
    if not paths:
        raise GenaiopsError(f"{what} lists no paths")
    return paths


def check_directory(path: Path, shown: str | None = None) -> None:
    """PATH must be a directory we can read; a dangling link or a link loop says so."""
    name = shown or str(path)
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ENOENT and path.is_symlink():
            target = path.readlink()
            raise GenaiopsError(
                f"{name}: a symbolic link to {target}, which does not exist"
            ) from None
        if exc.errno == errno.ENOENT:
            raise GenaiopsError(f"{name}: no such directory") from None
        raise GenaiopsError(f"{name}: {describe_os_error(exc)}") from None
    if not stat.S_ISDIR(mode):
        raise GenaiopsError(f"{name}: not a directory")
    if not os.access(path, os.R_OK | os.X_OK):
        raise GenaiopsError(f"{name}: cannot read directory (permission denied)")


def describe_os_error(exc: OSError) -> str:
    """What an OSError means for a path the user gave, in a few words."""
    known = {
        errno.ENOENT: "no such file or directory",
        errno.ELOOP: "a symbolic link loop (too many levels of symbolic links)",
        errno.ENAMETOOLONG: "file name too long",
        errno.EACCES: "permission denied",
        errno.ENOTDIR: "a part of the path is not a directory",
        errno.EISDIR: "a directory, not a file",
    }
    return known.get(exc.errno or 0, exc.strerror or str(exc))


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "a special file"
