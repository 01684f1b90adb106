"""The one place where (lat, lon) meets (lon, lat).

Inside frames geometry is ``Point(lon, lat)`` in EPSG:4326 (the GeoJSON and
shapely order); geopy and folium speak ``(lat, lon)``. Convert only here.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from gazetteer._gazetteer import check_latlon  # the one validator (raises a ValueError)

__all__ = ["CRS", "EARTH_RADIUS_KM", "check_latlon", "haversine_km", "latlon_to_point", "point_to_latlon",
           "points_from_latlon"]

CRS = "EPSG:4326"
#: IUGG mean Earth radius
EARTH_RADIUS_KM = 6371.0088


def latlon_to_point(lat: float, lon: float) -> shapely.Point:
    """``(lat, lon)`` from geopy/folium → ``Point(lon, lat)`` for frames."""
    flat, flon = check_latlon(lat, lon)
    return shapely.Point(flon, flat)


def point_to_latlon(point: Any) -> tuple[float, float]:
    """A shapely point (or anything with ``__geo_interface__``) → ``(lat, lon)``."""
    geo = point.__geo_interface__ if hasattr(point, "__geo_interface__") else point
    if geo.get("type") != "Point":
        raise ValueError(f"expected a Point, got {geo.get('type')!r}")
    lon, lat = geo["coordinates"][:2]
    return check_latlon(lat, lon)


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance in km on the mean-radius sphere (inputs in degrees).

    The one distance eventmap uses. Vectorised: arguments broadcast like numpy
    arrays (pass ``a[:, None]`` and ``b[None, :]`` for a distance matrix);
    scalars give a numpy float.
    """
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    # wrap the difference into [-180, 180) so that +180 and -180 are exactly the same meridian
    dl = np.radians((np.asarray(lon2, dtype="float64") - np.asarray(lon1, dtype="float64") + 180.0) % 360.0 - 180.0)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def points_from_latlon(lat: Any, lon: Any) -> np.ndarray:
    """Vectorised: arrays of lat and lon (NaN for missing) → array of Points or None."""
    lat = np.asarray(lat, dtype="float64")
    lon = np.asarray(lon, dtype="float64")
    out = shapely.points(np.column_stack([lon, lat]) if lat.size else np.empty((0, 2)))
    missing = ~(np.isfinite(lat) & np.isfinite(lon))
    if missing.any():
        out = np.asarray(out, dtype=object)
        out[missing] = None
    return out
