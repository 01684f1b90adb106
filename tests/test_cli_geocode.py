"""``eventmap geocode`` / ``eventmap reverse`` through click's CliRunner.

Online runs point ``--domain`` at a real HTTP server on 127.0.0.1; offline runs
use the real gazetteer (built in the default data dir on first use).
"""
from __future__ import annotations

import json

import pytest
from _nominatim_server import PLACES, FakeGeoServer
from click.testing import CliRunner

from geo.cli import main

UA = "eventmap-cli-tests/1.0 (tests@example.invalid)"
#: an invented place only the fake online service knows
INVENTED = {"name": "Quillonbrook Harbour", "country": "Kenya", "cc": "ke", "state": None, "lat": -3.9,
            "lon": 39.7, "class": "place", "type": "village", "importance": 0.3, "osm_id": 4242}


@pytest.fixture()
def server():
    with FakeGeoServer(PLACES + [INVENTED]) as srv:
        yield srv


@pytest.fixture()
def runner(monkeypatch):
    monkeypatch.delenv("EVENTMAP_USER_AGENT", raising=False)
    return CliRunner()


def online_args(server, tmp_path, *extra, geocoder="nominatim"):
    return ["--geocoder", geocoder, "--user-agent", UA, "--domain", server.domain, "--scheme", "http",
            "--min-delay", "0", "--timeout", "2", "--cache", str(tmp_path / "cache.sqlite3"), *extra]


def test_help(runner):
    for cmd in ("geocode", "reverse"):
        result = runner.invoke(main, [cmd, "--help"])
        assert result.exit_code == 0
        assert "--geocoder" in result.output and "--user-agent" in result.output and "--json" in result.output


def test_geocode_online_text(runner, server, tmp_path):
    result = runner.invoke(main, ["geocode", "Busan", *online_args(server, tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["Busan, South Korea", "35.179600, 129.075600"]
    [req] = server.requests
    assert req.headers["user-agent"] == UA and req.params["q"] == "Busan"


def test_geocode_words_are_joined(runner, server, tmp_path):
    result = runner.invoke(main, ["geocode", "Sydney", "Opera", "House", *online_args(server, tmp_path)])
    assert result.exit_code == 0, result.output
    assert server.requests[0].params["q"] == "Sydney Opera House"
    assert "-33.856800, 151.215300" in result.stdout


def test_geocode_json_limit_and_country(runner, server, tmp_path):
    result = runner.invoke(main, ["geocode", "Paris", "--limit", "5", "--json", *online_args(server, tmp_path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["query"] == "Paris" and data["source"] == "nominatim"
    assert [r["raw"]["osm_id"] for r in data["results"]] == [1003, 1004]
    assert data["results"][1]["lat"] == pytest.approx(33.6609)
    result = runner.invoke(main, ["geocode", "Paris", "--country", "US", "--json", *online_args(server, tmp_path)])
    assert [r["raw"]["osm_id"] for r in json.loads(result.stdout)["results"]] == [1004]
    assert server.requests[-1].params["countrycodes"] == "us"


def test_geocode_miss_exits_1(runner, server, tmp_path):
    result = runner.invoke(main, ["geocode", "Atlantis Under The Sea", *online_args(server, tmp_path)])
    assert result.exit_code == 1
    assert "no result for 'Atlantis Under The Sea'" in result.stderr
    result = runner.invoke(main, ["geocode", "Atlantis Under The Sea", "--json", *online_args(server, tmp_path)])
    assert result.exit_code == 1 and json.loads(result.stdout)["results"] == []


def test_second_run_is_served_by_the_cache(runner, server, tmp_path):
    args = ["geocode", "Nairobi", *online_args(server, tmp_path)]
    first = runner.invoke(main, args)
    second = runner.invoke(main, args)
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout
    assert server.count() == 1
    runner.invoke(main, [*args, "--no-cache"])
    assert server.count() == 2


def test_default_cache_lives_in_the_data_dir(runner, server, tmp_path):
    args = ["geocode", "Seoul", "--geocoder", "nominatim", "--user-agent", UA, "--domain", server.domain,
            "--scheme", "http", "--min-delay", "0", "--data-dir", str(tmp_path / "data")]
    assert runner.invoke(main, args).exit_code == 0
    assert (tmp_path / "data" / "geocode-cache.sqlite3").exists()
    assert runner.invoke(main, args).exit_code == 0
    assert server.count() == 1


def test_user_agent_from_env(runner, server, tmp_path):
    args = [a for a in online_args(server, tmp_path) if a not in ("--user-agent", UA)]
    result = runner.invoke(main, ["geocode", "Busan", *args], env={"EVENTMAP_USER_AGENT": "env-ua/1.0"})
    assert result.exit_code == 0, result.output
    assert server.requests[0].headers["user-agent"] == "env-ua/1.0"


def test_missing_user_agent_is_a_clean_error(runner, server, tmp_path):
    args = [a for a in online_args(server, tmp_path) if a not in ("--user-agent", UA)]
    result = runner.invoke(main, ["geocode", "Busan", *args])
    assert result.exit_code == 1
    assert "user agent" in result.stderr and "Traceback" not in result.output
    assert server.count() == 0


def test_service_failure_names_service_and_query(runner, server, tmp_path):
    server.fail_all = "500"
    result = runner.invoke(main, ["geocode", "Busan", "--max-retries", "1", *online_args(server, tmp_path)])
    assert result.exit_code == 1
    assert f"nominatim@{server.domain}" in result.stderr and "'Busan'" in result.stderr
    assert "Traceback" not in result.output
    assert server.count() == 2


def test_unknown_geocoder(runner):
    result = runner.invoke(main, ["geocode", "Busan", "--geocoder", "gogle"])
    assert result.exit_code == 1 and "unknown geocoder 'gogle'" in result.stderr


@pytest.mark.parametrize("country", ["USA", "1x"])
def test_bad_country_is_a_usage_error(runner, country):
    result = runner.invoke(main, ["geocode", "Paris", "--country", country])
    assert result.exit_code == 2 and repr(country) in result.stderr


def test_reverse_online(runner, server, tmp_path):
    result = runner.invoke(main, ["reverse", "35.18", "129.07", *online_args(server, tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Busan, South Korea"
    assert server.requests[0].path == "/reverse"
    assert (server.requests[0].params["lat"], server.requests[0].params["lon"]) == ("35.18", "129.07")


def test_reverse_negative_coordinates_and_json(runner, server, tmp_path):
    result = runner.invoke(main, ["reverse", "-33.85", "151.21", "--json", *online_args(server, tmp_path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["query"] == {"lat": -33.85, "lon": 151.21}
    assert data["results"][0]["raw"]["name"] == "Sydney Opera House"


def test_reverse_miss_exits_1(runner, server, tmp_path):
    result = runner.invoke(main, ["reverse", "0", "-30", *online_args(server, tmp_path)])
    assert result.exit_code == 1 and "no result for 0.0, -30.0" in result.stderr


@pytest.mark.parametrize(("lat", "lon", "shown"), [("95", "10", "'95'"), ("abc", "10", "'abc'"),
                                                   ("10", "-181", "'-181'"), ("nan", "10", "'nan'")])
def test_reverse_bad_coordinates_are_usage_errors(runner, lat, lon, shown):
    result = runner.invoke(main, ["reverse", lat, lon])
    assert result.exit_code == 2
    assert shown in result.stderr and ("LAT" in result.stderr or "LON" in result.stderr)


# -- with the real offline gazetteer -----------------------------------------------------
def test_geocode_offline_default(runner):
    result = runner.invoke(main, ["geocode", "Busan", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == "offline"
    top = data["results"][0]
    assert top["raw"]["country_code"] == "KR" and top["raw"]["fclass"] == "P"
    assert top["lat"] == pytest.approx(35.1, abs=0.3) and top["lon"] == pytest.approx(129.05, abs=0.3)


def test_reverse_offline_default(runner):
    result = runner.invoke(main, ["reverse", "35.1", "129.0", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"][0]["raw"]["country_code"] == "KR"


def test_chain_offline_then_online(runner, server, tmp_path):
    args = online_args(server, tmp_path, geocoder="offline+nominatim")
    result = runner.invoke(main, ["geocode", "Busan", *args])
    assert result.exit_code == 0, result.output
    assert "[offline]" in result.stdout and server.count() == 0
    result = runner.invoke(main, ["geocode", "Quillonbrook Harbour", *args])
    assert result.exit_code == 0, result.output
    assert "[nominatim]" in result.stdout and "-3.900000, 39.700000" in result.stdout
    assert server.count() == 1


def test_chain_online_down_falls_back_offline(runner, server, tmp_path):
    server.fail_all = "503"
    args = online_args(server, tmp_path, "--max-retries", "0", geocoder="nominatim+offline")
    result = runner.invoke(main, ["geocode", "Nairobi", "--json", *args])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == "offline" and data["results"][0]["raw"]["country_code"] == "KE"
    assert server.count() == 1
