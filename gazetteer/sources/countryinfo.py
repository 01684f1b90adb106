"""countryinfo (MIT): country polygons, alternate spellings, demonyms, regions.

Country point convention
------------------------
GeoNames (and so the gold coordinates of GeoNames-based corpora) places a
country near the centre of its territory (the US at about 39.8N 98.5W, the
geographic centre of the contiguous states), not at its capital.  We follow
that: the point of a country is the centroid of its LARGEST polygon part
(the mainland) when that part holds at least half of the area, so overseas
territories and outlying islands (Alaska, Hawaii, French Guiana) do not drag
it away; for archipelagos (no dominant part) it is the centroid of the whole
territory.  A centroid that falls outside the part (crescent shapes) is
replaced by ``point_on_surface``.  Countries without a polygon fall back to
countryinfo's ``latlng``.  Areas are measured in degrees², which is good
enough to pick the dominant part.
"""
from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterator
from importlib import resources
from typing import Any

import shapely

from gazetteer.sources import PlaceRecord
from gazetteer.sources._names import classify_alternate
from shapely.geometry import shape

__all__ = ["country_files", "country_polygons", "representative_point", "countries"]

logger = logging.getLogger(__name__)


def country_files() -> Iterator[dict[str, Any]]:
    """Yield the raw JSON record of every country countryinfo ships."""
    root = resources.files("countryinfo") / "data"
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        try:
            yield json.loads(entry.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            logger.warning("countryinfo: skipping unreadable %s: %s", entry.name, err)


@functools.lru_cache(maxsize=1)
def country_polygons() -> dict[str, shapely.Geometry]:
    """ISO alpha-2 code → country polygon (lon/lat), made valid."""
    out: dict[str, shapely.Geometry] = {}
    for rec in country_files():
        iso = (rec.get("ISO") or {}).get("alpha2")
        gj = rec.get("geoJSON") or {}
        feats = gj.get("features") or []
        if not iso or not feats:
            continue
        geoms = [shapely.make_valid(shape(f["geometry"])) for f in feats if f.get("geometry")]
        if not geoms:
            continue
        geom = shapely.make_valid(shapely.union_all(geoms))
        out[iso.upper()] = geom
    return out


def representative_point(geom: shapely.Geometry) -> tuple[float, float]:
    """(lat, lon) of a country polygon by the convention in the module docstring."""
    parts = list(shapely.get_parts(geom))
    polys = [p for p in parts if p.geom_type == "Polygon"] or parts
    areas = shapely.area(polys)
    largest = polys[int(areas.argmax())]
    total = float(areas.sum())
    target = largest if total <= 0 or float(areas.max()) >= 0.5 * total else geom
    pt = shapely.centroid(target)
    if target is largest and not shapely.contains(largest, pt):
        pt = shapely.point_on_surface(largest)
    return float(pt.y), float(pt.x)


def countries() -> Iterator[PlaceRecord]:
    """Yield country records with id ``country:<CC>``: point, polygon and names.

    Names: the common name and ``nativeName`` and translations (``alt``),
    ``altSpellings`` (``abbr`` for codes such as "KOR", otherwise ``alt``;
    long forms starting "Republic"/"Kingdom"/... are ``official``), and the
    ``demonym`` ("South Korean") as kind ``demonym``.
    """
    polygons = country_polygons()
    for rec in country_files():
        cc = ((rec.get("ISO") or {}).get("alpha2") or "").upper()
        name = rec.get("name")
        if not cc or not name:
            continue
        names: list[tuple[str, str]] = [(name, "alt")]
        for alt in rec.get("altSpellings") or []:
            if alt.isascii() and alt.isalpha() and alt.isupper() and len(alt) <= 3:
                names.append((alt, "abbr"))
            elif any(w in alt for w in _OFFICIAL_WORDS):
                names.append((alt, "official"))
            else:
                kind = classify_alternate(alt, name)
                if kind:
                    names.append((alt, kind))
        native = rec.get("nativeName")
        if native:
            names.append((native, "alt"))
        for tr in (rec.get("translations") or {}).values():
            if isinstance(tr, str) and tr:
                kind = classify_alternate(tr, name)
                if kind:
                    names.append((tr, kind))
        demonym = rec.get("demonym")
        if demonym:
            names.append((demonym, "demonym"))
        geom = polygons.get(cc)
        lat = lon = None
        if geom is not None:
            lat, lon = representative_point(geom)
        elif rec.get("latlng") and len(rec["latlng"]) == 2:
            lat, lon = (float(v) for v in rec["latlng"])
        yield PlaceRecord(id=f"country:{cc}", name=name, fclass="A", fcode="PCLI",
                          country_code=cc, population=int(rec.get("population") or 0),
                          lat=lat, lon=lon, names=names, footprint=geom, source="countryinfo")


_OFFICIAL_WORDS = ("Republic", "Kingdom", "Federation", "Commonwealth", "Principality",
                   "State of", "States of", "Emirate", "Sultanate", "Union of", "Grand Duchy")
