"""eventmap parse with an online geocoder for what the offline gazetteer misses,
against a real HTTP server on 127.0.0.1 speaking Nominatim's API."""
from __future__ import annotations

import json

from click.testing import CliRunner

from geo.cli import main
from geo.cli._common import EXIT_SKIPPED
from _nominatim_server import PLACES, FakeGeoServer

# an invented place only the "online" service knows
INVENTED = {"name": "Qorvath Landing", "country": "Kenya", "cc": "ke", "state": None, "lat": -2.5, "lon": 37.25,
            "class": "place", "type": "village", "importance": 0.3, "osm_id": 99001}
TEXT = "Aid reached Qorvath Landing on Monday after trucks left Nairobi."


def _gold(tmp_path):
    spans = [{"start": TEXT.index(w), "end": TEXT.index(w) + len(w)} for w in ("Qorvath Landing", "Nairobi")]
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": "a1", "text": TEXT, "toponyms": spans}) + "\n", encoding="utf-8")
    return path


def _run(server, src, out, cache):
    return CliRunner().invoke(main, [
        "parse", "--given-spans", str(src), "-o", str(out), "--geocoder", "offline+nominatim",
        "--user-agent", "eventmap-tests", "--domain", f"http://127.0.0.1:{server.port}",
        "--geocode-cache", str(cache)])


def test_online_geocoder_fills_only_offline_misses_and_caches(tmp_path):
    src, out, cache = _gold(tmp_path), tmp_path / "out.jsonl", tmp_path / "cache.sqlite"
    with FakeGeoServer(places=[*PLACES, INVENTED]) as server:
        r = _run(server, src, out, cache)
        assert r.exit_code == 0, r.output
        mentions = {m["text"]: m for m in json.loads(out.read_text(encoding="utf-8"))["mentions"]}
        online = mentions["Qorvath Landing"]
        assert online["place_id"] == "osm:N99001"
        assert (online["lat"], online["lon"]) == (-2.5, 37.25)
        assert online["country_code"] == "KE"
        assert mentions["Nairobi"]["place_id"].startswith("gn:")  # offline answered, not the service
        assert server.count("/search") == 1
        # second run: answered from the persistent cache, no request at all
        r = _run(server, src, out, cache)
        assert r.exit_code == 0, r.output
        assert server.count("/search") == 1


def test_service_down_is_reported_and_the_batch_goes_on(tmp_path):
    src, out, cache = _gold(tmp_path), tmp_path / "out.jsonl", tmp_path / "cache.sqlite"
    with FakeGeoServer(places=[*PLACES, INVENTED]) as server:
        server.fail_all = "503"
        r = _run(server, src, out, cache)
    assert r.exit_code == EXIT_SKIPPED
    assert "Qorvath Landing" in r.output and "failed" in r.output
    mentions = {m["text"]: m for m in json.loads(out.read_text(encoding="utf-8"))["mentions"]}
    assert mentions["Qorvath Landing"]["lat"] is None
    assert mentions["Nairobi"]["lat"] is not None
