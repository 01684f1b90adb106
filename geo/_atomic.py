"""Atomic file output: the one way eventmap writes files users keep.

A file appears at its final path only complete: it is written next to it
under a temporary name, flushed to disk and moved into place with
:func:`os.replace`. An interrupted write leaves the previous file untouched.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from gazetteer.paths import fsync_dir  # one implementation, in the lowest layer
from geo.errors import EventmapError, OutputError

__all__ = ["atomic_open", "atomic_path", "check_writable", "ensure_parent", "fsync_dir", "write_text_atomic"]


def _fsync_file(path: Path) -> None:
    if path.is_file():
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())


def _keep_mode(tmp: Path, path: Path) -> None:
    """Give ``tmp`` the permission bits of the file it is about to replace."""
    try:
        st = os.stat(path)
    except OSError:  # no file there yet
        return
    if stat.S_ISREG(st.st_mode) and tmp.is_file():
        os.chmod(tmp, stat.S_IMODE(st.st_mode))


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write to; move it into place on success.

    The temporary name keeps the extension last (GDAL drivers read it). On an
    exception the temporary file (or directory) is removed and ``path`` is
    left as it was. A new file's permissions follow the umask; a replaced
    file keeps its own (a private output stays private). A symbolic link is
    written through: its target is replaced and the link stays.
    """
    path = ensure_parent(path)
    if path.is_symlink():
        path = ensure_parent(Path(os.path.realpath(path)))
    tmp = path.parent / f".{path.stem}.{uuid.uuid4().hex[:12]}.tmp{path.suffix}"
    try:
        yield tmp
        _fsync_file(tmp)
        _keep_mode(tmp, path)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException as err:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                tmp.unlink()
        # an OS error about our own files (disk full, permissions, path is a
        # directory...) is an output error naming the file the user asked for;
        # anything else (e.g. reading an input while writing) passes unchanged
        if isinstance(err, EventmapError) or not isinstance(err, Exception):
            raise
        if isinstance(err, OSError) and err.filename is not None and Path(err.filename) in (tmp, path):
            raise OutputError(f"cannot write {path}: {_reason(err, path)}") from err
        if tmp.name in str(err):
            # a writer library's own error about the file (pyarrow, GDAL): name the user's path
            raise OutputError(f"cannot write {path}: {str(err).replace(str(tmp), str(path))}") from err
        raise


def ensure_parent(path: str | os.PathLike[str]) -> Path:
    """Create the directory ``path`` will be written in; return ``path`` as a Path.

    Callers may run this before long work so that an output that cannot be
    written fails at once, not after the whole batch was parsed.

    Raises
    ------
    OutputError
        The directory cannot be created (a file in the way, permissions...) or
        ``path`` is itself a directory.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"cannot write {path}: {_reason(err, path)}") from err
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a directory")
    return path


def check_writable(path: str | os.PathLike[str]) -> Path:
    """:func:`ensure_parent`, then prove a file can be created beside ``path`` (and remove it).

    For commands to fail before long work, not when the output is finally
    written (read-only directory or file system, no permission, quota).
    """
    path = ensure_parent(path)
    probe = path.parent / f".{path.stem}.{uuid.uuid4().hex[:12]}.probe"
    try:
        with open(probe, "xb"):
            pass
    except OSError as err:
        raise OutputError(f"cannot write {path}: {err.strerror or err}") from err
    with contextlib.suppress(OSError):
        probe.unlink()
    return path


def _reason(err: OSError, path: Path) -> str:
    """The reason an output could not be written, in words that name the culprit."""
    if isinstance(err, (FileExistsError, NotADirectoryError)) and err.filename is not None:
        # mkdir -p met a file where a directory should be
        culprit = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        if culprit is not None:
            return f"{culprit} is a file, not a directory"
    if path.is_dir():
        return f"{path} is a directory"
    return err.strerror or str(err)


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", *, encoding: str | None = "utf-8",
                newline: str | None = None) -> Iterator[IO[Any]]:
    """``open()`` for writing, atomically: the file appears at ``path`` only when complete."""
    if "b" in mode:
        encoding = None
    with atomic_path(path) as tmp, open(tmp, mode, encoding=encoding, newline=newline) as fh:
        yield fh
        fh.flush()


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; return the path."""
    with atomic_open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    return Path(path)
