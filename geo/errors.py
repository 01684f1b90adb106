"""Errors raised by the ``geo`` pipeline, store, queries and exports.

All derive from :class:`gazetteer.errors.EventmapError` (the one root) and
from the builtin they behave like, so ``except OSError`` / ``except
ValueError`` keep working for callers that do not know eventmap.
"""
from __future__ import annotations

from gazetteer.errors import EventmapError

__all__ = ["EventmapError", "InputError", "OutputError", "QueryError", "StoreError"]


class StoreError(EventmapError, OSError):
    """A store that cannot be opened, read or written (names the file at fault)."""


class OutputError(EventmapError, OSError):
    """An output file that cannot be written (names the file and the reason)."""


class QueryError(EventmapError, ValueError):
    """A query that cannot be run: unknown region, malformed bbox, bad radius..."""


class InputError(EventmapError, ValueError):
    """An input that cannot be read: unreadable file, malformed line, empty text...

    ``where`` names the place at fault (``path`` or ``path:line``); ``str(err)``
    is one line, ``"where: message"``.
    """

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)
