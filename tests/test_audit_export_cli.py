"""Hostile article text through ``eventmap parse -o`` and ``eventmap export``: every format reads
back to the same titles, urls and sources; GeoJSON is strict JSON in lon/lat with no crs member."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import geopandas as gpd
import pytest
from click.testing import CliRunner

from geo.cli import main

TITLES = ["</script><script>alert(1)</script>", "`${alert(1)}`", "back\\slash \\u2028 \\", 'comma, "quote"',
          "cr\rlf\nboth\r\n end", "\u202eRTL مرحبا \U0001F600", "line\u2028sep\u2029x", "nul\x00bell\x07 del\x7f"]
URLS = ["javascript:alert(1)", "https://ok.example.com/a,b?c=\"d\"", None, "data:text/html,<b>"]


def _strict(raw: str):
    def refuse(token):
        raise ValueError(f"not JSON: {token}")
    return json.loads(raw, parse_constant=refuse)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, gazetteer_db):
    tmp = tmp_path_factory.mktemp("export-cli")
    src = tmp / "news.jsonl"
    with open(src, "w", encoding="utf-8") as fh:
        for i, title in enumerate(TITLES):
            fh.write(json.dumps({"id": f"a{i}", "title": title, "url": URLS[i % len(URLS)], "source": title,
                                 "date": f"2024-03-{i + 1:02d}", "text": f"{title}\nHeavy rain fell on Busan."}) + "\n")
    runner = CliRunner()
    for ext in ("geojson", "parquet", "csv"):
        r = runner.invoke(main, ["parse", str(src), "-o", str(tmp / f"p.{ext}")], catch_exceptions=False)
        assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["ingest", str(src), "--store", str(tmp / "store")], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    for ext in ("geojson", "csv"):
        r = runner.invoke(main, ["export", "--store", str(tmp / "store"), "-o", str(tmp / f"s.{ext}"),
                                 "--layer", "articles"], catch_exceptions=False)
        assert r.exit_code == 0, r.output
    return tmp


def _expected():
    return {f"a{i}": (t, URLS[i % len(URLS)]) for i, t in enumerate(TITLES)}


@pytest.mark.parametrize("name", ["p.geojson", "s.geojson"])
def test_geojson(outputs: Path, name: str) -> None:
    raw = (outputs / name).read_text(encoding="utf-8")
    assert "\u2028" not in raw and "\u2029" not in raw
    doc = _strict(raw)
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    got = {}
    for f in doc["features"]:
        p = f["properties"]
        got[p["article_id"]] = (p["title"], p["url"])
        if name == "p.geojson" and p["name"] == "Busan":
            lon, lat = f["geometry"]["coordinates"]
            assert 128 < lon < 130 and 34 < lat < 36  # lon first
    assert got == _expected()


def test_geoparquet(outputs: Path) -> None:
    df = gpd.read_parquet(outputs / "p.parquet")
    assert df.crs.to_epsg() == 4326
    got = {a: (t, None if u is None or u != u else u) for a, t, u in zip(df.article_id, df.title, df.url)}
    assert got == _expected()


@pytest.mark.parametrize("name", ["p.csv", "s.csv"])
def test_csv(outputs: Path, name: str) -> None:
    with open(outputs / name, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    got = {r["article_id"]: (r["title"], r["url"] or None) for r in rows}
    assert got == _expected()
    if name == "s.csv":
        assert len(rows) == len(TITLES) and [r["source"] for r in rows] == TITLES
