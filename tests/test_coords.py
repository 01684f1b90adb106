"""geo.coords: the one (lat, lon) <-> Point(lon, lat) conversion and the one distance."""
from __future__ import annotations

import math

import numpy as np
import pytest

from geo.coords import EARTH_RADIUS_KM, haversine_km, latlon_to_point, point_to_latlon


def test_point_order_round_trip() -> None:
    p = latlon_to_point(35.1, 129.0)
    assert (p.x, p.y) == (129.0, 35.1)
    assert point_to_latlon(p) == (35.1, 129.0)


def test_haversine_known_distances() -> None:
    assert float(haversine_km(0, 0, 0, 180)) == pytest.approx(math.pi * EARTH_RADIUS_KM)
    assert float(haversine_km(90, 0, -90, 0)) == pytest.approx(math.pi * EARTH_RADIUS_KM)
    # one degree of longitude on the equator
    assert float(haversine_km(0, 0, 0, 1)) == pytest.approx(2 * math.pi * EARTH_RADIUS_KM / 360)


def test_haversine_antimeridian_is_one_meridian() -> None:
    assert float(haversine_km(10, 180, 10, -180)) == 0.0
    assert float(haversine_km(0, 179.5, 0, -179.5)) == pytest.approx(float(haversine_km(0, 0, 0, 1)))


def test_haversine_broadcasts_to_a_matrix_matching_pairwise_calls() -> None:
    rng = np.random.default_rng(7)
    lat_a, lon_a = rng.uniform(-90, 90, 5), rng.uniform(-180, 180, 5)
    lat_b, lon_b = rng.uniform(-90, 90, 4), rng.uniform(-180, 180, 4)
    m = haversine_km(lat_a[:, None], lon_a[:, None], lat_b[None, :], lon_b[None, :])
    assert m.shape == (5, 4)
    for i in range(5):
        for j in range(4):
            assert m[i, j] == pytest.approx(float(haversine_km(lat_a[i], lon_a[i], lat_b[j], lon_b[j])))
    # symmetric
    assert np.allclose(m, haversine_km(lat_b[None, :], lon_b[None, :], lat_a[:, None], lon_a[:, None]))
