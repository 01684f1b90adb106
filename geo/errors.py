"""Errors raised by the ``geo`` pipeline, store, queries and exports.

All derive from :class:`gazetteer.errors.EventmapError` (the one root) and
from the builtin they behave like, so ``except OSError`` / ``except
ValueError`` keep working for callers that do not know eventmap.
"""
from __future__ import annotations

from gazetteer.errors import EventmapError

__all__ = ["EventmapError", "QueryError", "StoreError"]


class StoreError(EventmapError, OSError):
    """A store that cannot be opened, read or written (names the file at fault)."""


class QueryError(EventmapError, ValueError):
    """A query that cannot be run: unknown region, malformed bbox, bad radius..."""
