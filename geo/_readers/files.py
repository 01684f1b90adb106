"""Files, directories and stdin: formats by extension, sniffing, compression, size limits."""
from __future__ import annotations

import contextlib
import lzma
import os
import stat
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from geo._encoding import sniff_bom
from geo.errors import InputError

__all__ = [
    "COMPRESSIONS",
    "FORMATS",
    "READ_ERRORS",
    "SNIFF_BYTES",
    "Prefixed",
    "open_binary",
    "read_failed",
    "read_up_to",
    "read_whole",
    "sniff_format",
    "split_ext",
    "walk",
]

#: file extension -> format, for directories and explicit paths
FORMATS: dict[str, str] = {
    ".txt": "txt", ".text": "txt",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv", ".tsv": "tsv",
    ".xml": "feed", ".rss": "feed", ".atom": "feed",
}

#: compressed files are read through (``news.jsonl.gz`` is JSONL)
COMPRESSIONS = (".gz", ".bz2", ".xz")

#: what reading a (possibly compressed) file can raise
READ_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error, lzma.LZMAError)

SNIFF_BYTES = 4096


def split_ext(path: str) -> tuple[str | None, str]:
    """``(compression suffix or None, format extension)``: ``a.jsonl.gz`` -> ``(".gz", ".jsonl")``."""
    root, ext = os.path.splitext(path)
    ext = ext.lower()
    if ext in COMPRESSIONS:
        return ext, os.path.splitext(root)[1].lower()
    return None, ext


def open_binary(path: str, compression: str | None) -> BinaryIO:
    if compression is None:
        return open(path, "rb")
    import bz2
    import gzip

    opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}[compression]
    return opener(path, "rb")  # type: ignore[return-value]


def read_failed(err: BaseException) -> str:
    detail = getattr(err, "strerror", None) or str(err) or type(err).__name__
    return f"cannot read ({detail})"


def read_up_to(fp: BinaryIO | Prefixed, n: int) -> bytes:
    """Up to ``n`` bytes, looping over short reads (pipes, decompressors)."""
    parts: list[bytes] = []
    left = n
    while left > 0:
        chunk = fp.read(min(left, 1 << 20))
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def read_whole(path: str, max_bytes: int, compression: str | None,
               fp: BinaryIO | Prefixed | None = None) -> bytes:
    """The bytes of a whole-file input, refusing files over ``max_bytes`` before reading them.

    ``fp`` is the file already opened (and maybe sniffed) for ``path``: a pipe
    (``<(cmd)``, a FIFO) can be read only once, so it is never reopened.
    """
    try:
        with contextlib.ExitStack() as stack:
            if fp is None:
                fp = stack.enter_context(open_binary(path, compression))
            if compression is None and hasattr(fp, "fileno"):
                st = os.fstat(fp.fileno())
                if stat.S_ISREG(st.st_mode) and st.st_size > max_bytes:
                    raise InputError(f"file is {st.st_size:,} bytes, over the {max_bytes:,}-byte "
                                     "limit (max_bytes)", where=path)
            data = read_up_to(fp, max_bytes + 1)
    except READ_ERRORS as err:
        raise InputError(read_failed(err), where=path) from err
    if len(data) > max_bytes:  # compressed, grew, or a special file that reports no size
        raise InputError(f"file is over the {max_bytes:,}-byte limit (max_bytes)", where=path)
    if not data.strip():
        raise InputError("empty file", where=path)
    return data


def sniff_format(head: bytes) -> str:
    """Format of content with no telling extension: JSON(L), feed, HTML or text."""
    codec, skip = sniff_bom(head)
    start = head[skip:].decode(codec or "utf-8", errors="ignore").lstrip()[:SNIFF_BYTES].lower()
    if start.startswith("{"):
        return "jsonl"
    if start.startswith("["):
        return "json"
    if start.startswith("<"):
        if any(tag in start for tag in ("<rss", "<feed", "<rdf:rdf")):
            return "feed"
        if "<html" in start or start.startswith("<!doctype html"):
            return "html"
        if start.startswith("<?xml"):
            return "feed"
    return "txt"


def walk(top: str) -> Iterator[str | InputError]:
    """Article files under ``top``: known extensions, hidden entries skipped, sorted.

    Symlinked directories are not followed (no cycles); an empty result is an error.
    """
    found = False
    failures: list[InputError] = []

    def onerror(err: OSError) -> None:
        failures.append(InputError(f"cannot list directory ({err.strerror or err})",
                                   where=err.filename or top))

    for dirpath, dirnames, filenames in os.walk(top, onerror=onerror):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        yield from failures
        failures.clear()
        for name in sorted(filenames):
            if name.startswith(".") or split_ext(name)[1] not in FORMATS:
                continue
            found = True
            path = os.path.join(dirpath, name)
            if not os.path.isfile(path) and os.path.exists(path):
                # a FIFO, socket or device: opening one can block for ever
                yield InputError("not a regular file (a pipe, socket or device)", where=path)
                continue
            yield path
    yield from failures
    if not found:
        known = ", ".join(sorted(FORMATS))
        yield InputError(f"no article files ({known}) in this directory", where=top)


class Prefixed:
    """A ``read()``-able stream that first replays bytes already read (to sniff stdin)."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head, self._rest = head, rest

    def read(self, n: int = -1) -> bytes:
        if not self._head:
            return self._rest.read(n)
        if n < 0:
            out, self._head = self._head + self._rest.read(), b""
        else:
            out, self._head = self._head[:n], self._head[n:]
        return out
