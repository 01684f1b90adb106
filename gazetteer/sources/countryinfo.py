"""countryinfo (MIT): country polygons, alternate spellings, demonyms, regions."""
from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterator
from importlib import resources
from typing import Any

import shapely
from shapely.geometry import shape

__all__ = ["country_files", "country_polygons"]

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
