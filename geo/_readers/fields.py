"""Validating the fields of one article record (no Article here: see geo.articles)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from geo.errors import InputError

__all__ = ["CANONICAL", "Options", "check_size", "first_line", "make_options", "scalar", "short", "spans"]

TITLE_MAX = 300
# slack over max_bytes for one JSONL/CSV line: JSON escapes and the other fields
LINE_SLACK = 1 << 20


@dataclass(frozen=True, slots=True)
class Options:
    """Column names of user records, whether to read gold spans, and the size limit."""

    text: str = "text"
    title: str = "title"
    id: str = "id"
    url: str = "url"
    date: str = "date"
    source: str = "source"
    given_spans: bool = False
    max_bytes: int = 50_000_000

    @property
    def max_line(self) -> int:
        return self.max_bytes + LINE_SLACK


#: the field names of records the readers build themselves (txt, html, feeds)
CANONICAL = Options()


def make_options(text_column: str = "text", title_column: str = "title", id_column: str = "id",
                 url_column: str = "url", date_column: str = "date", source_column: str = "source",
                 given_spans: bool = False, max_bytes: int = 50_000_000) -> Options:
    """Reader options from :func:`geo.articles.read_articles` keywords, checked."""
    if max_bytes <= 0:
        raise ValueError(f"max_bytes must be positive, got {max_bytes!r}")
    return Options(text_column, title_column, id_column, url_column, date_column, source_column,
                   bool(given_spans), int(max_bytes))


def scalar(value: Any, key: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, float) and not math.isfinite(value):
        return None   # JSON's NaN/Infinity (pandas writes NaN for a missing title): missing
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise InputError(f"field {key!r} must be a string, got {type(value).__name__}")


def first_line(text: str) -> str | None:
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= TITLE_MAX else line[:TITLE_MAX - 1].rstrip() + "…"
    return None


def check_size(text: str, opts: Options) -> None:
    if len(text) * 4 <= opts.max_bytes:
        return
    size = len(text.encode("utf-8"))
    if size > opts.max_bytes:
        raise InputError(f"article text is {size:,} bytes, over the {opts.max_bytes:,}-byte limit "
                         "(max_bytes)")


def spans(value: Any, text: str) -> list[tuple[int, int]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"'toponyms' must be a list, got {type(value).__name__}")
    spans: list[tuple[int, int]] = []
    for k, item in enumerate(value):
        if isinstance(item, dict):
            start, end = item.get("start"), item.get("end")
        elif isinstance(item, (list, tuple)) and len(item) >= 2:
            start, end = item[0], item[1]
        else:
            raise InputError(f"toponym #{k}: expected {{'start', 'end'}} or [start, end], "
                             f"got {short(item)}")
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
            raise InputError(f"toponym #{k}: start/end must be integers, got {short(start)}, {short(end)}")
        if not 0 <= start < end <= len(text):
            raise InputError(f"toponym #{k}: span ({start}, {end}) outside the text "
                             f"(need 0 <= start < end <= {len(text)})")
        spans.append((start, end))
    return spans


def short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."
