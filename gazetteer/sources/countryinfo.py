"""countryinfo (MIT): country polygons, alternate spellings, demonyms, regions.

ISO codes are not names
-----------------------
The ISO 3166 alpha-2/alpha-3 codes in ``altSpellings`` are not indexed:
in prose "GA", "KY", "SC", "IND" are Georgia, Kentucky, South Carolina and
Indiana ("Ga.", "Ky.", "S.C.", "Ind."), not Gabon, the Cayman Islands, the
Seychelles and India.  The short forms news does use for countries ("U.S.",
"UK", "UAE", "DRC") come from the curated supplement or from non-code
``altSpellings``.  ``Gazetteer.country(cc)`` still finds a country by code.

Country point convention
------------------------
GeoNames, Wikipedia and the CIA World Factbook give a country the rounded
"geographic coordinates" of a central point of its territory (Canada 60N
95W, Russia 60N 100E, Indonesia 5S 120E), not its capital nor a polygon
centroid; countryinfo's ``latlng`` carries exactly that convention, so it is
the country's point.  One documented exception: for the United States the
Factbook's 38N 97W is replaced by the geographic centre of the contiguous
states (39.83N 98.58W, near Lebanon, Kansas), which GeoNames and Wikipedia
use.  A country without ``latlng`` gets :func:`representative_point` of its
polygon: the centroid of its largest part when that part holds at least half
of the area (so overseas territories do not drag it away), else of the
whole; a centroid outside the part is replaced by ``point_on_surface``.
These choices were checked against GeoNames-style coordinates of countries
(see ``benchmarks/gazetteer_coverage.py``, "same-id points").

Wikipedia's article coordinates often sit nearer the middle of the main
landmass (China, Australia, Libya).  So the point above is then moved to the
great-circle midpoint between it and the equal-area centroid of the
polygon's largest part when those two are 161-322 km apart (the midpoint is
then within 161 km of both); closer or farther apart the point is kept
(:func:`gazetteer._points.between_conventions`, measured by
``benchmarks/point_conventions.py``).
"""
from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterable, Iterator
from importlib import resources
from typing import Any

import shapely
from shapely.geometry import shape

from gazetteer._points import between_conventions, main_centroid
from gazetteer.sources import PlaceRecord
from gazetteer.sources._names import classify_alternate

__all__ = ["borders", "country_files", "country_polygons", "representative_point", "countries",
           "memberships", "union_of"]

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


def borders() -> dict[str, list[str]]:
    """ISO alpha-2 code → alpha-2 codes of the countries it shares a land border with.

    From countryinfo's ``borders`` (alpha-3 codes); made symmetric, since a
    border listed on one side only is still a border.
    """
    recs = list(country_files())
    a2_of = {}
    for r in recs:
        iso = r.get("ISO") or {}
        if iso.get("alpha2") and iso.get("alpha3"):
            a2_of[str(iso["alpha3"]).upper()] = str(iso["alpha2"]).upper()
    out: dict[str, set[str]] = {}
    for r in recs:
        a = str((r.get("ISO") or {}).get("alpha2") or "").upper()
        for b3 in r.get("borders") or ():
            b = a2_of.get(str(b3).upper())
            if a and b and a != b:
                out.setdefault(a, set()).add(b)
                out.setdefault(b, set()).add(a)
    return {cc: sorted(v) for cc, v in sorted(out.items())}


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
    ``altSpellings`` except ISO codes (``abbr`` for short forms such as "UAE",
    otherwise ``alt``;
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
        iso = rec.get("ISO") or {}
        iso_codes = {str(iso.get("alpha2") or ""), str(iso.get("alpha3") or "")}
        for alt in rec.get("altSpellings") or []:
            if alt in iso_codes:
                continue  # codes are not names (module docstring)
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
            if demonym.endswith(("an", "i")):  # "South Koreans", "Israelis"
                names.append((demonym + "s", "demonym"))
        geom = polygons.get(cc)
        lat = lon = None
        if cc in POINT_OVERRIDES:
            lat, lon = POINT_OVERRIDES[cc]
        elif rec.get("latlng") and len(rec["latlng"]) == 2:
            lat, lon = (float(v) for v in rec["latlng"])
        elif geom is not None:
            lat, lon = representative_point(geom)
        if lat is not None and geom is not None:  # see "Country point convention"
            lat, lon = between_conventions((lat, lon), main_centroid(geom))
        yield PlaceRecord(id=f"country:{cc}", name=name, fclass="A", fcode="PCLI",
                          country_code=cc, population=int(rec.get("population") or 0),
                          lat=lat, lon=lon, names=names, footprint=geom, source="countryinfo")


#: see "Country point convention" in the module docstring
POINT_OVERRIDES = {"US": (39.83, -98.58)}

_OFFICIAL_WORDS = ("Republic", "Kingdom", "Federation", "Commonwealth", "Principality",
                   "State of", "States of", "Emirate", "Sultanate", "Union of", "Grand Duchy")


def memberships() -> dict[str, set[str]]:
    """UN M49 grouping name (region, subregion, intermediate region) → ISO alpha-2 codes.

    countryinfo tags each country with its UN geoscheme ``region``
    ("Africa"), ``subregion`` ("Sub-Saharan Africa") and
    ``intermediateregion`` ("Western Africa").
    """
    out: dict[str, set[str]] = {}
    for rec in country_files():
        cc = ((rec.get("ISO") or {}).get("alpha2") or "").upper()
        if not cc:
            continue
        for field in ("region", "subregion", "intermediateregion"):
            name = rec.get(field)
            if name:
                out.setdefault(name, set()).add(cc)
    return out


def union_of(codes: Iterable[str], tolerance: float = 0.02) -> shapely.Geometry | None:
    """Union of the (simplified) polygons of these countries; None if none is known."""
    polys = country_polygons()
    parts = [shapely.simplify(polys[c], tolerance, preserve_topology=True)
             for c in sorted(set(codes)) if c in polys]
    if not parts:
        return None
    return shapely.make_valid(shapely.union_all(parts))
