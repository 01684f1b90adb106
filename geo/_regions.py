"""Region names and place names → geometries for queries, from the gazetteer or injected.

The query engine only needs two callables: ``region_resolver(name) ->
geometry`` and ``place_resolver(name) -> (lat, lon)``. These classes build them
from the offline gazetteer, loaded lazily on first use, and turn a miss into a
:class:`~geo.errors.QueryError` with "did you mean" suggestions.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from geo.errors import QueryError

__all__ = ["GazetteerPlaces", "GazetteerRegions", "as_region_resolver", "suggest"]

logger = logging.getLogger(__name__)

def suggest(name: str, choices: Iterable[str], *, limit: int = 3) -> list[str]:
    """Closest names to ``name`` among ``choices`` (rapidfuzz WRatio, best first)."""
    from rapidfuzz import fuzz, process, utils

    uniq = list(dict.fromkeys(c for c in choices if c))
    found = process.extract(name, uniq, scorer=fuzz.WRatio, processor=utils.default_process,
                            limit=limit, score_cutoff=60)
    return [c for c, _score, _i in found]


def _did_you_mean(what: str, name: str, choices: Iterable[str]) -> QueryError:
    close = suggest(name, choices)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return QueryError(f"unknown {what} {name!r}{hint}")


def _load_gazetteer(gaz: Any) -> Any:
    if gaz is not None:
        return gaz
    import gazetteer

    return gazetteer.load()


class GazetteerRegions:
    """``name -> footprint geometry`` over the gazetteer's regions (countries, admin areas, macro-regions)."""

    def __init__(self, gaz: Any = None) -> None:
        self._gaz = gaz
        self._cache: dict[str, Any] = {}

    @property
    def gaz(self) -> Any:
        self._gaz = _load_gazetteer(self._gaz)
        return self._gaz

    def names(self) -> list[str]:
        return [p.name for p in self.gaz.regions()]

    def __call__(self, name: str) -> Any:
        key = name.strip()
        if key in self._cache:
            return self._cache[key]
        found = [m for m in self.gaz.lookup(key) if m.kind != "demonym"]
        matches = [m for m in found if getattr(m.place, "footprint", None)]
        if not matches:
            if found:
                p = found[0].place
                raise QueryError(
                    f"{key!r} ({p.name}, {p.fcode}{', ' + p.country_code if p.country_code else ''}) has no "
                    f"area in the gazetteer; use --near {key!r} --radius DIST, or --within FILE")
            raise _did_you_mean("region", key, self.names())
        # the gazetteer lists matches most important first (countries and macro-regions
        # over homonymous admin areas); keep its order, except that drawn outlines come
        # before the approximate admin1 areas derived from towns ("Red Sea" is the sea,
        # not Sudan's state; "Texas", drawn nowhere, is the derived state)
        derived = getattr(self.gaz, "derived_footprints", None)
        if callable(derived):
            approx = derived()
            matches.sort(key=lambda m: m.place.footprint in approx)
        best = matches[0]
        geom = self.gaz.footprint(best.place.footprint)
        if geom is None:
            raise QueryError(f"region {key!r} ({best.place.name}) has no footprint geometry in the gazetteer")
        logger.debug("region %r -> %s (%s)", key, best.place.name, best.place.id)
        self._cache[key] = geom
        return geom


class GazetteerPlaces:
    """``name -> (lat, lon)`` of the most prominent gazetteer place of that name."""

    def __init__(self, gaz: Any = None) -> None:
        self._gaz = gaz

    def __call__(self, name: str) -> tuple[float, float]:
        self._gaz = _load_gazetteer(self._gaz)
        matches = [m for m in self._gaz.lookup(name.strip()) if m.kind != "demonym"]
        if not matches:
            choices: list[str] = []
            names = getattr(self._gaz, "names", None)
            if callable(names):
                try:
                    choices = list(names())
                except Exception:  # noqa: BLE001 - suggestions are a nicety
                    choices = []
            raise _did_you_mean("place", name, choices)
        best = matches[0]  # most important first, as the gazetteer ranks them
        return float(best.place.lat), float(best.place.lon)


def as_region_resolver(resolver: Callable[[str], Any] | Mapping[str, Any] | None) -> Callable[[str], Any]:
    """Normalise what callers pass as ``region_resolver`` into ``name -> geometry``.

    A mapping is looked up case-insensitively; a callable may return None or
    raise KeyError/LookupError for an unknown name. Either way an unknown
    name becomes a QueryError with suggestions (from the mapping keys or the
    callable's ``names()`` method when it has one).
    """
    if resolver is None:
        return GazetteerRegions()
    if isinstance(resolver, Mapping):
        folded = {str(k).casefold(): v for k, v in resolver.items()}
        keys = [str(k) for k in resolver]

        def from_mapping(name: str) -> Any:
            geom = folded.get(name.strip().casefold())
            if geom is None:
                raise _did_you_mean("region", name, keys)
            return geom

        return from_mapping

    def checked(name: str) -> Any:
        try:
            geom = resolver(name)
        except QueryError:
            raise
        except LookupError:
            geom = None
        if geom is None:
            names = getattr(resolver, "names", None)
            raise _did_you_mean("region", name, names() if callable(names) else [])
        return geom

    return checked
