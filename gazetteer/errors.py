"""The one exception hierarchy of eventmap.

Rooted in geopy's :class:`~geopy.exc.GeopyError` so that code written against
geopy catches ours too; each subclass also inherits the builtin it behaves like.
"""
from __future__ import annotations

from geopy.exc import GeopyError

__all__ = [
    "EventmapError",
    "GazetteerError",
    "GazetteerNotBuilt",
    "GazetteerCorrupt",
    "ConfigurationError",
]


class EventmapError(GeopyError):
    """Root of every error eventmap raises on purpose."""


class ConfigurationError(EventmapError, ValueError):
    """A setting or argument that cannot work (bad data dir, missing user agent...)."""


class GazetteerError(EventmapError):
    """Something is wrong with the offline gazetteer."""


class GazetteerNotBuilt(GazetteerError, FileNotFoundError):
    """No built gazetteer at the expected place (and building was not allowed)."""


class GazetteerCorrupt(GazetteerError, OSError):
    """A built gazetteer exists but is unreadable, stale or incomplete."""
