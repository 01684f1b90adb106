"""Ids from hand-made or third-party frames: numbers (GeoJSON, parquet) and names JavaScript
objects treat specially (``__proto__``) still link the map and the article pages."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from geo.cli import main
from maps.pages import page_name


def _feature(props, lon=None, lat=None):
    geom = {"type": "Point", "coordinates": [lon, lat]} if lon is not None else None
    return {"type": "Feature", "geometry": geom, "properties": props}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ids")
    mentions = [  # article ids and one place id are JSON numbers; the other place is "__proto__"
        _feature({"place_id": 12345, "article_id": 7, "name": "Numbered", "mention_index": 0, "start": 0, "end": 3,
                  "text": "Hub", "sentence": "Hub is here.", "confidence": 0.9, "date": "2024-01-01"}, 131.0, 34.0),
        _feature({"place_id": "__proto__", "article_id": 8, "name": "Proto", "mention_index": 0, "start": 4, "end": 7,
                  "text": "Hub", "sentence": "And Hub.", "confidence": 0.9, "date": "2024-01-02"}, 129.0, 35.1),
    ]
    articles = [_feature({"article_id": 7, "title": "Seven", "text": "Hub is here.", "date": "2024-01-01"}),
                _feature({"article_id": 8, "title": "Eight", "text": "And Hub.", "date": "2024-01-02"})]
    (tmp / "m.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": mentions}))
    (tmp / "a.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": articles}))
    out, pages = tmp / "out" / "map.html", tmp / "out" / "articles"
    r = CliRunner().invoke(main, ["map", str(tmp / "m.geojson"), str(tmp / "a.geojson"), "-o", str(out),
                                  "--articles-dir", str(pages), "--layers", "places"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return out, pages


def test_numeric_ids_still_link_pages_and_map(site):
    out, pages = site
    seven = (pages / page_name("7")).read_text(encoding="utf-8")
    assert re.search(r'<a class="mention" id="m-0" href="\.\./map\.html#place=12345"[^>]*><mark>Hub</mark></a>',
                     seven), seven
    eight = (pages / page_name("8")).read_text(encoding="utf-8")
    assert 'href="../map.html#place=__proto__"' in eight
    index = (pages / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<td class="n">(\d+)</td>', index) == ["1", "1"]


@pytest.mark.browser
@pytest.mark.parametrize("place_id", ["12345", "__proto__"])
def test_hash_opens_any_place_id(site, browser, place_id):
    from maps_browser import serve_offline

    ctx = browser.new_context()
    serve_offline(ctx)
    page = ctx.new_page()
    try:
        page.goto(site[0].as_uri() + "#place=" + place_id)
        page.wait_for_selector(f'.leaflet-popup .em-popup[data-place="{place_id}"]', timeout=8000)
        assert page.locator(".leaflet-popup .em-title").text_content() in ("Seven", "Eight")
    finally:
        ctx.close()
