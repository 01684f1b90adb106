"""Representative points of areas: gazetteer._points and the country rule built on it."""
from __future__ import annotations

import math

import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from gazetteer._points import MAX_APART_KM, between_conventions, main_centroid, midpoint


def km(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = (math.sin((la2 - la1) / 2) ** 2
         + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_main_centroid_of_a_small_square_is_its_centre():
    lat, lon = main_centroid(box(10.0, 20.0, 12.0, 22.0))
    assert lat == pytest.approx(21.0, abs=0.01)
    assert lon == pytest.approx(11.0, abs=0.01)


def test_main_centroid_ignores_small_outlying_parts():
    mainland = box(0.0, 0.0, 10.0, 10.0)
    island = box(40.0, 40.0, 41.0, 41.0)
    lat, lon = main_centroid(MultiPolygon([mainland, island]))
    assert (lat, lon) == pytest.approx((5.0, 5.0), abs=0.1)


def test_main_centroid_weighs_by_true_area_not_degrees():
    # a narrow 60-70 N strip: a degree of longitude is wider in the south, so
    # the area-weighted centre lies south of the middle latitude, at the mean
    # of latitude weighted by cos(latitude), 64.69 N (a plain lon/lat
    # centroid would say 65 N)
    lat, lon = main_centroid(box(0.0, 60.0, 2.0, 70.0))
    assert lat == pytest.approx(64.69, abs=0.03)
    assert lon == pytest.approx(1.0, abs=0.01)


def test_main_centroid_near_the_antimeridian():
    lat, lon = main_centroid(box(170.0, -20.0, 179.9, -10.0))
    assert lat == pytest.approx(-15.0, abs=0.3)
    assert lon == pytest.approx(174.95, abs=0.1)


def test_main_centroid_of_a_crescent_lies_inside_it():
    ring = Polygon([(0, 0), (10, 0), (10, 10), (0, 10), (0, 9), (9, 9), (9, 1), (0, 1)])
    lat, lon = main_centroid(ring)
    assert ring.contains(shapely.Point(lon, lat))


def test_main_centroid_of_nothing():
    assert main_centroid(None) is None
    assert main_centroid(Polygon()) is None
    assert main_centroid(shapely.LineString([(0, 0), (1, 1)])) is None


def test_midpoint_is_halfway():
    a, b = (0.0, 0.0), (0.0, 2.0)
    m = midpoint(a, b)
    assert km(a, m) == pytest.approx(km(m, b), rel=1e-9)
    assert m == pytest.approx((0.0, 1.0))


@pytest.mark.parametrize("apart_km", [50.0, 150.0])
def test_close_conventions_keep_the_point(apart_km):
    p = (30.0, 100.0)
    other = (30.0 + apart_km / 111.2, 100.0)
    assert between_conventions(p, other) == p


@pytest.mark.parametrize("apart_km", [170.0, 250.0, 320.0])
def test_disagreeing_conventions_meet_halfway_within_161_km_of_both(apart_km):
    p = (-25.0, 133.0)
    other = (-25.0 + apart_km / 111.2, 133.0)
    q = between_conventions(p, other)
    assert q != p
    assert km(q, p) <= 161.0 and km(q, other) <= 161.0


def test_far_apart_conventions_keep_the_point():
    p = (60.0, 100.0)
    other = (66.0, 95.0)  # about 700 km
    assert km(p, other) > MAX_APART_KM
    assert between_conventions(p, other) == p
    assert between_conventions(p, None) == p


def test_every_country_point_stays_within_161_km_of_its_documented_point():
    # the rule may move a country's point, but never out of range of the
    # GeoNames/Factbook convention it starts from
    from gazetteer.sources.countryinfo import POINT_OVERRIDES, countries, country_files

    latlng = {((r.get("ISO") or {}).get("alpha2") or "").upper(): r.get("latlng")
              for r in country_files()}
    n = moved = 0
    for rec in countries():
        ref = POINT_OVERRIDES.get(rec.country_code) or latlng.get(rec.country_code)
        if not ref or len(ref) != 2 or rec.lat is None:
            continue
        n += 1
        d = km((rec.lat, rec.lon), tuple(ref))
        assert d <= 161.0, (rec.country_code, d)
        moved += d > 1.0
    assert n > 200
    assert 0 < moved < n  # some (not all) countries sit between two conventions
