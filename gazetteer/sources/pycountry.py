"""pycountry (LGPL-2.1): ISO 3166-1 country names and ISO 3166-2 subdivision names.

Countries get ISO's ``name`` ("Korea, Republic of" is skipped: inverted
forms are never written in prose), ``official_name`` (kind ``official``) and
``common_name`` (not its codes); ids are ``country:<CC>`` and merge into the GeoNames country.

Former country names (ISO 3166-3) whose code names a single successor
("ZRCD": Zaire → the DR Congo, "DYBJ": Dahomey → Benin) are offered as
alternate names of that successor by :func:`former_names`; the build adds them
only where no place already bears the name (Sikkim is a state of India now).
"""
from __future__ import annotations

from collections.abc import Iterator

import pycountry as _pycountry

from gazetteer.sources import PlaceRecord

__all__ = ["countries", "former_names"]

# ISO 3166-3 successor parts that are no single country: HH (several or none),
# XX (unknown), AA (user-assigned)
_NO_SUCCESSOR = frozenset({"HH", "XX", "AA"})


def countries() -> Iterator[PlaceRecord]:
    """Yield name-only country records with id ``country:<CC>``."""
    for c in _pycountry.countries:
        names: list[tuple[str, str]] = []
        if "," not in c.name:
            names.append((c.name, "alt"))
        official = getattr(c, "official_name", None)
        if official:
            names.append((official, "official"))
        common = getattr(c, "common_name", None)
        if common:
            names.append((common, "alt"))
        yield PlaceRecord(id=f"country:{c.alpha_2}", name=common or c.name, fclass="A",
                          fcode="PCLI", country_code=c.alpha_2, names=names, source="pycountry")



def former_names() -> Iterator[tuple[str, str, str]]:
    """Yield ``(former name, "alt", "country:<successor CC>")`` from ISO 3166-3.

    The name is the part before any comma ("Zaire, Republic of" → "Zaire");
    withdrawn codes whose successor is no single country are skipped.
    """
    for c in _pycountry.historic_countries:
        code = getattr(c, "alpha_4", "") or ""
        successor = code[2:]
        if len(code) != 4 or successor in _NO_SUCCESSOR or \
                _pycountry.countries.get(alpha_2=successor) is None:
            continue
        name = c.name.split(",")[0].strip()
        if name:
            yield name, "alt", f"country:{successor}"
