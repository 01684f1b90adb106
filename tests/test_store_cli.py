"""The store commands through click's CliRunner: ingest, query, export, store check/compact."""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

from geo._synthetic import synthetic_results
from geo.cli import main
from geo.frames import build_frames
from geo.store import Store


@pytest.fixture()
def store_dir(tmp_path: Path) -> Path:
    a, m, _ = build_frames(synthetic_results(50, seed=21))
    Store(tmp_path / "st").ingest(SimpleNamespace(articles=a, mentions=m))
    return tmp_path / "st"


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("cmd", [["ingest"], ["query"], ["export"], ["store"], ["store", "check"], ["store", "compact"]])
def test_help(cmd: list[str]) -> None:
    r = run(*cmd, "--help")
    assert r.exit_code == 0 and "Usage:" in r.output


def test_query_table_and_counts(store_dir: Path) -> None:
    s = Store(store_dir)
    r = run("query", "--store", str(store_dir), "--bbox", "-180,0,180,90", "--limit", "0")
    assert r.exit_code == 0, r.output
    expect = s.query(bbox="-180,0,180,90")
    assert f"{len(expect)} mentions in {expect['article_id'].nunique()} articles match" in r.stderr
    body = [line for line in r.stdout.splitlines()[1:] if line.strip()]
    assert len(body) == len(expect)
    r = run("query", "--store", str(store_dir), "--limit", "3")
    assert "more rows" in r.stdout


def test_query_group_by(store_dir: Path, tmp_path: Path) -> None:
    s = Store(store_dir)
    r = run("query", "--store", str(store_dir), "--group-by", "country", "--min-confidence", "0.5")
    assert r.exit_code == 0
    ref = s.group_by("country", min_confidence=0.5)
    top = ref.iloc[0]
    assert r.stdout.splitlines()[1].split() == [str(top["country_code"]), str(top["n_mentions"]), str(top["n_articles"])]
    out = tmp_path / "g.csv"
    r = run("query", "--store", str(store_dir), "--group-by", "week", "-o", str(out))
    assert r.exit_code == 0
    back = pd.read_csv(out)
    assert back["n_mentions"].sum() == len(s.mentions)
    gj = tmp_path / "places.geojson"
    r = run("query", "--store", str(store_dir), "--group-by", "place", "-o", str(gj))
    assert r.exit_code == 0
    frame = pyogrio.read_dataframe(gj)
    assert frame["n_mentions"].sum() == len(s.mentions.dropna(subset=["place_id"]))
    bad = run("query", "--store", str(store_dir), "--group-by", "country", "-o", str(tmp_path / "g.geojson"))
    assert bad.exit_code == 2 and "--group-by output goes to" in bad.output


def test_query_to_files(store_dir: Path, tmp_path: Path) -> None:
    s = Store(store_dir)
    expect = s.query(near="10,10", radius_km=5000, since="2024-01-15")
    for ext in ("geojson", "parquet", "csv", "jsonl"):
        out = tmp_path / f"q.{ext}"
        r = run("query", "--store", str(store_dir), "--near", "10,10", "--radius", "5000km",
                "--since", "2024-01-15", "-o", str(out))
        assert r.exit_code == 0, r.output
        back = gpd.read_parquet(out) if ext == "parquet" else pyogrio.read_dataframe(
            out, **({"GEOM_POSSIBLE_NAMES": "geometry", "KEEP_GEOM_COLUMNS": "NO"} if ext == "csv" else {}))
        assert sorted(back["article_id"].astype(str) + ":" + back["mention_index"].astype(str)) == \
            sorted(expect["article_id"].astype(str) + ":" + expect["mention_index"].astype(str))


def test_query_within_file(store_dir: Path, tmp_path: Path) -> None:
    poly = tmp_path / "north.geojson"
    gpd.GeoDataFrame(geometry=[shapely.box(-180, 0, 180, 90)], crs=4326).to_file(poly, driver="GeoJSON",
                                                                                  engine="pyogrio")
    r = run("query", "--store", str(store_dir), "--within", str(poly), "--limit", "0")
    assert r.exit_code == 0
    n = len(Store(store_dir).query(bbox="-180,0,180,90"))
    assert f"{n} mentions" in r.stderr


@pytest.mark.parametrize("args, message", [
    (["--bbox", "10,20,0"], "bbox must be four numbers"),
    (["--bbox", "0,50,10,40"], "south (50) is north of north (40)"),
    (["--near", "10,10", "--radius", "-3km"], "radius must not be negative"),
    (["--near", "10,10", "--radius", "3 furlongs"], "unknown radius unit"),
    (["--near", "10,10"], "near and radius go together"),
    (["--since", "yesterday-ish"], "since must be a date"),
    (["--within", "/nonexistent/poly.geojson"], "does not exist"),
])
def test_bad_queries_exit_cleanly(store_dir: Path, args: list[str], message: str) -> None:
    r = CliRunner().invoke(main, ["query", "--store", str(store_dir), *args])
    assert r.exit_code == 1
    assert message in r.output
    assert "Traceback" not in r.output


def test_missing_store(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["query", "--store", str(tmp_path / "none")])
    assert r.exit_code == 1 and "no eventmap store" in r.output


def test_export_and_check_and_compact(store_dir: Path, tmp_path: Path) -> None:
    s = Store(store_dir)
    for layer in ("mentions", "places", "articles"):
        out = tmp_path / f"{layer}.gpkg"
        r = run("export", "--store", str(store_dir), "-o", str(out), "--layer", layer)
        assert r.exit_code == 0, r.output
        assert len(pyogrio.read_dataframe(out)) == len(getattr(s, layer))
    out = tmp_path / "kr.geojson"
    r = run("export", "--store", str(store_dir), "-o", str(out), "--country", "JP")
    assert r.exit_code == 0
    feats = json.loads(out.read_text())["features"]
    assert feats and {f["properties"]["country_code"] for f in feats} == {"JP"}
    r = CliRunner().invoke(main, ["export", "--store", str(store_dir), "-o", str(tmp_path / "x.docx")])
    assert r.exit_code == 2 and "cannot tell the output format" in r.output

    r = run("store", "check", "--store", str(store_dir))
    assert r.exit_code == 0 and "OK" in r.stdout
    r = run("store", "compact", "--store", str(store_dir))
    assert r.exit_code == 0
    # damage: a part goes missing → check names it and exits 1
    part = Store(store_dir).batches[0]["parts"]["mentions"]["file"]
    (store_dir / part).unlink()
    r = CliRunner().invoke(main, ["store", "check", "--store", str(store_dir)])
    assert r.exit_code == 1 and part in r.stdout and "DAMAGED" in r.stdout
    r = CliRunner().invoke(main, ["query", "--store", str(store_dir)])
    assert r.exit_code == 1 and part in r.output


def test_ingest_real_pipeline(tmp_path: Path) -> None:
    """End to end with the real parser and gazetteer: idempotent re-ingest, replacement, skipped input."""
    news = tmp_path / "news.jsonl"
    news.write_text(
        '{"id": "x1", "title": "Port", "date": "2024-05-01", "text": "Dock workers in Busan went on strike."}\n'
        '{"id": "x2", "title": "Talks", "date": "2024-05-02", "text": "Officials met in Tokyo on Friday."}\n',
        encoding="utf-8")
    st = tmp_path / "st"
    r = CliRunner().invoke(main, ["ingest", str(news), "--store", str(st)])
    assert r.exit_code == 0, r.output
    assert "2 new, 0 replaced, 0 unchanged" in r.stderr
    s = Store(st)
    assert sorted(s.articles["article_id"]) == ["x1", "x2"]
    assert set(s.mentions["text"]) >= {"Busan", "Tokyo"}  # the spans found (what they resolve to is not our business here)
    r = CliRunner().invoke(main, ["ingest", str(news), "--store", str(st)])
    assert "0 new, 0 replaced, 2 unchanged" in r.stderr
    assert len(Store(st).batches) == 1
    news.write_text('{"id": "x2", "title": "Talks", "date": "2024-05-02", "text": "Officials met in Osaka."}\n',
                    encoding="utf-8")
    missing = tmp_path / "missing.jsonl"
    r = CliRunner().invoke(main, ["ingest", str(news), str(missing), "--store", str(st)])
    assert r.exit_code == 3  # EXIT_SKIPPED: the missing file was skipped, the rest stored
    assert "0 new, 1 replaced" in r.stderr
    s = Store(st)
    got = s.mentions[s.mentions["article_id"] == "x2"]
    assert list(got["text"]) == ["Osaka"]
    assert "Tokyo" not in set(s.mentions["text"])


def test_query_map(store_dir: Path, tmp_path: Path) -> None:
    s = Store(store_dir)
    hits = s.query(bbox="0,0,180,90")
    drawn = set(hits["place_id"].dropna())
    others = set(s.mentions["place_id"].dropna()) - drawn
    assert drawn and others
    out = tmp_path / "map.html"
    r = run("query", "--store", str(store_dir), "--bbox", "0,0,180,90", "--map", str(out))
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert "leaflet" in html.lower()
    # the map's place records start with the place id: those in the box are drawn, the others not
    assert all(f'["{pid}",' in html for pid in drawn)
    assert not any(f'["{pid}",' in html for pid in others)
