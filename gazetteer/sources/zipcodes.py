"""zipcodes (MIT): the US postal place of every ZIP code, with point and county.

GeoNames' cities500 stops at 500 inhabitants, but US local news names
unincorporated communities and small towns that have a post office.  Each
distinct (state, postal city name) of the STANDARD and PO BOX ZIP codes
becomes a ``P``/``PPL`` place (population unknown: 0) at the mean of its ZIP
points, id ``em:zip-<state>-<slug>``.  The build keeps one only when no
GeoNames town of the same state already bears that name (these records are
"fill-only", see :data:`FILL_ONLY_SOURCE`), and gives it the admin2 code of
its county through :func:`admin_rows`.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from gazetteer.sources import PlaceRecord
from gazetteer.sources.reverse_geocoder import AdminRow

__all__ = ["FILL_ONLY_SOURCE", "places", "admin_rows"]

logger = logging.getLogger(__name__)

#: ``PlaceRecord.source`` of records the build adds only where nothing else has the name
FILL_ONLY_SOURCE = "zipcodes"

_KEEP_TYPES = {"STANDARD", "PO BOX"}
#: military post offices: not places
_MILITARY = {"APO", "FPO", "DPO"}


def _groups() -> dict[tuple[str, str], dict]:
    try:
        import zipcodes
    except ImportError:  # optional data: build without it
        logger.warning("zipcodes not installed: no small US postal places")
        return {}
    groups: dict[tuple[str, str], dict] = {}
    for z in zipcodes.list_all():
        if z.get("zip_code_type") not in _KEEP_TYPES or not z.get("city") or z.get("country") != "US":
            continue
        if z["city"].upper() in _MILITARY:
            continue
        try:
            lat, lon = float(z["lat"]), float(z["long"])
        except (KeyError, TypeError, ValueError):
            continue
        if lat == 0.0 and lon == 0.0:  # no location recorded
            continue
        g = groups.setdefault((z["state"], z["city"]), {"lat": 0.0, "lon": 0.0, "n": 0,
                                                         "county": z.get("county") or ""})
        g["lat"] += lat
        g["lon"] += lon
        g["n"] += 1
    return groups


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _city_name(raw: str) -> str:
    # the data is title case already; keep "McAllen", fix any ALL CAPS row
    return raw.title() if raw.isupper() else raw


def places() -> Iterator[PlaceRecord]:
    """Yield one fill-only ``PPL`` record per (state, postal city)."""
    for (state, city), g in sorted(_groups().items()):
        yield PlaceRecord(id=f"em:zip-{state.lower()}-{_slug(city)}", name=_city_name(city),
                          fclass="P", fcode="PPL", country_code="US", admin1=state,
                          lat=g["lat"] / g["n"], lon=g["lon"] / g["n"], source=FILL_ONLY_SOURCE)


def admin_rows() -> Iterator[AdminRow]:
    """Rows naming each postal place's county, for the build's admin2 assignment."""
    for (state, city), g in _groups().items():
        if g["county"]:
            yield AdminRow(g["lat"] / g["n"], g["lon"] / g["n"], city, state, g["county"], "US")
