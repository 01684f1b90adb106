"""Curated political entities of the supplement: the EU and historical states."""
from __future__ import annotations

import pytest
from shapely.geometry import Point

from gazetteer import supplement
from gazetteer._points import main_centroid


@pytest.fixture(scope="module")
def by_id():
    return {r.id: r for r in supplement.records()}


@pytest.mark.parametrize("pid, inside, outside", [
    ("em:european-union", [(2.35, 48.86), (21.01, 52.23), (-8.61, 41.15)],
     [(10.75, 59.91), (-0.13, 51.51), (8.54, 47.37)]),            # Oslo, London, Zurich
    ("em:soviet-union", [(30.52, 50.45), (76.95, 43.25), (24.11, 56.95)],
     [(21.01, 52.23), (69.21, 34.56)]),                           # Warsaw, Kabul
    ("em:yugoslavia", [(20.46, 44.82), (15.98, 45.81), (18.41, 43.86)],
     [(19.04, 47.50), (23.32, 42.70)]),                           # Budapest, Sofia
    ("em:czechoslovakia", [(14.42, 50.09), (17.11, 48.15)], [(16.37, 48.21)]),  # not Vienna
    ("em:east-germany", [(13.74, 51.05), (12.37, 51.34), (12.10, 54.09)],     # Dresden, Leipzig, Rostock
     [(9.99, 53.55), (11.58, 48.14), (14.55, 53.43)]),            # Hamburg, Munich, Szczecin
    ("em:west-germany", [(9.99, 53.55), (11.58, 48.14), (6.96, 50.94)],       # Hamburg, Munich, Cologne
     [(13.74, 51.05), (12.37, 51.34), (4.90, 52.37)]),            # Dresden, Leipzig, Amsterdam
])
def test_footprints_are_the_member_states(by_id, pid, inside, outside):
    geom = by_id[pid].footprint
    for lon, lat in inside:
        assert geom.contains(Point(lon, lat)), (pid, lon, lat)
    for lon, lat in outside:
        assert not geom.contains(Point(lon, lat)), (pid, lon, lat)


@pytest.mark.parametrize("pid", ["em:european-union", "em:soviet-union", "em:yugoslavia",
                                 "em:czechoslovakia", "em:east-germany", "em:west-germany"])
def test_points_follow_the_general_rule(by_id, pid):
    rec = by_id[pid]
    lat, lon = main_centroid(rec.footprint)
    assert rec.lat == pytest.approx(lat, abs=0.05) and rec.lon == pytest.approx(lon, abs=0.05)


def test_historical_states_and_names(by_id):
    assert by_id["em:soviet-union"].fcode == "PCLH"
    assert by_id["em:yugoslavia"].fcode == "PCLH"
    names = {(n, k) for n, k in by_id["em:soviet-union"].names}
    assert ("USSR", "abbr") in names and ("Soviet", "demonym") in names
    assert ("EU", "abbr") in set(by_id["em:european-union"].names)
    aliases = set(supplement.aliases())
    assert ("Sinhalese", "demonym", "country:LK") in aliases
    assert {("Persia", "alt", "country:IR"), ("Ceylon", "alt", "country:LK"),
            ("Siam", "alt", "country:TH")} <= aliases
