"""Ask an online (geopy) geocoder for the mentions the offline resolver could not place."""
from __future__ import annotations

import logging
from typing import Any

from geopy.exc import GeopyError

from gazetteer import Place
from gazetteer.online import osm_feature_class
from geo.resolve import ArticleResult

__all__ = ["geocode_misses", "place_from_location"]

logger = logging.getLogger(__name__)

#: confidence given to a place found only by an online geocoder's top hit
ONLINE_CONFIDENCE = 0.5


def place_from_location(location: Any) -> Place:
    """A geopy ``Location`` (offline or Nominatim/Photon raw record) → :class:`Place`."""
    raw = dict(getattr(location, "raw", None) or {})
    if "id" in raw and "fclass" in raw:  # our own OfflineGeocoder
        fields = {k: raw.get(k) for k in Place.__dataclass_fields__}
        fields["population"] = int(fields.get("population") or 0)
        fields["lat"], fields["lon"] = location.latitude, location.longitude
        return Place(**fields)
    props = raw.get("properties", raw)  # Photon answers GeoJSON features
    osm_type = str(props.get("osm_type") or "")[:1].upper()
    osm_id = props.get("osm_id") or props.get("place_id")
    address = props.get("address") or {}
    cc = (address.get("country_code") or props.get("countrycode") or "") or None
    return Place(
        id=f"osm:{osm_type}{osm_id}" if osm_id is not None else f"geo:{location.latitude:.5f},{location.longitude:.5f}",
        name=props.get("name") or str(location.address).split(",")[0],
        fclass=osm_feature_class(props.get("class") or props.get("osm_key"),
                                 props.get("type") or props.get("osm_value")) or "P",
        fcode=str(props.get("type") or props.get("osm_value") or ""),
        country_code=cc.upper() if cc else None,
        admin1=None, admin2=None, population=0,
        lat=float(location.latitude), lon=float(location.longitude),
    )


def geocode_misses(result: ArticleResult, geocoder: Any) -> int:
    """Fill unresolved place mentions of ``result`` in place; return how many were filled.

    Service failures are logged and leave the mention unresolved: one bad
    answer must not stop a batch.
    """
    filled = 0
    cache: dict[str, Any] = {}
    for m in result.mentions:
        if m.place is not None or m.kind != "place":
            continue
        if m.text not in cache:
            try:
                cache[m.text] = geocoder.geocode(m.text, exactly_one=True)
            except (GeopyError, OSError, ValueError) as err:  # EventmapError is a GeopyError
                where = result.article.origin or result.article.id
                result.problems.append(f"{where}: online geocoding of {m.text!r} failed: {err}")
                logger.warning("%s", result.problems[-1])
                cache[m.text] = None
        loc = cache[m.text]
        if loc is not None:
            m.place = place_from_location(loc)
            m.confidence = ONLINE_CONFIDENCE
            filled += 1
    return filled
