"""``map.html#place=ID`` (the links of the article pages) opens that place's popup on a fresh
load, for every place of the map: also one the map's first fit only pans to, and two places
drawn at the same spot (spiderfied)."""
from __future__ import annotations

import pytest

import maps
from gazetteer import Place
from geo.frames import build_frames

from maps_browser import serve_offline
from maps_fixtures import BUSAN, result, sample_results

pytestmark = pytest.mark.browser

# a second place at exactly Busan's coordinates: the cluster can only be spiderfied
PORT = Place("em:busan-port", "Busan Port", "S", "PRT", "KR", "10", None, 0, BUSAN.lat, BUSAN.lon)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    results = sample_results() + [result("port", "Cranes stood still at Busan Port.", [("Busan Port", PORT, 0.9)],
                                         title="Port", date="2024-06-03")]
    frames = build_frames(results)
    out = maps.save_map(maps.event_map(frames, footprint_of=False), tmp_path_factory.mktemp("hash") / "map.html")
    return out, sorted(set(frames[1]["place_id"].dropna()))


def test_every_place_opens_from_the_url_on_a_fresh_load(site, browser):
    out, place_ids = site
    assert len(place_ids) == 7
    failed = []
    for pid in place_ids:
        ctx = browser.new_context(viewport={"width": 1200, "height": 800})
        serve_offline(ctx)
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            page.goto(out.as_uri() + "#place=" + pid)
            page.wait_for_selector(f'.leaflet-popup .em-popup[data-place="{pid}"]', timeout=8000)
        except Exception:  # noqa: BLE001 - collect every place that does not open, then fail once
            failed.append(pid)
        finally:
            ctx.close()
        assert errors == []
    assert failed == []
