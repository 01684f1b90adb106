"""Turning the bytes of an input into text: BOMs, UTF-8, a detected fallback.

Two entry points: :func:`decode` for whole-file formats (txt, html) and
:func:`iter_lines` for line formats (JSONL, CSV), which streams so that large
batch files are never held in memory.

Policy: a BOM decides (UTF-8, UTF-16 LE/BE, UTF-32); otherwise UTF-8 is tried;
otherwise charset-normalizer guesses and a warning names the file and the
encoding used. NUL bytes without a UTF-16/32 BOM mean a binary file.
"""
from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO, TypeVar

from geo.errors import InputError

__all__ = ["declared_charset", "decode", "detect", "iter_lines", "sniff_bom", "utf16_without_bom"]

logger = logging.getLogger(__name__)

_CHUNK = 1 << 16

# longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# A guess among equally plausible single-byte code pages prefers the web's
# default legacy encoding (WHATWG: windows-1252) — charset-normalizer alone
# often ranks cp1250/cp1257 first on short French or Portuguese text.
_PREFERRED = "cp1252"
_CHAOS_TOLERANCE = 0.1


def sniff_bom(head: bytes) -> tuple[str | None, int]:
    """``(codec, bom length)`` if ``head`` starts with a byte-order mark, else ``(None, 0)``."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec, len(bom)
    return None, 0


def detect(data: bytes) -> str | None:
    """Guess the encoding of non-UTF-8 ``data`` with charset-normalizer (None: no plausible one)."""
    from charset_normalizer import from_bytes

    results = list(from_bytes(data))
    if not results:
        return None
    best = min(results, key=lambda r: r.chaos)
    for r in results:
        if (_PREFERRED in r.could_be_from_charset and r.chaos <= best.chaos + _CHAOS_TOLERANCE
                and r.coherence >= results[0].coherence - 0.05):
            return _PREFERRED
    return results[0].encoding


def _mostly_utf8(data: bytes) -> str | None:
    """``data`` decoded as UTF-8 with replacements if it is UTF-8 with a few stray bytes.

    Legacy single-byte text almost never contains valid multi-byte UTF-8
    sequences, so many valid ones and few invalid ones mean damaged UTF-8 —
    which a charset guess would turn into mojibake everywhere.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    valid = len(text) - len(text.encode("ascii", errors="ignore")) - bad
    return text if valid > 0 and bad * 4 <= valid else None


def utf16_without_bom(head: bytes) -> str | None:
    """``'utf-16-le'``/``'utf-16-be'`` if ``head`` looks like mostly-ASCII UTF-16 with no BOM.

    Such text has a NUL in nearly every other byte, always on the same side,
    which binary formats do not; ``None`` otherwise.
    """
    sample = head[:4096]
    n = len(sample) // 2
    if n < 4:
        return None
    for codec, nuls, other in (("utf-16-le", sample[1::2], sample[0::2]),
                               ("utf-16-be", sample[0::2], sample[1::2])):
        if nuls.count(0) >= 0.9 * n and other.count(0) == 0:
            try:
                sample[:2 * n].decode(codec)
            except UnicodeDecodeError:
                continue
            return codec
    return None


def _binary_error(where: str, data: bytes) -> InputError:
    offset = data.index(b"\0")
    return InputError(f"binary file (NUL byte at offset {offset}); not an article", where=where)


# the HTML "prescan" for a declared encoding, as browsers do it, on the first bytes only
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def declared_charset(head: bytes) -> str | None:
    """The Python codec an HTML page declares in a ``<meta>`` (within its first 4 KiB), if valid."""
    m = _META_CHARSET.search(head[:4096])
    if not m:
        return None
    try:
        name = codecs.lookup(m.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    # WHATWG: a <meta> readable as ASCII cannot be in UTF-16/32, so such a label means UTF-8
    if name.startswith(("utf-16", "utf-32")):
        return "utf-8"
    # WHATWG: pages labelled latin-1/ascii are decoded as windows-1252
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


def decode(data: bytes, where: str, *, declared: str | None = None) -> str:
    """Decode a whole file; raise :class:`InputError` for binary or undecodable data.

    ``declared`` is an encoding the document itself names (an HTML ``<meta>``):
    tried after a BOM and before UTF-8, without a warning.
    """
    codec, skip = sniff_bom(data)
    if codec is not None:
        try:
            return data[skip:].decode(codec)
        except UnicodeDecodeError as err:
            raise InputError(f"undecodable as {codec} despite its byte-order mark "
                             f"(bad byte at offset {err.start + skip})", where=where) from err
    if b"\0" in data:
        wide = utf16_without_bom(data)
        if wide is None:
            raise _binary_error(where, data)
        logger.warning("%s: no byte-order mark but looks like %s; decoded as such", where, wide)
        return data.decode(wide, errors="replace")
    if declared and declared != "utf-8":
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            logger.debug("%s: declares %s but does not decode as it", where, declared)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        utf8_err = err
    text = _mostly_utf8(data)
    if text is not None:
        logger.warning("%s: UTF-8 with %d invalid byte sequence(s), the first at offset %d; "
                       "replaced with U+FFFD", where, text.count("\ufffd"), utf8_err.start)
        return text
    guess = detect(data)
    if guess is None:
        raise InputError(f"not UTF-8 (bad byte at offset {utf8_err.start}) and no other encoding "
                         "fits; binary or corrupt file?", where=where) from utf8_err
    logger.warning("%s: not UTF-8; decoded as %s (detected by charset-normalizer)", where, guess)
    return data.decode(guess, errors="replace")


T = TypeVar("T", bytes, str)


def _split_lines(chunks: Iterable[T], nl: T, max_line: int) -> Iterator[T | None]:
    """Lines (with their newline) from ``chunks``; ``None`` for a line longer than ``max_line``.

    Pieces of a long line are kept in a list, never re-concatenated per chunk,
    and dropped as soon as the line is known to be too long.
    """
    pending: list[T] = []
    size = 0
    too_long = False
    for chunk in chunks:
        start = 0
        while True:
            i = chunk.find(nl, start)
            if i < 0:
                rest = chunk[start:]
                if not too_long:
                    pending.append(rest)
                    size += len(rest)
                    if size > max_line:
                        too_long, pending, size = True, [], 0
                break
            piece = chunk[start:i + 1]
            start = i + 1
            if too_long or size + len(piece) > max_line:
                yield None
            else:
                pending.append(piece)
                yield chunk[:0].join(pending)
            pending, size, too_long = [], 0, False
    if too_long:
        yield None
    elif size:
        yield chunk[:0].join(pending)  # last line without a newline


def _chunks(first: bytes, fp: BinaryIO) -> Iterator[bytes]:
    if first:
        yield first
    while chunk := fp.read(_CHUNK):
        yield chunk


def iter_lines(fp: BinaryIO, where: str, *, max_line: int) -> Iterator[tuple[int, str | InputError]]:
    """Decode ``fp`` line by line: ``(line number, text or InputError)``.

    A line that cannot be decoded or is longer than ``max_line`` (bytes, or
    characters for UTF-16/32) is an error for that line only. A file-level
    problem (binary data, a broken UTF-16 stream) ends the iteration with one
    error whose line number is the first line affected.
    """
    first = fp.read(_CHUNK)
    codec, skip = sniff_bom(first)
    first = first[skip:]
    if codec is not None and codec != "utf-8":
        yield from _wide_lines(first, fp, where, codec, max_line)
        return
    if b"\0" in first:
        wide = utf16_without_bom(first)
        if wide is None:
            yield 1, _binary_error(where, first)
            return
        logger.warning("%s: no byte-order mark but looks like %s; decoded as such", where, wide)
        yield from _wide_lines(first, fp, where, wide, max_line)
        return
    fallback: str | None = None  # detected on the first line that is not UTF-8
    lineno = 0
    for raw in _split_lines(_chunks(first, fp), b"\n", max_line):
        lineno += 1
        here = f"{where}:{lineno}"
        if raw is None:
            yield lineno, InputError(f"line longer than {max_line:,} bytes", where=here)
            continue
        try:  # UTF-8 first on every line: valid UTF-8 is never an accident
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            bad = err
        else:
            yield lineno, text
            continue
        text = _mostly_utf8(raw)
        if text is not None:
            logger.warning("%s: invalid UTF-8 byte sequence(s) at column %d; replaced with U+FFFD",
                           here, bad.start + 1)
            yield lineno, text
            continue
        if fallback is None:
            fallback = detect(raw if lineno > 1 else first)
            if fallback is None:
                yield lineno, InputError(f"not UTF-8 (bad byte at column {bad.start + 1}) and no other "
                                         "encoding fits", where=here)
                continue
            logger.warning("%s: not UTF-8 from line %d on; decoding such lines as %s (detected by "
                           "charset-normalizer)", where, lineno, fallback)
        yield lineno, raw.decode(fallback, errors="replace")


def _wide_lines(first: bytes, fp: BinaryIO, where: str, codec: str,
                max_line: int) -> Iterator[tuple[int, str | InputError]]:
    decoder = codecs.getincrementaldecoder(codec)()
    failure: list[UnicodeDecodeError] = []

    def texts() -> Iterator[str]:
        try:
            for chunk in _chunks(first, fp):
                yield decoder.decode(chunk)
            yield decoder.decode(b"", final=True)
        except UnicodeDecodeError as err:
            failure.append(err)

    lineno = 0
    for line in _split_lines(texts(), "\n", max_line):
        lineno += 1
        if line is None:
            yield lineno, InputError(f"line longer than {max_line:,} characters",
                                     where=f"{where}:{lineno}")
        else:
            yield lineno, line
    if failure:
        yield lineno + 1, InputError(f"undecodable as {codec} from here on ({failure[0].reason}); "
                                     "rest of file skipped", where=f"{where}:{lineno + 1}")
