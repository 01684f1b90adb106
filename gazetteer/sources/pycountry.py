"""pycountry (LGPL-2.1): ISO 3166-1 country names and ISO 3166-2 subdivision names.

Countries get ISO's ``name`` ("Korea, Republic of" is skipped: inverted
forms are never written in prose), ``official_name`` (kind ``official``) and
``common_name`` (not its codes); ids are ``country:<CC>`` and merge into the GeoNames country.
"""
from __future__ import annotations

from collections.abc import Iterator

import pycountry as _pycountry

from gazetteer.sources import PlaceRecord

__all__ = ["countries"]


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

