"""Online geocoders against a real HTTP server on 127.0.0.1 (tests/_nominatim_server.py).

Nothing here reaches the internet: every geocoder points at the local server.
"""
from __future__ import annotations

import json
import logging
import math
import pickle
import subprocess
import sys
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import pytest
from _nominatim_server import FakeGeoServer
from geopy.exc import (
    GeocoderRateLimited,
    GeocoderServiceError,
    GeocoderTimedOut,
    GeocoderUnavailable,
    GeopyError,
)
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from gazetteer import normalize
from gazetteer.errors import ConfigurationError, EventmapError
from gazetteer.online import (
    GeocodeCache,
    GeocoderChain,
    InvalidQuery,
    OnlineGeocoder,
    OnlineGeocoderError,
    OnlineRateLimited,
    OnlineTimedOut,
    OnlineUnavailable,
    make_geocoder,
    nominatim,
    osm_feature_class,
    photon,
)

UA = "eventmap-tests/1.0 (tests@example.invalid)"


@pytest.fixture()
def server():
    with FakeGeoServer() as srv:
        yield srv


@pytest.fixture()
def cache_file(tmp_path):
    return tmp_path / "cache" / "geocode.sqlite3"


def online(server, cache=False, factory=nominatim, **kw):
    """A geocoder on the test server with tiny delays (tests must not sleep for seconds)."""
    opts = dict(user_agent=UA, domain=server.domain, scheme="http", timeout=2.0,
                min_delay_seconds=0.0, backoff_seconds=0.01, max_wait=5.0, cache=cache)
    opts.update(kw)
    return factory(**opts)


class DictGeocoder(Geocoder):
    """A tiny offline geocoder over a dict: a real geopy Geocoder, no network."""

    name = "offline"

    def __init__(self, places: dict[str, tuple[str, float, float, str]]):
        super().__init__()
        self.places = {normalize(k): v for k, v in places.items()}
        self.calls: list[tuple[str, object]] = []

    def _location(self, key: str) -> Location:
        name, lat, lon, cc = self.places[key]
        return Location(name, (lat, lon), {"id": f"test:{key}", "name": name, "country_code": cc,
                                            "fclass": "P", "lat": lat, "lon": lon})

    def geocode(self, query, *, exactly_one=True, country_codes=None, feature_classes=None, limit=None):
        self.calls.append(("geocode", query))
        key = normalize(query)
        if key not in self.places:
            return None
        if country_codes and self.places[key][3] not in {c.upper() for c in country_codes}:
            return None
        loc = self._location(key)
        return loc if exactly_one else [loc]

    def reverse(self, query, *, exactly_one=True):
        self.calls.append(("reverse", query))
        lat, lon = query
        key = min(self.places, key=lambda k: math.dist((lat, lon), self.places[k][1:3]))
        if math.dist((lat, lon), self.places[key][1:3]) > 1.0:
            return None
        loc = self._location(key)
        return loc if exactly_one else [loc]


# -- plain answers ----------------------------------------------------------------
def test_geocode_hit_sends_user_agent_and_nominatim_params(server):
    geocoder = online(server)
    loc = geocoder.geocode("Busan")
    assert isinstance(loc, Location)
    assert loc.address == "Busan, South Korea"
    assert (round(loc.latitude, 4), round(loc.longitude, 4)) == (35.1796, 129.0756)
    assert loc.raw["osm_id"] == 1001 and loc.raw["address"]["country_code"] == "kr"
    [req] = server.requests
    assert req.path == "/search"
    assert req.headers["user-agent"] == UA
    assert req.params["q"] == "Busan"
    assert req.params["format"] == "json" and req.params["limit"] == "1"
    assert req.params["addressdetails"] == "1"


def test_geocode_several_results_limit_and_country(server):
    geocoder = online(server)
    both = geocoder.geocode("Paris", exactly_one=False)
    assert [loc.raw["address"]["country_code"] for loc in both] == ["fr", "us"]
    assert len(geocoder.geocode("Paris", exactly_one=False, limit=1)) == 1
    texas = geocoder.geocode("Paris", country_codes=["US"])
    assert texas.address == "Paris, Texas, United States"
    assert server.requests[-1].params["countrycodes"] == "us"


def test_feature_class_filter_uses_osm_tags(server):
    geocoder = online(server)
    assert geocoder.geocode("Texas").raw["osm_id"] == 1005  # the state ranks first...
    assert geocoder.geocode("Texas", feature_classes="P").raw["osm_id"] == 1004  # ...the town in it is P
    assert geocoder.geocode("Texas", feature_classes=["A"]).raw["osm_id"] == 1005
    assert geocoder.geocode("Texas", feature_classes=["H"]) is None
    assert geocoder.geocode("Paris", feature_classes="P").raw["osm_id"] == 1003
    assert server.requests[-1].params["limit"] == "10"  # filtering after the fact asks for a pool
    assert osm_feature_class("natural", "volcano") == "T"
    assert osm_feature_class("amenity", "theatre") == "S"
    assert osm_feature_class("place", "village") == "P"
    assert osm_feature_class(None, None) is None


def test_structured_query(server):
    loc = online(server).geocode({"city": "Paris", "country": "France"})
    assert loc.raw["osm_id"] == 1003
    assert server.requests[-1].params["city"] == "Paris"
    with pytest.raises(InvalidQuery, match="text queries only"):
        online(server, factory=photon).geocode({"city": "Paris"})
    assert server.count() == 1


def test_miss_returns_none(server):
    assert online(server).geocode("Atlantis Under The Sea") is None
    assert server.count("/search") == 1


def test_reverse_hit_and_miss(server):
    geocoder = online(server)
    loc = geocoder.reverse((-33.85, 151.21))
    assert loc.raw["name"] == "Sydney Opera House"
    assert server.requests[-1].params["format"] == "json"
    assert geocoder.reverse("35.18, 129.07").raw["name"] == "Busan"
    assert geocoder.reverse((0.0, -30.0)) is None  # mid-Atlantic: nothing near


@pytest.mark.parametrize("bad", ["", "   ", None, 42])
def test_bad_query_is_a_clear_error_without_request(server, bad):
    with pytest.raises(InvalidQuery) as info:
        online(server).geocode(bad)
    assert repr(bad) in str(info.value)
    assert isinstance(info.value, EventmapError)
    assert server.count() == 0


@pytest.mark.parametrize("bad", [(91.0, 0.0), (0.0, 181.0), (float("nan"), 1.0), "north, east", (1.0,)])
def test_bad_point_is_a_clear_error_without_request(server, bad):
    with pytest.raises(InvalidQuery, match=r"lat|lon|expected"):
        online(server).reverse(bad)
    assert server.count() == 0


# -- user agent ----------------------------------------------------------------
@pytest.mark.parametrize("agent", [None, "", "  ", "my-application", "geopy/2.4.1", "specify_your_app_name_here"])
@pytest.mark.parametrize("factory", [nominatim, photon])
def test_user_agent_is_required(monkeypatch, factory, agent):
    monkeypatch.delenv("EVENTMAP_USER_AGENT", raising=False)
    with pytest.raises(ConfigurationError, match="user agent"):
        factory(user_agent=agent, cache=False)


def test_public_nominatim_policy_is_enforced(caplog):
    with pytest.raises(ConfigurationError, match="1 request/s"):
        nominatim(user_agent=UA, min_delay_seconds=0.5, cache=False)
    with caplog.at_level(logging.WARNING, logger="gazetteer.online"):
        public = nominatim(user_agent=UA, cache=False)  # builds, sends nothing
    assert public.min_delay_seconds == 1.0
    assert "cache" in caplog.text


def test_user_agent_from_environment(monkeypatch, server):
    monkeypatch.setenv("EVENTMAP_USER_AGENT", "env-agent/2.0 (env@example.invalid)")
    geocoder = nominatim(domain=server.domain, scheme="http", min_delay_seconds=0, cache=False)
    geocoder.geocode("Seoul")
    assert server.requests[-1].headers["user-agent"] == "env-agent/2.0 (env@example.invalid)"


# -- cache ----------------------------------------------------------------------
QUERIES = ["Busan", "Seoul", "Paris", "Nairobi", "Atlantis Under The Sea"]


def test_second_run_makes_zero_requests_even_with_a_new_object(server, cache_file):
    first = online(server, cache=cache_file)
    answers = [first.geocode(q) for q in QUERIES] + [first.reverse((35.18, 129.07)), first.reverse((0.0, -30.0))]
    assert server.count() == len(QUERIES) + 2
    first.close()
    server.requests.clear()

    second = online(server, cache=cache_file)  # new object, same file
    again = [second.geocode(q) for q in QUERIES] + [second.reverse((35.18, 129.07)), second.reverse((0.0, -30.0))]
    assert server.count() == 0
    assert second.cache.hits == len(again)
    assert [a and (a.address, a.point, a.raw) for a in again] == [a and (a.address, a.point, a.raw) for a in answers]
    assert again[-1] is None and again[len(QUERIES) - 1] is None  # misses came from the cache too


def test_second_run_in_a_new_process_makes_zero_requests(server, cache_file):
    geocoder = online(server, cache=cache_file)
    expected = {q: (loc.address if (loc := geocoder.geocode(q)) else None) for q in QUERIES}
    geocoder.close()
    server.requests.clear()
    script = textwrap.dedent(f"""
        import json
        from gazetteer.online import nominatim
        g = nominatim(user_agent={UA!r}, domain={server.domain!r}, scheme="http",
                      min_delay_seconds=0, cache={str(cache_file)!r})
        out = {{}}
        for q in {QUERIES!r}:
            loc = g.geocode(q)
            out[q] = loc.address if loc else None
        print(json.dumps({{"answers": out, "requests": g.requests, "hits": g.cache.hits}}))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report == {"answers": expected, "requests": 0, "hits": len(QUERIES)}
    assert server.count() == 0


def test_cache_key_normalises_the_query_but_not_the_params(server, cache_file):
    geocoder = online(server, cache=cache_file)
    geocoder.geocode("Paris")
    for same in ("paris", "  PARIS ", "Paris\t"):
        assert geocoder.geocode(same).raw["osm_id"] == 1003
    assert server.count() == 1
    assert geocoder.geocode("Paris", country_codes="us").raw["osm_id"] == 1004  # other params: other key
    assert geocoder.geocode("Paris", exactly_one=False, limit=5)
    assert server.count() == 3


def test_cache_is_per_service(server, cache_file):
    cache = GeocodeCache(cache_file)
    online(server, cache=cache).geocode("Busan")
    online(server, cache=cache, factory=photon).geocode("Busan")
    assert [r.path for r in server.requests] == ["/search", "/api"]
    assert len(cache) == 2


def test_negative_cache_and_its_ttl(server, cache_file):
    online(server, cache=GeocodeCache(cache_file)).geocode("Atlantis Under The Sea")
    online(server, cache=GeocodeCache(cache_file, negative_ttl=3600)).geocode("Atlantis Under The Sea")
    assert server.count() == 1  # the miss was served from the cache
    # an expired miss is asked again; found answers are unaffected by negative_ttl
    online(server, cache=GeocodeCache(cache_file)).geocode("Busan")
    stale = online(server, cache=GeocodeCache(cache_file, negative_ttl=0))
    assert stale.geocode("Atlantis Under The Sea") is None
    assert stale.geocode("Busan") is not None
    assert server.count() == 3
    assert server.requests[-1].params["q"] == "Atlantis Under The Sea"


def test_positive_ttl_expires_hits(server, cache_file):
    online(server, cache=GeocodeCache(cache_file)).geocode("Seoul")
    online(server, cache=GeocodeCache(cache_file, ttl=0)).geocode("Seoul")
    assert server.count() == 2


def test_failures_are_not_cached(server, cache_file):
    geocoder = online(server, cache=cache_file, max_retries=0)
    server.fail("busan", "500")
    with pytest.raises(OnlineGeocoderError):
        geocoder.geocode("Busan")
    assert geocoder.geocode("Busan").raw["osm_id"] == 1001  # asked again, then cached
    assert geocoder.geocode("Busan") is not None
    assert server.count() == 2


def test_cache_file_defaults_to_the_data_dir(monkeypatch, tmp_path, server):
    monkeypatch.setenv("EVENTMAP_DATA_DIR", str(tmp_path / "data"))
    geocoder = online(server, cache=True)
    geocoder.geocode("Busan")
    assert geocoder.cache.path == str((tmp_path / "data" / "geocode-cache.sqlite3").resolve())
    assert (tmp_path / "data" / "geocode-cache.sqlite3").exists()


def test_unusable_cache_path_is_a_configuration_error(tmp_path, server):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ConfigurationError, match="geocode cache"):
        online(server, cache=blocker / "cache.sqlite3").geocode("Busan")
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ConfigurationError, match="geocode cache"):
        online(server, cache=junk).geocode("Busan")


def test_cache_is_picklable_and_reopens(cache_file):
    cache = GeocodeCache(cache_file, negative_ttl=60)
    cache.put("svc", "geocode", "x", {}, [{"address": "X", "point": [1.0, 2.0], "raw": {"a": 1}}])
    clone = pickle.loads(pickle.dumps(cache))
    assert clone.negative_ttl == 60
    assert clone.get("svc", "geocode", " X ", {}) == [{"address": "X", "point": [1.0, 2.0], "raw": {"a": 1}}]


# -- retries -------------------------------------------------------------------
def test_5xx_is_retried_with_backoff(server, caplog):
    geocoder = online(server, max_retries=3)
    server.fail("seoul", "500", "502")
    with caplog.at_level(logging.WARNING, logger="gazetteer.online"):
        loc = geocoder.geocode("Seoul")
    assert loc.raw["osm_id"] == 1002
    assert server.count("/search", q="Seoul") == 3
    retries = [r.getMessage() for r in caplog.records if "retry" in r.getMessage()]
    assert len(retries) == 2 and "'Seoul'" in retries[0]


def test_final_failure_names_service_and_query(server):
    geocoder = online(server, max_retries=2)
    server.fail("nairobi", *["500"] * 5)
    with pytest.raises(OnlineGeocoderError) as info:
        geocoder.geocode("Nairobi")
    err = info.value
    assert server.count() == 3  # 1 + max_retries
    assert isinstance(err, EventmapError) and isinstance(err, GeocoderServiceError)
    assert f"nominatim@{server.domain}" in str(err) and "'Nairobi'" in str(err) and "3 attempts" in str(err)
    assert (err.service, err.method, err.query, err.attempts) == (f"nominatim@{server.domain}", "geocode",
                                                                  "Nairobi", 3)


def test_client_errors_are_not_retried(server):
    geocoder = online(server, max_retries=3)
    server.fail("busan", "403")
    with pytest.raises(OnlineGeocoderError, match="1 attempt"):
        geocoder.geocode("Busan")
    assert server.count() == 1


def test_429_honours_retry_after(server):
    geocoder = online(server, max_retries=2)
    server.fail("paris", "429:1")
    loc = geocoder.geocode("Paris")
    assert loc.raw["osm_id"] == 1003
    first, second = server.requests
    assert second.time - first.time >= 0.9  # waited the asked second, not the 0.01 s backoff


def test_retry_after_pauses_other_threads_too(server):
    geocoder = online(server, max_retries=2)
    server.fail("paris", "429:1")
    retrying = threading.Event()

    class OnRetry(logging.Handler):
        def emit(self, record):
            if "retry" in record.getMessage():
                retrying.set()

    handler = OnRetry()
    logging.getLogger("gazetteer.online").addHandler(handler)
    try:
        with ThreadPoolExecutor(2) as pool:
            paris = pool.submit(geocoder.geocode, "Paris")
            assert retrying.wait(5)  # the 429 came back and Paris is waiting
            seoul = pool.submit(geocoder.geocode, "Seoul")
            assert paris.result() and seoul.result()
    finally:
        logging.getLogger("gazetteer.online").removeHandler(handler)
    first, *later = server.requests
    assert first.params["q"] == "Paris" and len(later) == 2
    assert all(r.time - first.time >= 0.9 for r in later)  # Seoul waited for the Retry-After too


def test_503_honours_retry_after_too(server):
    geocoder = online(server, max_retries=2)
    server.fail("paris", "503:1")
    assert geocoder.geocode("Paris").raw["osm_id"] == 1003
    first, second = server.requests
    assert second.time - first.time >= 0.9


def test_429_without_retry_after_backs_off_then_gives_up(server):
    geocoder = online(server, max_retries=1)
    server.fail("paris", "429", "429", "429")
    with pytest.raises(OnlineRateLimited) as info:
        geocoder.geocode("Paris")
    assert isinstance(info.value, GeocoderRateLimited)
    assert server.count() == 2


def test_retry_after_above_the_cap_fails_at_once(server):
    geocoder = online(server, max_retries=3, max_wait=2.0)
    server.fail("paris", "429:120")
    with pytest.raises(OnlineRateLimited, match="Retry-After 120") as info:
        geocoder.geocode("Paris")
    assert info.value.retry_after == 120
    assert server.count() == 1


def test_timeouts_are_retried(server):
    geocoder = online(server, timeout=0.3, max_retries=2)
    server.fail("busan", "slow:1.0")
    assert geocoder.geocode("Busan").raw["osm_id"] == 1001
    assert server.count() == 2


def test_persistent_timeouts_raise_timed_out(server):
    geocoder = online(server, timeout=0.2, max_retries=1)
    server.fail("busan", "slow:0.6", "slow:0.6")
    with pytest.raises(OnlineTimedOut) as info:
        geocoder.geocode("Busan")
    assert isinstance(info.value, GeocoderTimedOut) and isinstance(info.value, EventmapError)
    assert server.count() == 2


def test_malformed_json_fails_clearly_without_retry(server):
    geocoder = online(server, max_retries=3)
    server.fail("seoul", "malformed")
    with pytest.raises(OnlineGeocoderError, match=r"'Seoul'.*GeocoderParseError"):
        geocoder.geocode("Seoul")
    server.fail("seoul", "wrongshape")
    with pytest.raises(OnlineGeocoderError, match="unexpected answer"):
        geocoder.geocode("Seoul")
    assert server.count() == 2


def test_html_instead_of_json_gives_a_short_message(server):
    server.fail("seoul", "html")
    with pytest.raises(OnlineGeocoderError, match="'Seoul'") as info:
        online(server).geocode("Seoul")
    message = str(info.value)
    assert "Service temporarily overloaded" in message
    assert len(message) < 400 and "\n" not in message


def test_empty_answer_is_a_miss(server):
    geocoder = online(server)
    server.fail("busan", "empty")
    server.fail((35.18, 129.07), "empty")
    assert geocoder.geocode("Busan") is None
    assert geocoder.reverse((35.18, 129.07)) is None


def test_service_down_raises_unavailable_after_retries(server):
    geocoder = online(server, max_retries=2)
    server.stop()
    with pytest.raises(OnlineUnavailable) as info:
        geocoder.geocode("Busan")
    assert isinstance(info.value, GeocoderUnavailable)
    assert geocoder.requests == 3


def test_batch_goes_on_after_a_failure(server):
    geocoder = online(server, max_retries=0)
    server.fail("seoul", "500")
    answers, errors = {}, []
    for q in ["Busan", "Seoul", "Paris"]:
        try:
            answers[q] = geocoder.geocode(q)
        except GeopyError as err:
            errors.append(err)
    assert set(answers) == {"Busan", "Paris"} and all(answers.values())
    assert len(errors) == 1 and "'Seoul'" in str(errors[0])


# -- rate limit -----------------------------------------------------------------
def test_requests_are_spaced_by_min_delay(server):
    geocoder = online(server, min_delay_seconds=0.3)
    for q in ["Busan", "Seoul", "Paris", "Nairobi"]:
        geocoder.geocode(q)
    times = [r.time for r in server.requests]
    assert len(times) == 4
    # the limiter spaces the starts of requests; arrival times add network jitter, hence the slack
    # (unlimited, these requests arrive a few milliseconds apart)
    assert all(b - a >= 0.2 for a, b in pairwise(times))
    assert times[-1] - times[0] >= 0.8


def test_objects_on_one_endpoint_share_the_rate_limit(server):
    a = online(server, min_delay_seconds=0.3)
    b = online(server, min_delay_seconds=0.3)
    for q in ["Busan", "Seoul", "Paris", "Nairobi"]:
        (a if len(q) % 2 else b).geocode(q)
    times = sorted(r.time for r in server.requests)
    assert all(t2 - t1 >= 0.2 for t1, t2 in pairwise(times))


def test_threads_share_the_rate_limit_and_the_cache(server, cache_file):
    geocoder = online(server, cache=cache_file, min_delay_seconds=0.2)
    queries = ["Busan", "Seoul", "Paris", "Nairobi"] * 3
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(geocoder.geocode, queries))
    assert all(answers)
    times = sorted(r.time for r in server.requests)
    assert all(t2 - t1 >= 0.12 for t1, t2 in pairwise(times))
    assert server.count() == 4  # concurrent askers of one query wait for the first answer
    server.requests.clear()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(geocoder.geocode, queries))
    assert server.count() == 0


# -- Photon -----------------------------------------------------------------------
def test_photon_geocode_and_reverse(server):
    geocoder = online(server, factory=photon)
    loc = geocoder.geocode("Mount Fuji")
    assert loc.raw["properties"]["osm_value"] == "volcano"
    assert server.requests[-1].path == "/api"
    assert server.requests[-1].headers["user-agent"] == UA
    texas = geocoder.geocode("Paris", country_codes="US")  # Photon has no country filter: done here
    assert texas.address.endswith("United States")
    assert "countrycodes" not in server.requests[-1].params and server.requests[-1].params["limit"] == "10"
    assert geocoder.reverse((-1.3, 36.8)).raw["properties"]["name"] == "Nairobi"
    assert "format" not in server.requests[-1].params
    assert geocoder.reverse((0.0, -30.0)) is None


# -- chains --------------------------------------------------------------------------
OFFLINE_PLACES = {"Busan": ("Busan", 35.1, 129.04, "KR"), "Gotham": ("Gotham", 40.0, -74.0, "US")}


def test_chain_offline_first_asks_online_only_for_misses(server):
    offline = DictGeocoder(OFFLINE_PLACES)
    chain = GeocoderChain([offline, online(server)])
    loc, source = chain.geocode_with_source("Busan")
    assert (source, loc.raw["id"]) == ("offline", "test:busan")
    assert server.count() == 0
    loc, source = chain.geocode_with_source("Nairobi")
    assert source == "nominatim" and loc.raw["osm_id"] == 1008
    assert server.count() == 1
    assert chain.geocode("Atlantis Under The Sea") is None
    assert isinstance(chain, Geocoder)


def test_chain_passes_filters_and_results_lists(server):
    offline = DictGeocoder(OFFLINE_PLACES)
    chain = GeocoderChain([offline, online(server)])
    loc = chain.geocode("Paris", country_codes=["US"], feature_classes=["P"])
    assert loc.raw["osm_id"] == 1004
    assert server.requests[-1].params["countrycodes"] == "us"
    assert [loc.raw["osm_id"] for loc in chain.geocode("Paris", exactly_one=False)] == [1003, 1004]


def test_chain_online_first_falls_back_offline_when_down(server, caplog):
    offline = DictGeocoder(OFFLINE_PLACES)
    chain = GeocoderChain([online(server, max_retries=1), offline])
    server.fail_all = "503"
    with caplog.at_level(logging.WARNING, logger="gazetteer.online"):
        loc, source = chain.geocode_with_source("Gotham")
    assert source == "offline" and loc.address == "Gotham"
    assert server.count() == 2  # tried (and retried) online first
    assert any("trying the next geocoder" in r.getMessage() for r in caplog.records)
    loc, source = chain.reverse_with_source((35.1, 129.0))
    assert source == "offline" and loc.raw["id"] == "test:busan"


def test_chain_raises_when_the_only_possible_answer_failed(server):
    chain = GeocoderChain([DictGeocoder(OFFLINE_PLACES), online(server, max_retries=0)])
    server.fail_all = "500"
    with pytest.raises(OnlineGeocoderError, match="'Nairobi'"):
        chain.geocode("Nairobi")  # a miss must not be confused with "could not ask"


def test_chain_reverse_online_first(server):
    chain = GeocoderChain([online(server), DictGeocoder(OFFLINE_PLACES)])
    loc, source = chain.reverse_with_source((-1.29, 36.82))
    assert source == "nominatim" and loc.raw["name"] == "Nairobi"
    loc, source = chain.reverse_with_source((40.0, -74.0))  # nothing online near: offline answers
    assert source == "offline" and loc.address == "Gotham"


def test_chain_bad_query_is_not_swallowed(server):
    chain = GeocoderChain([online(server), DictGeocoder(OFFLINE_PLACES)])
    with pytest.raises(InvalidQuery):
        chain.geocode("   ")


# -- make_geocoder ------------------------------------------------------------------------
def test_make_geocoder_builds_chains_in_order(server, cache_file):
    offline = DictGeocoder(OFFLINE_PLACES)
    opts = dict(user_agent=UA, domain=server.domain, scheme="http", min_delay_seconds=0, cache=cache_file,
                offline=offline)
    chain = make_geocoder("offline+nominatim", **opts)
    assert isinstance(chain, GeocoderChain) and chain.names == ["offline", "nominatim"]
    assert chain.geocoders[0] is offline
    assert chain.geocode_with_source("Seoul")[1] == "nominatim"
    assert make_geocoder("nominatim+offline", **opts).geocode_with_source("Busan")[1] == "nominatim"
    single = make_geocoder("photon", **opts)
    assert isinstance(single, OnlineGeocoder) and single.service == f"photon@{server.domain}"
    assert make_geocoder("offline", offline=offline) is offline


def test_domain_may_carry_the_scheme(server):
    geocoder = nominatim(user_agent=UA, domain=f"http://{server.domain}/", min_delay_seconds=0, cache=False)
    assert geocoder.geocode("Busan") is not None
    for bad in ("ftp://example.org", "", "host/path", "http://"):
        with pytest.raises(ConfigurationError, match=r"domain|scheme"):
            nominatim(user_agent=UA, domain=bad, cache=False)


@pytest.mark.parametrize("name", ["nominatimm", "offline+", "google", "offline+offline"])
def test_make_geocoder_rejects_unknown_names(name):
    with pytest.raises(ConfigurationError, match="geocoder"):
        make_geocoder(name, user_agent=UA, cache=False, offline=DictGeocoder({}))


def test_make_geocoder_requires_user_agent_for_online_members(monkeypatch):
    monkeypatch.delenv("EVENTMAP_USER_AGENT", raising=False)
    with pytest.raises(ConfigurationError, match="user agent"):
        make_geocoder("offline+nominatim", offline=DictGeocoder({}), cache=False)


def test_make_geocoder_default_cache_in_data_dir(tmp_path, server):
    geocoder = make_geocoder("nominatim", user_agent=UA, domain=server.domain, scheme="http",
                             min_delay_seconds=0, data_dir=tmp_path / "d")
    geocoder.geocode("Busan")
    assert (tmp_path / "d" / "geocode-cache.sqlite3").exists()


def test_error_classes_keep_geopy_semantics():
    for cls, geopy_cls in [(OnlineTimedOut, GeocoderTimedOut), (OnlineRateLimited, GeocoderRateLimited),
                           (OnlineUnavailable, GeocoderUnavailable)]:
        err = cls("boom", service="s", method="geocode", query="q", attempts=1)
        assert isinstance(err, geopy_cls) and isinstance(err, EventmapError) and str(err) == "boom"



def test_fake_server_speaks_nominatim_formats(server):
    """The fake itself, for other tests that reuse it: jsonv2/geojson shapes and 404s."""
    import urllib.error
    import urllib.request

    def get(path):
        with urllib.request.urlopen(f"http://{server.domain}{path}", timeout=5) as resp:
            return json.load(resp)

    v2 = get("/search?q=Nairobi&format=jsonv2")
    assert v2[0]["category"] == "place" and "class" not in v2[0]
    fc = get("/search?q=Nairobi&format=geojson")
    assert fc["type"] == "FeatureCollection"
    assert fc["features"][0]["geometry"]["coordinates"] == [36.8172, -1.2864]
    assert get("/search?q=Paris&format=json&countrycodes=fr&limit=5")[0]["osm_id"] == 1003
    with pytest.raises(urllib.error.HTTPError) as info:
        get("/nothing-here")
    assert info.value.code == 404
