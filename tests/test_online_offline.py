"""Fallback chains with the real OfflineGeocoder and the local fake Nominatim."""
from __future__ import annotations

import pytest
from _nominatim_server import PLACES, FakeGeoServer

from gazetteer import OfflineGeocoder
from gazetteer.online import GeocoderChain, OnlineGeocoderError, make_geocoder

UA = "eventmap-tests/1.0 (tests@example.invalid)"
INVENTED = {"name": "Quillonbrook Harbour", "country": "Kenya", "cc": "ke", "state": None, "lat": -3.9,
            "lon": 39.7, "class": "place", "type": "village", "importance": 0.3, "osm_id": 4242}


@pytest.fixture(scope="module")
def offline():
    return OfflineGeocoder()


@pytest.fixture()
def server():
    with FakeGeoServer(PLACES + [INVENTED]) as srv:
        yield srv


def chain(server, tmp_path, name, offline, **kw):
    opts = dict(user_agent=UA, domain=server.domain, scheme="http", min_delay_seconds=0, backoff_seconds=0.01,
                cache=tmp_path / "cache.sqlite3", offline=offline)
    opts.update(kw)
    return make_geocoder(name, **opts)


def test_offline_first_never_asks_online_for_known_places(server, tmp_path, offline):
    geocoder = chain(server, tmp_path, "offline+nominatim", offline)
    assert isinstance(geocoder, GeocoderChain)
    for name, cc in [("Busan", "KR"), ("Nairobi", "KE"), ("Paris", "FR")]:
        loc, source = geocoder.geocode_with_source(name)
        assert source == "offline" and loc.raw["country_code"] == cc and loc.raw["id"]
    assert server.count() == 0
    loc, source = geocoder.geocode_with_source("Quillonbrook Harbour")
    assert source == "nominatim" and loc.raw["osm_id"] == 4242
    assert server.count() == 1


def test_filters_reach_the_offline_gazetteer(server, tmp_path, offline):
    geocoder = chain(server, tmp_path, "offline+nominatim", offline)
    loc, source = geocoder.geocode_with_source("Paris", country_codes=["US"], feature_classes=["P"])
    assert source == "offline" and loc.raw["country_code"] == "US" and loc.raw["fclass"] == "P"
    several = geocoder.geocode("Paris", exactly_one=False, limit=3)
    assert 1 < len(several) <= 3


def test_online_first_falls_back_to_offline_when_down(server, tmp_path, offline):
    geocoder = chain(server, tmp_path, "nominatim+offline", offline, max_retries=1)
    server.fail_all = "500"
    loc, source = geocoder.geocode_with_source("Nairobi")
    assert source == "offline" and loc.raw["country_code"] == "KE"
    assert server.count() == 2
    loc, source = geocoder.reverse_with_source((-1.28, 36.82))
    assert source == "offline" and loc.raw["country_code"] == "KE"


def test_offline_miss_with_online_down_is_an_error_not_a_miss(server, tmp_path, offline):
    geocoder = chain(server, tmp_path, "offline+nominatim", offline, max_retries=0)
    server.fail_all = "503"
    with pytest.raises(OnlineGeocoderError, match="Quillonbrook Harbour"):
        geocoder.geocode("Quillonbrook Harbour")


def test_make_geocoder_builds_the_real_offline_member(server, tmp_path):
    geocoder = make_geocoder("offline+photon", user_agent=UA, domain=server.domain, scheme="http",
                             min_delay_seconds=0, cache=tmp_path / "c.sqlite3")
    assert isinstance(geocoder.geocoders[0], OfflineGeocoder)
    assert geocoder.geocode_with_source("Seoul")[1] == "offline"
    assert geocoder.geocode_with_source("Quillonbrook Harbour")[1] == "photon"
    assert [r.path for r in server.requests] == ["/api"]
