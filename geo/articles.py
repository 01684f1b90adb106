"""Articles: the records the pipeline reads, and the readers that make them.

:func:`read_articles` reads files, directories and stdin; :func:`to_articles`
also takes the in-memory inputs of the Python API (text, dicts, Articles).
Formats, by extension (content sniffed when the extension is unknown):

- ``.txt``: the whole file is the text; its first non-empty line the title.
- ``.html``/``.htm``: main text, title, date, canonical url and site name by trafilatura.
- ``.jsonl``/``.ndjson``: one record per line (streamed); ``.json``: a record or an array.
- ``.csv``/``.tsv``: a header row, then one record per row (streamed).
- ``.xml``/``.rss``/``.atom``: an RSS/Atom feed (feedparser), one article per entry.
- ``-``: stdin, sniffed (JSONL when it starts with ``{``, CSV/TSV when its first line is a
  header naming the text column, else text, HTML or a feed).

Policies:

- Ids are stable: the given id (stringified), else :func:`article_id` of text and url.
- Duplicates within one batch: the same id with the same text and url is the
  same article — later copies are skipped with a warning; the same id with
  different content keeps both, the later one renamed ``id-2``, ``id-3``...
  (deterministic for a given input order).
- Every bad item (unreadable or binary file, malformed line, empty text, bad
  span, file over ``max_bytes``) becomes an :class:`~geo.errors.InputError`
  naming ``path`` or ``path:line`` (``path#n`` for feed entries and JSON array
  items); it goes to ``on_error`` and the item is skipped, or is raised when
  ``strict=True``.
- ``Article.origin`` is where the article came from, in the same notation.
"""
from __future__ import annotations

import glob
import hashlib
import io
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, BinaryIO, Union

from geo._encoding import declared_charset, decode, sniff_bom, utf16_without_bom
from geo._readers.documents import html_fields, iter_feed
from geo._readers.fields import CANONICAL, Options, check_size, first_line, make_options, scalar, spans
from geo._readers.files import (
    COMPRESSIONS,
    FORMATS,
    READ_ERRORS,
    SNIFF_BYTES,
    Prefixed,
    open_binary,
    read_failed,
    read_up_to,
    read_whole,
    sniff_format,
    split_ext,
    walk,
)
from geo._readers.records import iter_csv, iter_jsonl
from geo.errors import InputError

__all__ = [
    "COMPRESSIONS",
    "FORMATS",
    "Article",
    "InputError",
    "article_id",
    "read_articles",
    "read_csv",
    "read_feed",
    "read_html",
    "read_json",
    "read_jsonl",
    "read_tsv",
    "read_txt",
    "to_articles",
]

logger = logging.getLogger(__name__)


def article_id(text: str, *, url: str | None = None) -> str:
    """A stable id derived from content: same text (and url) → same id."""
    h = hashlib.sha256()
    h.update((url or "").encode("utf-8"))
    h.update(b"\0")
    h.update(text.encode("utf-8"))
    return h.hexdigest()[:16]


@dataclass(slots=True)
class Article:
    """One news article.

    ``date`` is an ISO 8601 string as given (parsing happens in frames);
    ``origin`` says where it came from (``path:line``) for messages;
    ``toponyms`` holds given spans ``[(start, end), ...]`` only in
    ``--given-spans`` mode and is None otherwise.
    """

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    date: str | None = None
    source: str | None = None
    origin: str | None = None
    toponyms: list[tuple[int, int]] | None = field(default=None, repr=False)


# ---------------------------------------------------------------------------
# Readers
# ---------------------------------------------------------------------------

STDIN = "-"
_STDIN_WHERE = "<stdin>"

ErrorHandler = Callable[[InputError], Any]
InputPath = Union[str, "os.PathLike[str]"]

Item = Article | InputError


def _has_magic(name: str) -> bool:
    return any(ch in name for ch in "*?[")


def _default_on_error(err: InputError) -> None:
    logger.warning("%s; skipped", err)


# -- building one Article from fields -----------------------------------------

# JSON may escape a lone UTF-16 surrogate ("\ud800"): a str no UTF-8 writer accepts
_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(fields: Mapping[str, Any], where: str) -> Mapping[str, Any]:
    """``fields`` with lone surrogates in string values replaced by U+FFFD (same length: spans hold)."""
    bad = [k for k, v in fields.items() if isinstance(v, str) and _SURROGATE.search(v)]
    if not bad:
        return fields
    logger.warning("%s: lone UTF-16 surrogate escape(s) in %s; replaced with U+FFFD", where,
                   ", ".join(repr(k) for k in bad))
    return {k: _SURROGATE.sub("\ufffd", v) if k in bad else v for k, v in fields.items()}


def _build(where: str, fields: Mapping[str, Any], opts: Options, *, origin: str | None,
           records: bool) -> Article:
    """One Article from a mapping; ``records`` means user data (columns apply, spans read)."""
    cols = opts if records else CANONICAL
    if records:
        fields = _no_surrogates(fields, where)
    try:
        if records and cols.text not in fields:
            raise InputError(f"no {cols.text!r} field")
        text = fields.get(cols.text)
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise InputError(f"field {cols.text!r} must be a string, got {type(text).__name__}")
        if not text.strip():
            raise InputError("empty article")
        check_size(text, opts)
        title = scalar(fields.get(cols.title), cols.title)
        url = scalar(fields.get(cols.url), cols.url)
        date = scalar(fields.get(cols.date), cols.date)
        source = scalar(fields.get(cols.source), cols.source)
        given = scalar(fields.get(cols.id), cols.id)
        toponyms = spans(fields.get("toponyms"), text) if records and opts.given_spans else None
    except InputError as err:
        raise InputError(err.message, where=where) from None
    return Article(id=given or article_id(text, url=url), text=text, title=title, url=url, date=date,
                   source=source, origin=origin, toponyms=toponyms)


def _records(raws: Iterable[tuple[str, Mapping[str, Any]] | InputError], opts: Options, *,
             records: bool) -> Iterator[Item]:
    for raw in raws:
        if isinstance(raw, InputError):
            yield raw
            continue
        where, fields = raw
        try:
            yield _build(where, fields, opts, origin=where, records=records)
        except InputError as err:
            yield err


# -- per-format readers (internal: yield Article or InputError) ---------------

def _txt_items(data: bytes, where: str, opts: Options) -> Iterator[Item]:
    text = decode(data, where)
    yield _build(where, {"text": text, "title": first_line(text)}, opts, origin=where, records=False)


def _html_items(data: bytes, where: str, opts: Options) -> Iterator[Item]:
    fields = html_fields(decode(data, where, declared=declared_charset(data)), where)
    if not fields["title"]:
        fields["title"] = first_line(fields["text"])
    yield _build(where, fields, opts, origin=where, records=False)


def _json_items(data: bytes, where: str, opts: Options) -> Iterator[Item]:
    try:
        obj = json.loads(decode(data, where))
    except json.JSONDecodeError as err:
        raise InputError(f"malformed JSON ({err.msg} at line {err.lineno} column {err.colno})",
                         where=where) from err
    except RecursionError:
        raise InputError("malformed JSON (nested too deeply)", where=where) from None
    items = obj if isinstance(obj, list) else [obj]
    for n, item in enumerate(items, 1):
        here = f"{where}#{n}" if isinstance(obj, list) else where
        if isinstance(item, dict):
            yield from _records([(here, item)], opts, records=True)
        else:
            yield InputError(f"expected a JSON object, got {type(item).__name__}", where=here)


_XML_DECL = re.compile(r"\A\s*<\?xml[^>]*\?>")


def _feed_items(data: bytes, where: str, opts: Options) -> Iterator[Item]:
    codec, _ = sniff_bom(data)
    if (codec is not None and codec != "utf-8") or (b"\0" in data[:4096] and utf16_without_bom(data)):
        # feedparser reads UTF-16/32 only when an XML declaration names it: hand it UTF-8
        text = _XML_DECL.sub("", decode(data, where), count=1)
        data = ('<?xml version="1.0" encoding="utf-8"?>' + text).encode("utf-8")
    yield from _records(iter_feed(data, where), opts, records=False)


def _stream_items(fmt: str, fp: BinaryIO, where: str, opts: Options) -> Iterator[Item]:
    if fmt == "jsonl":
        raws = iter_jsonl(fp, where, max_line=opts.max_line)
    else:
        raws = iter_csv(fp, where, delimiter="\t" if fmt == "tsv" else ",", text_column=opts.text,
                        max_line=opts.max_line, max_field=opts.max_bytes)
    yield from _records(raws, opts, records=True)


_WHOLE = {"txt": _txt_items, "html": _html_items, "json": _json_items, "feed": _feed_items}


def _file_items(path: str, opts: Options, fmt: str | None = None) -> Iterator[Item]:
    compression, ext = split_ext(path)
    fmt = fmt or FORMATS.get(ext)
    try:
        try:
            fp = open_binary(path, compression)
        except READ_ERRORS as err:
            raise InputError(read_failed(err), where=path) from err
        # opened once, sniffed and read from the same stream: a pipe (<(cmd), a FIFO) can be read once
        with fp:
            stream: BinaryIO | Prefixed = fp
            if fmt is None:
                try:
                    head = fp.read(SNIFF_BYTES)
                except READ_ERRORS as err:
                    raise InputError(read_failed(err), where=path) from err
                fmt = sniff_format(head)
                stream = Prefixed(head, fp)
            if fmt in _WHOLE:
                data = read_whole(path, opts.max_bytes, compression, stream)
            else:
                try:
                    yield from _stream_items(fmt, stream, path, opts)  # type: ignore[arg-type]
                except READ_ERRORS as err:
                    raise InputError(f"{read_failed(err)}; rest of file skipped", where=path) from err
                return
        yield from _WHOLE[fmt](data, path, opts)
    except InputError as err:
        yield err


def _stdin_table(head: bytes, opts: Options) -> str | None:
    """``'csv'``/``'tsv'`` when stdin's first line is a header naming the text column, else None.

    A file has its extension to say it is a table; a pipe has only its content.
    """
    codec, skip = sniff_bom(head)
    try:
        first = head[skip:].decode(codec or "utf-8", errors="ignore").splitlines()[0]
    except IndexError:
        return None
    for fmt, sep in (("tsv", "\t"), ("csv", ",")):
        names = [f.strip().strip('"').strip() for f in first.split(sep)]
        # column names, not a sentence that happens to hold a comma and the word
        if len(names) > 1 and opts.text in names and all(re.fullmatch(r"[\w.-]+", n) for n in names):
            return fmt
    return None


def _stdin_items(opts: Options) -> Iterator[Item]:
    stdin = sys.stdin
    where = _STDIN_WHERE
    try:
        if stdin is None:
            raise InputError("no standard input", where=where)
        buffer = getattr(stdin, "buffer", None)
        if buffer is None:  # a text stream without bytes underneath (e.g. StringIO)
            buffer = io.BytesIO(stdin.read().encode("utf-8"))
        head = buffer.read(SNIFF_BYTES)
        fmt = _stdin_table(head, opts) or sniff_format(head)
        stream = Prefixed(head, buffer)
        if fmt in ("jsonl", "csv", "tsv"):
            yield from _stream_items(fmt, stream, where, opts)  # type: ignore[arg-type]
            return
        data = read_up_to(stream, opts.max_bytes + 1)
        if len(data) > opts.max_bytes:
            raise InputError(f"input is over the {opts.max_bytes:,}-byte limit (max_bytes)", where=where)
        if not data.strip():
            raise InputError("empty input", where=where)
        yield from _WHOLE[fmt](data, where, opts)
    except InputError as err:
        yield err
    except OSError as err:
        yield InputError(f"cannot read ({err.strerror or err})", where=where)


def _excluder(paths: Iterable[InputPath]) -> Callable[[str], bool] | None:
    """A test for files that are one of ``paths`` or lie directly in one of them (a directory)."""
    roots = {os.path.realpath(os.fspath(p)) for p in paths}
    if not roots:
        return None

    def excluded(path: str) -> bool:
        real = os.path.realpath(path)
        return real in roots or os.path.dirname(real) in roots

    return excluded


def _path_items(path: InputPath, opts: Options, skip: Callable[[str], bool] | None = None) -> Iterator[Item]:
    name = os.fspath(path)
    if name == STDIN and not isinstance(path, os.PathLike):
        yield from _stdin_items(opts)
    elif os.path.isdir(name):
        for entry in walk(name):
            if isinstance(entry, InputError):
                yield entry
            elif skip is not None and skip(entry):
                logger.info("%s: not read (an output of this run)", entry)
            else:
                yield from _file_items(entry, opts)
    elif os.path.exists(name):
        yield from _file_items(name, opts)
    elif _has_magic(name) and len(name) < 4096:  # a pattern the shell did not expand
        matches = sorted(glob.glob(name, recursive=True))
        if not matches:
            yield InputError("no file matches this pattern", where=name)
        for match in matches:
            if skip is not None and skip(match):
                logger.info("%s: not read (an output of this run)", match)
                continue
            yield from _path_items(match, opts, skip)
    else:
        shown = name if len(name) <= 200 else name[:199] + "…"
        yield InputError("no such file or directory", where=shown)


# -- batch: ids, duplicates, error delivery -----------------------------------

class _Batch:
    """Gives each article of one batch a unique id and delivers errors.

    Duplicates: the same id with the same text and url is the same article —
    the later copy is skipped with a warning. The same id with different
    content (two records reusing a given id) keeps both: the later one gets
    the first free suffix ``-2``, ``-3``... — deterministic for a given input
    order, so re-running gives the same ids.
    """

    def __init__(self, on_error: ErrorHandler | None, strict: bool) -> None:
        self._on_error = on_error or _default_on_error
        self._strict = strict
        self._seen: dict[str, tuple[str, str | None]] = {}

    def run(self, items: Iterable[Item]) -> Iterator[Article]:
        for item in items:
            if isinstance(item, InputError):
                if self._strict:
                    raise item
                self._on_error(item)
                continue
            article = self._admit(item)
            if article is not None:
                yield article

    def _admit(self, article: Article) -> Article | None:
        digest = article_id(article.text, url=article.url)
        first = self._seen.get(article.id)
        if first is None:
            self._seen[article.id] = (digest, article.origin)
            return article
        where = article.origin or "input"
        if first[0] == digest:
            logger.warning("%s: duplicate of article %s (%s); skipped", where, article.id,
                           first[1] or "an earlier input")
            return None
        n = 2
        while f"{article.id}-{n}" in self._seen:
            n += 1
        new_id = f"{article.id}-{n}"
        logger.warning("%s: id %r already used by %s; renamed %r", where, article.id,
                       first[1] or "an earlier input", new_id)
        self._seen[new_id] = (digest, article.origin)
        return replace(article, id=new_id)


# -- public API ---------------------------------------------------------------

def _as_inputs(inputs: InputPath | Iterable[InputPath]) -> Iterable[InputPath]:
    if isinstance(inputs, (str, os.PathLike)):
        return [inputs]
    if isinstance(inputs, (bytes, Mapping)):
        raise TypeError(f"inputs must be a path, '-' or an iterable of them, not {type(inputs).__name__}")
    return inputs


def read_articles(inputs: InputPath | Iterable[InputPath], *, text_column: str = "text",
                  title_column: str = "title", id_column: str = "id", url_column: str = "url",
                  date_column: str = "date", source_column: str = "source", given_spans: bool = False,
                  strict: bool = False, max_bytes: int = 50_000_000,
                  on_error: ErrorHandler | None = None,
                  exclude: Iterable[InputPath] = ()) -> Iterator[Article]:
    """Read articles from files, directories or standard input.

    Parameters
    ----------
    inputs : path, ``'-'`` or iterable of them
        Files (format by extension, sniffed when unknown: ``.txt``, ``.html``,
        ``.jsonl``/``.ndjson``, ``.json``, ``.csv``/``.tsv``, ``.xml``/``.rss``/``.atom``),
        directories (recursive, sorted, hidden entries skipped), glob patterns
        (``'news/**/*.jsonl'``, sorted) or ``'-'`` for stdin. Compressed
        ``.gz``/``.bz2``/``.xz`` files are read through.
    text_column, title_column, id_column, url_column, date_column, source_column : str
        Field names in JSONL/JSON/CSV records.
    given_spans : bool
        Read gold ``toponyms`` of JSONL/JSON records into :attr:`Article.toponyms`.
    strict : bool
        Raise the first :class:`~geo.errors.InputError` instead of skipping.
    max_bytes : int
        Limit for a whole-file input and for one article text.
    on_error : callable, optional
        Called with each :class:`~geo.errors.InputError` (the item is skipped);
        default: a warning on this module's logger.
    exclude : iterable of paths
        Files, or directories whose files (not subdirectories), are never read
        when met in an input directory or pattern: the outputs of the run (a
        map written into the news folder it maps must not be read back as an
        article the next time).

    Yields
    ------
    Article
        With a stable id: the given one, else :func:`article_id` of text and url.
    """
    opts = make_options(text_column, title_column, id_column, url_column, date_column, source_column,
                    given_spans, max_bytes)
    skip = _excluder(exclude)
    items = (item for path in _as_inputs(inputs) for item in _path_items(path, opts, skip))
    return _Batch(on_error, strict).run(items)


def _reader(fmt: str) -> Callable[..., Iterator[Article]]:
    def read(path: InputPath, *, strict: bool = False, on_error: ErrorHandler | None = None,
             **options: Any) -> Iterator[Article]:
        opts = make_options(**options)
        return _Batch(on_error, strict).run(_file_items(os.fspath(path), opts, fmt))

    read.__name__ = read.__qualname__ = f"read_{fmt}"
    read.__doc__ = (f"Read one {fmt.upper()} file as articles, whatever its extension.\n\n"
                    "Keyword arguments are those of :func:`read_articles`.")
    return read


read_txt = _reader("txt")
read_html = _reader("html")
read_jsonl = _reader("jsonl")
read_json = _reader("json")
read_csv = _reader("csv")
read_tsv = _reader("tsv")
read_feed = _reader("feed")


def _looks_like_path(text: str) -> bool:
    return (len(text) < 4096 and not any(ch.isspace() for ch in text)
            and split_ext(text)[1] in FORMATS)


def _memory_items(items: Any, opts: Options) -> Iterator[Item]:
    if isinstance(items, (str, os.PathLike, Mapping, Article)):
        items = [items]
    for n, item in enumerate(items, 1):
        where = f"<input {n}>"
        if isinstance(item, Article):
            if not isinstance(item.text, str) or not item.text.strip():
                yield InputError("empty article", where=item.origin or where)
            elif not item.id:
                yield replace(item, id=article_id(item.text, url=item.url))
            else:
                yield item
        elif isinstance(item, os.PathLike):
            yield from _path_items(item, opts)
        elif isinstance(item, str):
            if item == STDIN or ("\n" not in item and len(item) < 4096 and os.path.exists(item)):
                yield from _path_items(item, opts)
            elif _looks_like_path(item) and _has_magic(item):
                yield from _path_items(item, opts)
            elif _looks_like_path(item):
                yield InputError("no such file or directory (a one-word string with a file "
                                 "extension is taken as a path, not as text)", where=item)
            else:
                try:
                    yield _build(where, {"text": item, "title": first_line(item)}, opts,
                                 origin=None, records=False)
                except InputError as err:
                    yield err
        elif isinstance(item, Mapping):
            try:
                yield _build(where, item, opts, origin=None, records=True)
            except InputError as err:
                yield err
        else:
            raise TypeError(f"cannot read articles from {type(item).__name__} (item {n}); expected "
                            "text, a path, a dict or an Article")


def to_articles(items: Any, *, strict: bool = False, on_error: ErrorHandler | None = None,
                **options: Any) -> Iterator[Article]:
    """Normalise anything the Python API accepts into Articles.

    Parameters
    ----------
    items : str, path, dict, Article, or an iterable of them
        :class:`Article` objects pass through (an empty id is filled in);
        a ``dict`` is a record, read like a JSONL line; a :class:`pathlib.Path`
        is always a path; a ``str`` that is an existing path, a glob pattern
        or ``'-'`` is read as input, any other string is article text (its
        first non-empty line is the title). A one-word string ending in a
        known extension (``news.jsonl``) that does not exist is reported as a
        missing file rather than parsed as text.
    strict, on_error, **options
        As for :func:`read_articles`. Ids are unique over the whole batch.

    Notes
    -----
    Because a string may name a file, text from untrusted users should be
    passed as ``{"text": ...}`` or as an :class:`Article`, never as a bare
    string: ``"/etc/passwd"`` or ``"-"`` would otherwise be read as input.
    """
    opts = make_options(**options)
    return _Batch(on_error, strict).run(_memory_items(items, opts))
