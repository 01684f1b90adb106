"""Property tests: indexed spatial queries agree with brute force on random points.

Points and query shapes are drawn with extra weight at the poles and the
antimeridian, where longitude boxes widen, wrap or degenerate.
"""
from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.frames import empty_mentions
from geo.query import EARTH_RADIUS_KM, compile_query, query
import geopandas as gpd
import pandas as pd

from geo.coords import CRS, points_from_latlon

lat_st = st.one_of(
    st.floats(-90, 90),
    st.floats(80, 90), st.floats(-90, -80),
    st.sampled_from([-90.0, 90.0, 0.0]),
)
lon_st = st.one_of(
    st.floats(-180, 180),
    st.floats(170, 180), st.floats(-180, -170),
    st.sampled_from([-180.0, 180.0, 0.0]),
)
points_st = st.lists(st.tuples(lat_st, lon_st), min_size=0, max_size=120)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def frame(points: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    lat = np.array([p[0] for p in points], dtype=float)
    lon = np.array([p[1] for p in points], dtype=float)
    base = pd.DataFrame(empty_mentions().drop(columns="geometry")).reindex(range(len(points)))
    base["lat"], base["lon"] = lat, lon
    base["article_id"] = [f"a{i}" for i in range(len(points))]
    return gpd.GeoDataFrame(base, geometry=gpd.GeoSeries(points_from_latlon(lat, lon), crs=CRS), crs=CRS)


def got(m: gpd.GeoDataFrame, **kw) -> set[int]:
    rows = set(query(m, None, **kw).index.tolist())
    # the coordinate path (points given as x, y, as a streaming store reads them) keeps the same rows
    pts = m.geometry.to_numpy()
    xy = (shapely.get_x(pts).astype(float), shapely.get_y(pts).astype(float))
    assert set(np.flatnonzero(compile_query(**kw).mask(m, xy=xy)).tolist()) == rows
    return rows


@SETTINGS
@given(points_st, lon_st, lon_st, lat_st, lat_st)
def test_bbox_matches_brute_force(points, w, e, s, n) -> None:
    s, n = min(s, n), max(s, n)
    m = frame(points)
    lat, lon = m["lat"].to_numpy(), m["lon"].to_numpy()
    in_lat = (lat >= s) & (lat <= n)
    in_lon = (lon >= w) & (lon <= e) if w <= e else (lon >= w) | (lon <= e)
    assert got(m, bbox=(w, s, e, n)) == set(np.flatnonzero(in_lat & in_lon).tolist())


def _chord_km(lat1, lon1, lat2, lon2):
    """Independent great-circle distance: through 3-D unit vectors and the chord."""
    def xyz(la, lo):
        la, lo = np.radians(la), np.radians(lo)
        return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)

    c = np.linalg.norm(xyz(lat1, lon1) - xyz(lat2, lon2), axis=-1)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(c / 2, 0, 1))


@SETTINGS
@given(points_st, lat_st, lon_st, st.one_of(st.floats(0, 20_100), st.floats(0, 50), st.floats(1000, 3000)))
def test_radius_matches_brute_force(points, clat, clon, r) -> None:
    m = frame(points)
    d = _chord_km(clat, clon, m["lat"].to_numpy(), m["lon"].to_numpy())
    result = got(m, near=(clat, clon), radius_km=r)
    sure_in = set(np.flatnonzero(d <= r - 1e-6).tolist())
    sure_out = set(np.flatnonzero(d > r + 1e-6).tolist())
    # points within a micrometre of the circle may fall either way between two formulas
    assert sure_in <= result
    assert not (result & sure_out)


@st.composite
def polygons(draw):
    """A random simple polygon (star-shaped around a centre), or two split at the antimeridian."""
    cx = draw(st.floats(-175, 175))
    cy = draw(st.floats(-85, 85))
    k = draw(st.integers(3, 12))
    angles = np.sort(np.array(draw(st.lists(st.floats(0, 2 * np.pi), min_size=k, max_size=k, unique=True))))
    radii = np.array(draw(st.lists(st.floats(0.5, 60), min_size=k, max_size=k)))
    xs = np.clip(cx + radii * np.cos(angles), -180, 180)
    ys = np.clip(cy + radii * np.sin(angles), -90, 90)
    poly = shapely.make_valid(shapely.Polygon(np.column_stack([xs, ys])))
    parts = [g for g in shapely.get_parts(poly) if g.geom_type == "Polygon"]
    poly = shapely.union_all(parts) if parts else shapely.box(cx - 1, cy - 1, cx + 1, cy + 1)
    if draw(st.booleans()):
        # a region crossing the antimeridian, stored as two parts
        h = draw(st.floats(0.5, 30))
        poly = shapely.union_all([poly, shapely.box(180 - h, cy - h, 180, cy + h), shapely.box(-180, cy - h, -180 + h, cy + h)])
    return poly


@SETTINGS
@given(points_st, polygons(), st.lists(st.tuples(st.floats(-85, 85), st.floats(-175, 175)), max_size=30))
def test_region_matches_brute_force(points, poly, inside_ish) -> None:
    # add points sampled near the polygon so hits are common, and its own vertices (boundary cases)
    cx, cy = poly.centroid.x, poly.centroid.y
    extra = [(min(90, max(-90, cy + la / 10)), min(180, max(-180, cx + lo / 10))) for la, lo in inside_ish]
    verts = [(y, x) for x, y in shapely.get_coordinates(poly)[:5]]
    m = frame(points + extra + verts)
    expect = shapely.intersects(poly, m.geometry.to_numpy())
    assert got(m, region="R", region_resolver={"R": poly}) == set(np.flatnonzero(expect).tolist())
    assert got(m, within=poly) == set(np.flatnonzero(expect).tolist())


def test_radius_zero_and_half_world() -> None:
    m = frame([(0.0, 180.0), (0.0, -180.0), (0.0, 0.0), (90.0, 0.0), (-90.0, 0.0)])
    assert got(m, near=(0, 180), radius_km=0) == {0, 1}  # +180 and -180 are one meridian
    assert got(m, near=(0, 0), radius_km=np.pi * EARTH_RADIUS_KM) == {0, 1, 2, 3, 4}
    assert got(m, near=(90, 123), radius_km=0.001) == {3}


@pytest.mark.parametrize("lat", [0.0, 45.0, 70.0, 84.0, 89.0])
def test_prefilter_box_width_is_tight(lat) -> None:
    """The longitude half-width formula: the widest point of the circle lies on the box edge."""
    from geo.query import radius_boxes

    r = 500.0
    boxes = radius_boxes(lat, 0.0, r)
    if len(boxes) == 1 and boxes[0][0] == -180.0:
        assert lat + np.degrees(r / EARTH_RADIUS_KM) >= 85
        return
    (w, s, e, n), = boxes
    # sample the circle densely: its points' longitudes all lie inside and reach the edges
    brg = np.linspace(0, 2 * np.pi, 20001)
    d = r / EARTH_RADIUS_KM
    p1 = np.radians(lat)
    p2 = np.arcsin(np.sin(p1) * np.cos(d) + np.cos(p1) * np.sin(d) * np.cos(brg))
    l2 = np.degrees(np.arctan2(np.sin(brg) * np.sin(d) * np.cos(p1), np.cos(d) - np.sin(p1) * np.sin(p2)))
    assert l2.max() <= e and l2.min() >= w
    assert l2.max() == pytest.approx(e, abs=1e-4)
