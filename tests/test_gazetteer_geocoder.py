"""OfflineGeocoder: geopy interface over the real gazetteer."""
from __future__ import annotations

import pytest
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from gazetteer import ConfigurationError, OfflineGeocoder
from gazetteer.errors import EventmapError


@pytest.fixture(scope="module")
def geo(gazetteer_db):
    return OfflineGeocoder(gazetteer_db)


def test_is_a_geopy_geocoder(geo):
    assert isinstance(geo, Geocoder)


def test_hit_and_miss(geo):
    loc = geo.geocode("Busan")
    assert isinstance(loc, Location)
    assert loc.latitude == pytest.approx(35.10, abs=0.1) and loc.longitude == pytest.approx(129.04, abs=0.1)
    assert loc.address.startswith("Busan, ") and loc.address.endswith(", South Korea")
    raw = loc.raw
    assert raw["country_code"] == "KR" and raw["country_name"] == "South Korea"
    assert raw["id"].startswith("gn:") and raw["fclass"] == "P" and raw["kind"] == "name"
    assert geo.geocode("Qqxqzzv Nowhere") is None


@pytest.mark.parametrize(("query", "admin1", "lat", "lon"), [
    ("Springfield, IL", "IL", 39.80, -89.64),
    ("Springfield, Illinois", "IL", 39.80, -89.64),
    ("Springfield, Missouri", "MO", 37.21, -93.29),
    ("Paris, Texas", "TX", 33.66, -95.56),
    ("Paris, TX, USA", "TX", 33.66, -95.56),
])
def test_qualified_queries(geo, query, admin1, lat, lon):
    loc = geo.geocode(query)
    assert loc is not None, query
    assert loc.raw["country_code"] == "US" and loc.raw["admin1"] == admin1
    assert loc.latitude == pytest.approx(lat, abs=0.2) and loc.longitude == pytest.approx(lon, abs=0.2)


def test_georgia_country_vs_state(geo):
    assert geo.geocode("Georgia").raw["country_code"] == "GE"
    state = geo.geocode("Georgia, US")
    assert state.raw["fcode"] == "ADM1" and state.raw["admin1"] == "GA"
    assert state.address == "Georgia, United States"


def test_county_qualified_by_state(geo):
    loc = geo.geocode("Laurel County, Kentucky")
    assert loc.raw["fcode"] == "ADM2" and loc.raw["admin1_name"] == "Kentucky"


def test_unknown_qualifier_is_a_miss(geo):
    assert geo.geocode("Springfield, Qqxqzzv") is None


def test_filters_and_lists(geo):
    paris = geo.geocode("Paris", exactly_one=False, limit=3)
    assert isinstance(paris, list) and len(paris) == 3
    us = geo.geocode("Paris", country_codes="us", exactly_one=False)
    assert us and all(loc.raw["country_code"] == "US" for loc in us)
    areas = geo.geocode("Georgia", feature_classes=["A"], exactly_one=False)
    assert {loc.raw["fcode"] for loc in areas} <= {"PCLI", "ADM1", "ADM2"}
    assert geo.geocode("Paris", country_codes=["KR"]) is None


def test_candidates(geo):
    cands = geo.candidates("Springfield")
    assert len(cands) > 5 and len({m.place.id for m in cands}) == len(cands)
    il = geo.candidates("Springfield, IL")
    assert il and all(m.place.admin1 == "IL" for m in il)


def test_demonym_only_as_last_resort(geo):
    loc = geo.geocode("South Korean")
    assert loc.raw["country_code"] == "KR" and loc.raw["kind"] == "demonym"


@pytest.mark.parametrize("bad", [{"limit": 0}, {"limit": "3"}, {"country_codes": [""]}])
def test_bad_arguments(geo, bad):
    with pytest.raises(ConfigurationError):
        geo.geocode("Paris", exactly_one=False, **bad)


def test_bad_query_type(geo):
    with pytest.raises(EventmapError, match="string"):
        geo.geocode(42)


@pytest.mark.parametrize("query", [(35.1, 129.04), "35.1, 129.04", Point(35.1, 129.04)])
def test_reverse(geo, query):
    loc = geo.reverse(query)
    assert loc.raw["name"] == "Busan" and loc.raw["country_code"] == "KR"
    assert "South Korea" in loc.address and loc.raw["distance_km"] < 5


def test_reverse_names_admin_areas(geo):
    loc = geo.reverse((39.78, -89.65))  # Springfield, Illinois
    assert loc.raw["admin1_name"] == "Illinois" and loc.raw["country_name"] == "United States"
    assert loc.address.endswith("Illinois, United States")
    several = geo.reverse((39.78, -89.65), exactly_one=False, limit=4)
    assert len(several) == 4
    dists = [loc.raw["distance_km"] for loc in several]
    assert dists == sorted(dists)


@pytest.mark.parametrize(("query", "message"), [((95, 0), "latitude"), ((0, 200), "longitude"),
                                                ("north pole", "point"), ((1, 2, 3), "lat, lon"),
                                                (("a", 0), "numbers")])
def test_reverse_validates(geo, query, message):
    with pytest.raises(ConfigurationError, match=message):
        geo.reverse(query)


def test_default_construction_uses_the_default_gazetteer(gazetteer_db):
    geo = OfflineGeocoder()
    # the same file (another process may have rebuilt it meanwhile: then a new object)
    assert geo.gazetteer.path == gazetteer_db.path
    assert geo.geocode("Seoul").raw["country_code"] == "KR"


@pytest.mark.parametrize(("query", "admin1"), [("Washington, D.C.", "DC"), ("Portland, Maine", "ME"),
                                               ("London, Ontario", "08")])
def test_qualifier_that_restates_or_contains_the_place(geo, query, admin1):
    loc = geo.geocode(query)
    assert loc is not None and loc.raw["admin1"] == admin1


def test_capital_before_its_namesake_province(gazetteer_db):
    top = gazetteer_db.lookup("Tokyo")[0].place
    assert top.fcode == "PPLC" and top.country_code == "JP"


@pytest.mark.parametrize(("query", "cc"), [("Paris, FR", "FR"), ("Perth, AUS", "AU"), ("Perth, GB", "GB"),
                                           ("London, CA", "CA")])
def test_iso_code_qualifiers(geo, query, cc):
    loc = geo.geocode(query)
    assert loc is not None and loc.raw["country_code"] == cc


def test_iso_codes_are_not_place_names(gazetteer_db):
    # in prose "GA" is Georgia the state, not Gabon; codes count only as qualifiers
    assert all(m.place.country_code != "GA" for m in gazetteer_db.lookup("GA"))


def test_reverse_max_distance(geo):
    # the middle of the South Pacific: the nearest town is far away
    far = geo.reverse((-40.0, -130.0))
    assert far is not None and far.raw["distance_km"] > 500
    assert geo.reverse((-40.0, -130.0), max_distance_km=100) is None
    assert geo.reverse((35.1, 129.04), max_distance_km=10).raw["name"] == "Busan"
    with pytest.raises(ConfigurationError, match="max_distance_km"):
        geo.reverse((35.1, 129.04), max_distance_km=-1)
