"""Articles: the records the pipeline reads, and the readers that make them.

Readers for txt, html, jsonl, csv, feeds, directories and stdin live here
(see ``read_articles``).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

__all__ = ["Article", "article_id"]


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
