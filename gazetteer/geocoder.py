"""OfflineGeocoder: the gazetteer behind geopy's Geocoder interface.

>>> from gazetteer import OfflineGeocoder
>>> geo = OfflineGeocoder()
>>> geo.geocode("Springfield, IL").raw["admin1_name"]      # doctest: +SKIP
'Illinois'
>>> geo.reverse((35.1, 129.04)).address                    # doctest: +SKIP
'Busan, Busan, South Korea'

Queries may be qualified by comma-separated areas, most specific first:
"Springfield, IL", "Paris, Texas", "Georgia, US", "Laurel County, Kentucky,
USA", "Paris, FR".  Each qualifier is looked up in the gazetteer (and, when
it is an upper-case ISO 3166-1 code, taken as that country too) and keeps
only the candidates inside it (same country, same admin1/admin2 codes, or inside its
footprint for regions).  A qualifier that names no place makes the query a
miss rather than silently ignoring it.
"""
from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Iterable, Sequence
from typing import Any

from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from gazetteer._gazetteer import Gazetteer, check_latlon, load
from gazetteer._place import Match, Place
from gazetteer.errors import ConfigurationError

__all__ = ["OfflineGeocoder"]

logger = logging.getLogger(__name__)

_COUNTRY_CODES = ("PCLI", "PCLD", "PCLS", "PCLF", "PCLIX", "PCL", "TERR")


class OfflineGeocoder(Geocoder):
    """A geopy geocoder answering from the offline gazetteer (no network).

    Parameters
    ----------
    gazetteer : Gazetteer, optional
        An already loaded gazetteer; default :func:`gazetteer.load` of ``data_dir``.
    data_dir : path-like, optional
        Where the gazetteer lives (built on first use when missing).
    """

    def __init__(self, gazetteer: Gazetteer | None = None, *,
                 data_dir: str | os.PathLike[str] | None = None,
                 user_agent: str = "eventmap-offline") -> None:
        super().__init__(user_agent=user_agent)
        self._gaz = gazetteer
        self._data_dir = data_dir

    @property
    def gazetteer(self) -> Gazetteer:
        """The underlying :class:`Gazetteer` (loaded on first use)."""
        if self._gaz is None:
            self._gaz = load(self._data_dir)
        return self._gaz

    # -- forward ----------------------------------------------------------
    def candidates(self, query: str, *, country_codes: str | Iterable[str] | None = None,
                   feature_classes: str | Iterable[str] | None = None) -> list[Match]:
        """All places a (possibly qualified) query can mean, best first.

        Parameters
        ----------
        query : str
            "Busan", "Springfield, IL", "Paris, Texas, US"...
        country_codes : str or iterable of str, optional
            Keep only places in these ISO alpha-2 countries.
        feature_classes : str or iterable of str, optional
            Keep only these GeoNames feature classes ("P", "A"...).
        """
        if not isinstance(query, str):
            raise ConfigurationError(f"geocode query must be a string, got {type(query).__name__}")
        gaz = self.gazetteer
        ccs = _codes(country_codes, "country_codes", upper=True)
        fcs = _codes(feature_classes, "feature_classes", upper=True)
        matches = gaz.lookup(query)
        if not matches and "," in query:
            head, *quals = [part.strip() for part in query.split(",")]
            matches = gaz.lookup(head) if head else []
            for qual in quals:
                if not qual:
                    continue
                areas = [m.place for m in gaz.lookup(qual) if m.kind != "demonym"]
                areas += _country_by_code(gaz, qual)
                if not areas:
                    logger.info("geocode: qualifier %r of %r names no place", qual, query)
                    return []
                matches = [m for m in matches if any(_inside(gaz, m.place, a) for a in areas)]
        if ccs:
            matches = [m for m in matches if m.place.country_code in ccs]
        if fcs:
            matches = [m for m in matches if m.place.fclass in fcs]
        # a demonym names a country's people, not the place: only as a last resort
        named = [m for m in matches if m.kind != "demonym"]
        return named or matches

    def geocode(self, query: str, *, exactly_one: bool = True,
                country_codes: str | Iterable[str] | None = None,
                feature_classes: str | Iterable[str] | None = None,
                limit: int | None = None) -> Location | list[Location] | None:
        """Geocode a place name offline.

        Returns
        -------
        geopy.location.Location, list of them, or None
            None on a miss.  ``.raw`` holds the Place fields plus
            ``country_name``, ``admin1_name``, ``admin2_name`` and ``kind``
            (how the query named the place).
        """
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            raise ConfigurationError(f"limit must be a positive integer, got {limit!r}")
        found = self.candidates(query, country_codes=country_codes, feature_classes=feature_classes)
        if not found:
            return None
        if exactly_one:
            return self._location(found[0].place, found[0].kind)
        return [self._location(m.place, m.kind) for m in found[: limit or len(found)]]

    # -- reverse ----------------------------------------------------------
    def reverse(self, query: Any, *, exactly_one: bool = True, limit: int | None = None,
                feature_classes: Sequence[str] | None = ("P",),
                max_distance_km: float | None = None) -> Location | list[Location] | None:
        """The populated place nearest to ``query`` ((lat, lon), "lat, lon" or geopy Point).

        The address names the place, its admin areas and its country;
        ``.raw["distance_km"]`` is the great-circle distance to it.  With
        ``max_distance_km``, places farther away are not returned (None when
        none is near: the open sea).
        """
        lat, lon = _parse_point(query)
        if max_distance_km is not None and not (isinstance(max_distance_km, (int, float))
                                                and max_distance_km > 0):
            raise ConfigurationError(f"max_distance_km must be a positive number, got {max_distance_km!r}")
        k = 1 if exactly_one else (limit or 1)
        if not isinstance(k, int) or k < 1:
            raise ConfigurationError(f"limit must be a positive integer, got {limit!r}")
        hits = self.gazetteer.nearest(lat, lon, k=k, fclasses=feature_classes)
        if max_distance_km is not None:
            hits = [(p, d) for p, d in hits if d <= max_distance_km]
        if not hits:
            return None
        locs = [self._location(p, "name", distance_km=d) for p, d in hits]
        return locs[0] if exactly_one else locs

    # -- helpers ----------------------------------------------------------
    def _location(self, place: Place, kind: str, **extra: Any) -> Location:
        gaz = self.gazetteer
        country = gaz.country(place.country_code) if place.country_code else None
        a1 = gaz.admin1(place.country_code, place.admin1) if place.admin1 else None
        a2 = (gaz.admin2(place.country_code, place.admin1, place.admin2)
              if place.admin1 and place.admin2 else None)
        raw = dataclasses.asdict(place)
        raw.update(country_name=country.name if country else None,
                   admin1_name=a1.name if a1 else None,
                   admin2_name=a2.name if a2 else None, kind=kind, **extra)
        parts: list[str] = [place.name]
        for area in (a2, a1, country):
            if area is not None and area.id != place.id and area.name != parts[-1]:
                parts.append(area.name)
        return Location(", ".join(parts), (place.lat, place.lon), raw)


def _inside(gaz: Gazetteer, place: Place, area: Place) -> bool:
    """Is ``place`` within ``area`` by admin codes (or footprint for regions)?"""
    if place.id == area.id:
        return True  # the qualifier restates the place ("Washington, D.C.")
    if area.fcode in _COUNTRY_CODES:
        return place.country_code == area.country_code
    if area.fcode == "ADM1":
        return place.country_code == area.country_code and place.admin1 == area.admin1
    if area.fcode == "ADM2":
        return (place.country_code == area.country_code and place.admin1 == area.admin1
                and place.admin2 == area.admin2)
    if area.footprint:
        geom = gaz.footprint(area.footprint)
        if geom is not None:
            import shapely

            return bool(shapely.contains_xy(geom, place.lon, place.lat))
    return False


def _country_by_code(gaz: Gazetteer, qual: str) -> list[Place]:
    """An ISO 3166-1 alpha-2/alpha-3 qualifier ("Paris, FR", "Perth, AUS").

    ISO codes are not names in the gazetteer (in prose "GA" is Georgia the
    state), but after a comma in a geocoding query they are meant as codes.
    """
    code = qual.replace(".", "").strip()
    if not (code.isascii() and code.isalpha() and code.isupper() and len(code) in (2, 3)):
        return []
    if len(code) == 3:
        import pycountry

        found = pycountry.countries.get(alpha_3=code)
        code = found.alpha_2 if found else ""
    place = gaz.country(code) if code else None
    return [place] if place is not None else []


def _codes(value: str | Iterable[str] | None, what: str, *, upper: bool) -> set[str] | None:
    if value is None:
        return None
    items = [value] if isinstance(value, str) else list(value)
    out = set()
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise ConfigurationError(f"{what} must be strings, got {item!r}")
        out.add(item.strip().upper() if upper else item.strip())
    return out


def _parse_point(query: Any) -> tuple[float, float]:
    if isinstance(query, Point):
        return check_latlon(query.latitude, query.longitude)
    if isinstance(query, str):
        try:
            p = Point(query)
        except ValueError as err:
            raise ConfigurationError(f"cannot read a (lat, lon) point from {query!r}: {err}") from err
        return check_latlon(p.latitude, p.longitude)
    try:
        lat, lon = query
    except (TypeError, ValueError) as err:
        raise ConfigurationError(f"reverse needs (lat, lon), got {query!r}") from err
    return check_latlon(lat, lon)
