"""``eventmap map`` through click's CliRunner, on real files."""
from __future__ import annotations

import json
import re
import types

import pytest
from click.testing import CliRunner

from geo.cli import main
from maps.pages import page_name

from maps_fixtures import sample_frames


@pytest.fixture(scope="module")
def frames():
    return sample_frames()


@pytest.fixture()
def frame_files(tmp_path, frames):
    articles, mentions, _ = frames
    a, m = tmp_path / "articles.parquet", tmp_path / "mentions.parquet"
    articles.to_parquet(a)
    mentions.to_parquet(m)
    return a, m


def run(*args):
    result = CliRunner().invoke(main, ["map", *map(str, args)], catch_exceptions=False)
    return result


def payload(path) -> dict:
    html = path.read_text(encoding="utf-8")
    found = re.search(r"var event_data_[0-9a-f]+ = (\{.*?\});\n", html)
    assert found
    return json.loads(found.group(1))


def test_help():
    r = run("--help")
    assert r.exit_code == 0 and "--articles-dir" in r.output and "--min-confidence" in r.output


def test_map_from_frame_files_with_pages(tmp_path, frame_files):
    a, m = frame_files
    out = tmp_path / "out" / "map.html"
    pages = tmp_path / "out" / "pages"
    r = run(m, a, "-o", out, "--articles-dir", pages, "--layers", "places,focus,heat,time", "--title", "Ports")
    assert r.exit_code == 0, r.output
    assert "<title>Ports</title>" in out.read_text()
    data = payload(out)
    assert len(data["places"]) == 6
    busan = next(p for p in data["places"] if p[0] == "gn:1838524")
    art = data["articles"][busan[10][1][0]]
    assert art[1] == "Ships leave Busan" and art[5] == f"pages/{page_name('a1')}"
    page = (pages / page_name("a1")).read_text()
    assert 'href="../map.html#place=gn%3A1838524"' in page
    assert (pages / "index.html").is_file()
    assert "4 article pages" in r.output


def test_min_confidence_option(tmp_path, frame_files):
    a, m = frame_files
    out = tmp_path / "map.html"
    r = run(m, a, "-o", out, "--min-confidence", "0.75", "--articles-dir", tmp_path / "pages")
    assert r.exit_code == 0, r.output
    ids = {p[0] for p in payload(out)["places"]}
    assert "em:pentagon" not in ids and "gn:1838524" in ids
    page = (tmp_path / "pages" / page_name("a3")).read_text()
    # the filtered-out mention is still highlighted on the page, just not linked to the map
    assert '<span class="mention low" id="m-0"' in page


def test_map_from_geojson_mentions(tmp_path, frames):
    _, mentions, _ = frames
    path = tmp_path / "mentions.geojson"
    path.write_text(mentions.assign(date=mentions["date"].astype(str)).to_json(), encoding="utf-8")
    out = tmp_path / "map.html"
    r = run(path, "-o", out, "--layers", "places")
    assert r.exit_code == 0, r.output
    assert {p[0] for p in payload(out)["places"]} >= {"gn:1838524", "em:korean-peninsula"}


def test_map_from_store(tmp_path, frames):
    from geo.store import Store

    store = Store(tmp_path / "news.store")
    articles, mentions, _ = frames
    store.ingest(types.SimpleNamespace(articles=articles, mentions=mentions))
    out = tmp_path / "map.html"
    r = run(tmp_path / "news.store", "-o", out, "--layers", "places")
    assert r.exit_code == 0, r.output
    assert len(payload(out)["places"]) == 6


def test_places_frame_is_refused_with_a_reason(tmp_path, frames):
    path = tmp_path / "places.parquet"
    frames[2].to_parquet(path)
    r = run(path, "-o", tmp_path / "map.html")
    assert r.exit_code != 0 and "places frame" in r.output and str(path) in r.output
    assert not (tmp_path / "map.html").exists()


def test_bad_geojson_named(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text("{not json", encoding="utf-8")
    r = run(path, "-o", tmp_path / "map.html")
    assert r.exit_code != 0 and "broken.geojson" in r.output


@pytest.mark.parametrize("features, why", [
    ([1, "x"], "feature 0 is not a JSON object"),
    ([{"type": "Feature", "properties": {"text": "A"},
       "geometry": {"type": "Point", "coordinates": ["a", "b"]}}], "feature 0 has a bad geometry"),
])
def test_bad_geojson_features_named(tmp_path, features, why):
    path = tmp_path / "odd.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    r = run(path, "-o", tmp_path / "map.html")
    assert r.exit_code == 2 and "odd.geojson" in r.output and why in r.output, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
    assert not (tmp_path / "map.html").exists()


def test_broken_parquet_named(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    r = run(path, "-o", tmp_path / "map.html")
    assert r.exit_code == 2 and "broken.parquet" in r.output and "cannot read parquet" in r.output
    assert not (tmp_path / "map.html").exists()


def test_plain_parquet_without_geometry(tmp_path, frames):
    _, mentions, _ = frames
    path = tmp_path / "plain.parquet"
    mentions.drop(columns="geometry").to_parquet(path)
    r = run(path, "-o", tmp_path / "map.html", "--layers", "places")
    assert r.exit_code == 0, r.output
    assert len(payload(tmp_path / "map.html")["places"]) == 6


def test_bad_coordinates_clean_error(tmp_path, frames):
    _, mentions, _ = frames
    bad = mentions.copy()
    bad.loc[0, "lat"] = 123.0
    path = tmp_path / "m.parquet"
    bad.drop(columns="geometry").to_parquet(path)
    r = run(path, "-o", tmp_path / "map.html")
    assert r.exit_code == 1 and "123.0" in r.output and "Traceback" not in r.output


def test_unknown_layer(tmp_path, frame_files):
    r = run(frame_files[1], "-o", tmp_path / "map.html", "--layers", "places,glitter")
    assert r.exit_code == 2 and "glitter" in r.output


def test_offline_copies_assets(tmp_path, frame_files):
    from maps_browser import ensure_assets

    ensure_assets()
    out = tmp_path / "map.html"
    r = run(frame_files[1], frame_files[0], "-o", out, "--offline")
    assert r.exit_code == 0, r.output
    html = out.read_text()
    srcs = re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', html)
    assert srcs and all(s.startswith("map_files/") for s in srcs), srcs
    for s in srcs:
        assert (tmp_path / s).is_file(), s
    assert (tmp_path / "map_files" / "leaflet-1.9.3" / "dist" / "images" / "layers.png").is_file()
    # every url(...) in the copied CSS (Leaflet's images, the time slider's glyph font) resolves locally
    refs = 0
    for css in (tmp_path / "map_files").rglob("*.css"):
        for ref in re.findall(r"url\([\"']?([^\"')]+)", css.read_text()):
            if ref.startswith(("data:", "#")):  # "#default#VML": an old IE behaviour, not a file
                continue
            refs += 1
            assert not ref.startswith(("http", "//")), (css, ref)
            assert (css.parent / ref.split("?")[0].split("#")[0]).is_file(), (css, ref)
    assert refs >= 5
    assert (tmp_path / "map_files" / "leaflet-1.9.3" / "LICENSE").is_file()  # licences travel with the files
    assert "cdn.jsdelivr.net" not in html and "cdnjs.cloudflare.com" not in html


def test_map_from_articles_parses_them(tmp_path, gazetteer_db):
    """Raw articles go through the pipeline; a bad input is skipped, named, and the exit status says so."""
    from pathlib import Path

    seed = Path(__file__).resolve().parent.parent / "examples" / "busan-article.txt"
    missing = tmp_path / "no-such-article.txt"
    out = tmp_path / "map.html"
    r = CliRunner().invoke(main, ["map", str(seed), str(missing), "-o", str(out), "--articles-dir",
                                  str(tmp_path / "articles")])
    assert r.exit_code == 3, r.output
    assert "no-such-article.txt" in r.output and "1 input(s) skipped" in r.output
    data = payload(out)
    # whatever place the resolver picked, a popup shows the word "Busan" highlighted in its sentence
    marked = {e[2][e[3]:e[4]] for p in data["places"] for e in p[10] if e[3] >= 0}
    assert "Busan" in marked and len(data["places"]) >= 3
    assert len(list((tmp_path / "articles").glob("*.html"))) == 2  # the article + index


def test_offline_without_assets_or_npm_is_a_clean_error(tmp_path, frame_files, monkeypatch):
    monkeypatch.setenv("EVENTMAP_ASSETS", str(tmp_path / "empty"))
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))  # no npm to fetch them with
    out = tmp_path / "map.html"
    r = run(frame_files[1], "-o", out, "--offline")
    assert r.exit_code == 1 and "npm" in r.output and not out.exists()
    assert "Traceback" not in r.output
