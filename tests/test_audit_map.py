"""Audit: ``eventmap map`` on frame files other tools wrote."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from geo.cli import main


def test_foreign_geojson_with_an_unlocated_feature_draws_the_others(tmp_path: Path) -> None:
    # GeoJSON allows "geometry": null (a feature with no location); it made the whole map fail
    src = tmp_path / "points.geojson"
    src.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": None, "properties": {"name": "nowhere"}},
        {"type": "Feature", "id": "b", "geometry": {"type": "Point", "coordinates": [90.4, 23.7]},
         "properties": {"name": "Dhaka"}},
    ]}), encoding="utf-8")
    out = tmp_path / "m.html"
    r = CliRunner().invoke(main, ["map", str(src), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "<title>eventmap: 1 place in 0 articles</title>" in out.read_text(encoding="utf-8")


def test_unknown_tiles_are_a_usage_error_before_any_work(tmp_path: Path) -> None:
    src = tmp_path / "news.txt"
    src.write_text("Floods hit Dhaka and Chittagong.\n", encoding="utf-8")
    out = tmp_path / "m.html"
    r = CliRunner().invoke(main, ["map", str(src), "-o", str(out), "--tiles", "NoSuchTiles"])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "unknown tiles 'NoSuchTiles'" in r.output and "--tiles" in r.output
    assert not out.exists()


def test_named_tile_providers_still_work(tmp_path: Path) -> None:
    src = tmp_path / "news.txt"
    src.write_text("Floods hit Dhaka and Chittagong.\n", encoding="utf-8")
    out = tmp_path / "m.html"
    r = CliRunner().invoke(main, ["map", str(src), "-o", str(out), "--tiles", "Esri.WorldImagery"])
    assert r.exit_code == 0, r.output
    assert "arcgisonline" in out.read_text(encoding="utf-8").lower()


def test_pages_directory_that_holds_the_inputs_is_refused(tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    index = news / "index.html"  # an article that happens to be called index.html
    page = ("<html><head><title>Floods</title></head><body><article><p>Floods hit Dhaka and "
            "Chittagong on Monday, and rain kept falling.</p></article></body></html>\n")
    index.write_text(page, encoding="utf-8")
    for given in (news, index):  # the input directory, or a file in it
        r = CliRunner().invoke(main, ["map", str(given), "-o", str(tmp_path / "m.html"), "--articles-dir", str(news)])
        assert r.exit_code == 2, r.output
        assert "could replace inputs" in r.output and "--articles-dir" in r.output
        assert index.read_text(encoding="utf-8") == page
    # pages go in the directory itself, never below: one above the inputs is fine
    r = CliRunner().invoke(main, ["map", str(news), "-o", str(tmp_path / "m.html"), "--articles-dir", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "1 article page " in r.output  # and the input below the pages was read
    assert index.read_text(encoding="utf-8") == page
