"""Exports: every format read back by an independent reader (GDAL via pyogrio,
geojson-validator, pyarrow) and compared with the store."""
from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import geojson_validator
import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import pytest
import shapely

from geo._synthetic import synthetic_results
from geo.articles import Article
from geo.export import write
from geo.frames import build_frames
from geo.resolve import ArticleResult, Mention
from geo.store import Store
from gazetteer import Place

EXTS = ["geojson", "jsonl", "parquet", "gpkg", "fgb", "csv"]

NASTY_TITLE = 'He said "hi"\n<script>alert(`x${1}`)</script> \\ Zürich 東京 \u2028'


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    results = synthetic_results(60, seed=7)
    results[0].article.title = NASTY_TITLE
    # an unresolved mention and an article with no focus: null geometries
    p = Place("t:x", "Nowhere", "P", "PPL", "NZ", "01", None, 5, -41.123456789, 174.987654321)
    results.append(ArticleResult(
        Article(id="null-geom", text="Something in Xyzzy and Nowhere.", title="Nulls", url="https://n.example/1",
                date="2024-02-02T02:02:02Z"),
        [Mention(13, 18, "Xyzzy"), Mention(23, 30, "Nowhere", "place", p, 0.7)], []))
    a, m, _ = build_frames(results)
    s = Store(tmp_path_factory.mktemp("store"))
    s.ingest(SimpleNamespace(articles=a, mentions=m))
    return s


def read_back(path: Path) -> gpd.GeoDataFrame:
    """GDAL's view of an export."""
    if path.suffix == ".csv":
        return pyogrio.read_dataframe(path, GEOM_POSSIBLE_NAMES="geometry", KEEP_GEOM_COLUMNS="NO")
    if path.suffix == ".parquet":
        return gpd.read_parquet(path)  # pyarrow + GeoParquet metadata (GDAL here lacks the Parquet driver)
    return pyogrio.read_dataframe(path)


def _key(df: pd.DataFrame) -> pd.Series:
    return df["article_id"].astype(str) + "#" + df["mention_index"].astype(str)


@pytest.mark.parametrize("ext", EXTS)
def test_mentions_round_trip(store: Store, tmp_path: Path, ext: str) -> None:
    out = tmp_path / f"mentions.{ext}"
    n = store.export(out, layer="mentions")
    ref = store.mentions
    assert n == len(ref)
    back = read_back(out)
    assert len(back) == len(ref)
    if "mention_index" not in back:  # GeoJSON keeps the listed properties, mention_index among them
        pytest.fail("mention_index missing")
    back = back.assign(_k=_key(back).to_numpy()).set_index("_k")
    ref = ref.assign(_k=_key(ref).to_numpy()).set_index("_k").loc[back.index]
    # geometry: same points (lon, lat order), nulls stay null
    assert (back.geometry.isna().to_numpy() == ref.geometry.isna().to_numpy()).all()
    has = ref.geometry.notna().to_numpy()
    np.testing.assert_allclose(shapely.get_coordinates(back.geometry[has].to_numpy()),
                               shapely.get_coordinates(ref.geometry[has].to_numpy()), atol=1e-7)
    # each feature links back to its article
    titles = store.articles.set_index("article_id")["title"]
    assert list(back["title"].astype(str)) == [str(titles[a]) for a in ref["article_id"]]
    assert NASTY_TITLE in set(back["title"].astype(str))
    assert list(back["place_id"].fillna("").astype(str)) == list(ref["place_id"].fillna("").astype(str))
    assert list(back["name"].fillna("").astype(str)) == list(ref["name"].fillna("").astype(str))
    np.testing.assert_allclose(back["confidence"].astype(float), ref["confidence"].astype(float), rtol=1e-12)
    dates = pd.to_datetime(back["date"], utc=True, format="ISO8601")
    assert (dates == ref["date"].dt.floor("s")).all()
    snippet = back["snippet"] if "snippet" in back else back["sentence"]
    assert list(snippet.fillna("").astype(str)) == list(ref["sentence"].fillna("").astype(str))


@pytest.mark.parametrize("ext", EXTS)
@pytest.mark.parametrize("layer", ["places", "articles"])
def test_other_layers_round_trip(store: Store, tmp_path: Path, ext: str, layer: str) -> None:
    out = tmp_path / f"{layer}.{ext}"
    ref = store.places if layer == "places" else store.articles
    key = "place_id" if layer == "places" else "article_id"
    assert store.export(out, layer=layer) == len(ref)
    back = read_back(out).set_index(key)
    assert sorted(back.index.astype(str)) == sorted(ref[key].astype(str))
    ref = ref.set_index(key).loc[back.index]
    has = ref.geometry.notna().to_numpy()
    assert (back.geometry.notna().to_numpy() == has).all()
    np.testing.assert_allclose(shapely.get_coordinates(back.geometry[has].to_numpy()),
                               shapely.get_coordinates(ref.geometry[has].to_numpy()), atol=1e-7)
    if layer == "places":
        assert list(back["n_mentions"].astype(int)) == list(ref["n_mentions"])
        assert list(back["n_articles"].astype(int)) == list(ref["n_articles"])
    else:
        assert list(back["title"].astype(str)) == list(ref["title"].astype(str))


def test_geojson_is_rfc7946(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "m.geojson"
    store.export(out)
    raw = out.read_text(encoding="utf-8")
    doc = json.loads(raw)
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    assert geojson_validator.validate_structure(doc, check_crs=True) == {}
    v = geojson_validator.validate_geometries(doc)
    assert v["invalid"] == {}
    assert set(v["problematic"]) <= {"excessive_coordinate_precision"}  # its default threshold is 6 decimals
    feats = doc["features"]
    from geojson_validator.checks_problematic import check_excessive_coordinate_precision

    assert not any(check_excessive_coordinate_precision(f["geometry"], precision=7) for f in feats if f["geometry"])
    assert len(feats) == len(store.mentions)
    by_key = {(f["properties"]["article_id"], f["properties"]["mention_index"]): f for f in feats}
    ref = store.mentions
    for r in ref.itertuples():
        f = by_key[(r.article_id, r.mention_index)]
        if pd.isna(r.lat):
            assert f["geometry"] is None
        else:
            lon, lat = f["geometry"]["coordinates"]
            assert (lon, lat) == (round(r.lon, 7), round(r.lat, 7))  # lon first
        for k in ("article_id", "title", "url", "date", "snippet", "place_id", "name", "feature_code",
                  "country_code", "confidence"):
            assert k in f["properties"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", f["properties"]["date"])
    # no position has more than 7 decimals
    assert not re.search(r"\d\.\d{8,}", json.dumps([f["geometry"] for f in feats]))
    assert any(f["properties"]["place_id"] == "t:x" and f["geometry"]["coordinates"] == [174.9876543, -41.1234568]
               for f in feats)


def test_geojson_polygons_right_hand_and_antimeridian(tmp_path: Path) -> None:
    clockwise = shapely.Polygon([(10, 10), (10, 20), (20, 20), (20, 10)])  # exterior clockwise
    assert not clockwise.exterior.is_ccw
    crossing = shapely.Polygon([(170, -10), (-170, -10), (-170, 10), (170, 10)])  # jumps over ±180
    beyond = shapely.box(175, 40, 185, 50)  # continuous longitudes past 180
    frame = gpd.GeoDataFrame({"name": ["cw", "crossing", "beyond"]}, geometry=[clockwise, crossing, beyond], crs=4326)
    out = tmp_path / "polys.geojson"
    assert write(frame, out) == 3
    doc = json.loads(out.read_text())
    v = geojson_validator.validate_geometries(doc)
    assert v["invalid"] == {}
    # (the validator's own antimeridian check flags any ring touching 180, which RFC 7946 3.1.9
    # split parts must do; check the real property instead: no edge jumps across ±180)
    for f in doc["features"]:
        for ring in shapely.get_rings(shapely.get_parts(shapely.geometry.shape(f["geometry"]))):
            assert np.abs(np.diff(shapely.get_coordinates(ring)[:, 0])).max() <= 180
    geoms = {f["properties"]["name"]: shapely.geometry.shape(f["geometry"]) for f in doc["features"]}
    assert geoms["cw"].exterior.is_ccw and geoms["cw"].equals(clockwise)
    for name, lat0 in (("crossing", -10), ("beyond", 40)):
        g = geoms[name]
        assert g.geom_type == "MultiPolygon" and len(g.geoms) == 2
        assert all(p.exterior.is_ccw for p in g.geoms)
        xmin, ymin, xmax, ymax = g.bounds
        assert (xmin, xmax) == (-180, 180) and ymin == lat0
        assert g.area == pytest.approx(400 if name == "crossing" else 100)
        assert all(max(p.bounds[2] - p.bounds[0], 0) <= 10 for p in g.geoms)


def test_chunks_stream_and_match_whole_frame(store: Store, tmp_path: Path) -> None:
    whole = tmp_path / "whole.geojson"
    parts = tmp_path / "parts.geojson"
    m = store.mentions
    write(m, whole, layer="mentions", articles=store.articles)
    consumed = []

    def gen():
        for i in range(0, len(m), 7):
            consumed.append(i)
            yield m.iloc[i:i + 7]

    write(gen(), parts, layer="mentions", articles=store.articles, chunk_size=5)
    assert len(consumed) == -(-len(m) // 7)
    assert json.loads(whole.read_text()) == json.loads(parts.read_text())


def test_failed_export_keeps_old_file(store: Store, tmp_path: Path) -> None:
    for ext in ("geojson", "parquet", "gpkg", "csv"):
        out = tmp_path / f"keep.{ext}"
        out.write_bytes(b"old content")

        def broken():
            yield store.mentions.iloc[:5]
            raise RuntimeError("disk on fire")

        with pytest.raises(RuntimeError, match="disk on fire"):
            write(broken(), out, layer="mentions")
        assert out.read_bytes() == b"old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"keep.{e}" for e in sorted(("csv", "geojson", "gpkg", "parquet"))]


def test_filtered_export_and_empty(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "north.geojson"
    n = store.export(out, bbox="-180,0,180,90")
    doc = json.loads(out.read_text())
    assert n == len(doc["features"]) == len(store.query(bbox="-180,0,180,90"))
    assert all(f["geometry"]["coordinates"][1] >= 0 for f in doc["features"])
    empty = tmp_path / "none.parquet"
    assert store.export(empty, bbox="0,0,0.0001,0.0001") == 0
    assert len(gpd.read_parquet(empty)) == 0
    e = Store(tmp_path / "empty-store")
    for ext in EXTS:
        assert e.export(tmp_path / f"empty.{ext}") == 0
    assert json.loads((tmp_path / "empty.geojson").read_text()) == {"type": "FeatureCollection", "features": []}


def test_geoparquet_metadata(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "m.parquet"
    store.export(out)
    meta = json.loads(pq.read_schema(out).metadata[b"geo"])
    assert meta["primary_column"] == "geometry"
    assert meta["columns"]["geometry"]["encoding"] == "WKB"
    assert meta["columns"]["geometry"]["crs"]["id"]["code"] == 4326
    assert pq.ParquetFile(out).metadata.num_rows == len(store.mentions)


def test_unknown_extension(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"cannot tell the output format of .*\.xlsx"):
        store.export(tmp_path / "x.xlsx")
    with pytest.raises(ValueError, match="unknown layer"):
        write(store.mentions, tmp_path / "x.geojson", layer="people")


def test_geojson_properties_match_json_module(tmp_path: Path) -> None:
    """The vectorised (Arrow) JSON writer agrees with the json module on awkward values."""
    texts = ["plain", 'q"uote', "back\\slash", "new\nline\r\n", "tab\t", "bell\x07 nul\x00", None, "é東京\u2028",
             "</script>", "", "${x}`"]
    n = len(texts)
    frame = gpd.GeoDataFrame({
        "s": pd.Series(texts, dtype="string"),
        "f": [0.1, float("nan"), 1e-7, -0.0, 123456789.123, 1e21, 2.5, float("inf"), 3.0, None, 7.25],
        "i": pd.Series(range(n), dtype="int64"),
        "b": [True, False] * 5 + [True],
        "d": pd.to_datetime(["2024-01-02T03:04:05.678Z", None] + ["2024-12-31T23:59:59Z"] * (n - 2), utc=True, format="ISO8601"),
    }, geometry=[shapely.Point(126.123456789, 37.987654321), None, shapely.Point(-180, -90)] +
       [shapely.Point(i, i / 3) for i in range(n - 3)], crs=4326)
    out = tmp_path / "props.geojson"
    write(frame, out, chunk_size=4)
    raw = out.read_text(encoding="utf-8")
    assert "\u2028" not in raw  # escaped: a line break to many readers
    feats = json.loads(raw)["features"]
    assert len(feats) == n
    for k, f in enumerate(feats):
        p = f["properties"]
        assert p["s"] == texts[k]
        fv = frame["f"].iloc[k]
        assert p["f"] == (None if not np.isfinite(fv) else fv)
        assert p["i"] == k and p["b"] == bool(frame["b"].iloc[k])
        d = frame["d"].iloc[k]
        assert p["d"] == (None if pd.isna(d) else d.floor("s").strftime("%Y-%m-%dT%H:%M:%SZ"))
        g = frame.geometry.iloc[k]
        assert f["geometry"] == (None if g is None else
                                 {"type": "Point", "coordinates": [round(g.x, 7), round(g.y, 7)]})
    # the same bytes whether written whole or streamed in chunks
    again = tmp_path / "again.geojson"
    write(iter([frame.iloc[:5], frame.iloc[5:]]), again)
    assert again.read_bytes() == out.read_bytes()


@pytest.mark.parametrize("layer", ["mentions", "articles"])
@pytest.mark.parametrize("ext", ["geojson", "jsonl"])
def test_arrow_and_frame_paths_agree(store: Store, tmp_path: Path, layer: str, ext: str) -> None:
    """The streamed export (Arrow tables, WKB read from the buffers) equals writing the loaded frame."""
    streamed, framed = tmp_path / f"s.{ext}", tmp_path / f"f.{ext}"
    store.export(streamed, layer=layer)
    frame = getattr(store, layer)
    write(frame, framed, layer=layer, articles=store.articles if layer == "mentions" else None)

    def features(path: Path) -> list:
        text = path.read_text(encoding="utf-8")
        return json.loads(text)["features"] if ext == "geojson" else [json.loads(x) for x in text.split("\n") if x]

    a, b = features(streamed), features(framed)
    assert len(a) == len(frame) and a == b
