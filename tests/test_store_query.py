"""Streamed store queries: the same rows, order, index, columns and dtypes as the in-memory path.

The store used here has several batches (each small part split into many tiny
row groups), replaced articles, unresolved and undated mentions, demonyms, and
clusters of places (one region per half batch, later batches later in time), so
that row-group pruning by statistics has something to prune and something to
get wrong.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

import geo.store
from gazetteer import Place
from geo._synthetic import synthetic_results
from geo.errors import QueryError, StoreError
from geo.frames import build_frames, places_from_mentions
from geo.query import group_by, query
from geo.store import Store

ROW_GROUP = 8  # rows per row group in the test parts: many row groups per part

# invented clusters of places (lat range, lon range), some across the antimeridian or near a pole
CLUSTERS = {
    "peninsula": ((34.0, 38.5), (126.0, 129.5), "KR"),
    "pacific": ((-20.0, -12.0), (175.0, 185.0), "FJ"),  # lon > 180 wraps to the west of the antimeridian
    "arctic": ((84.0, 89.9), (-180.0, 180.0), "NO"),
    "lowlands": ((50.5, 53.5), (3.5, 7.0), "NL"),
}


def _places(cluster: str, n: int, seed: int) -> list[Place]:
    (la0, la1), (lo0, lo1), cc = CLUSTERS[cluster]
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        lon = float(rng.uniform(lo0, lo1))
        lon = lon - 360.0 if lon > 180.0 else lon
        out.append(Place(id=f"{cluster}:{seed}:{i}", name=f"{cluster.title()}ville{seed}x{i}",
                         fclass=str(rng.choice(["P", "A", "S", "H"])), fcode="PPL",
                         country_code=cc if i % 5 else cc.lower(), admin1=f"{i % 4:02d}", admin2=None,
                         population=1000 * i, lat=float(rng.uniform(la0, la1)), lon=lon))
    return out


def _batch(seed: int, first: str, second: str, start: str) -> SimpleNamespace:
    """Articles about ``first`` then ``second`` (so row groups within a part are clustered too)."""
    results = (synthetic_results(12, seed=seed, places=_places(first, 6, seed), start=start, days=10)
               + synthetic_results(12, seed=seed + 100, places=_places(second, 6, seed + 1),
                                   start=start, days=10))
    a, m, _ = build_frames(results)
    rows = np.arange(len(m))
    # demonyms, unresolved mentions (no place, no point) and a missing country code
    m.loc[rows % 7 == 3, "kind"] = "demonym"
    unresolved = rows % 11 == 5
    m.loc[unresolved, ["place_id", "name", "feature_class", "country_code"]] = None
    m.loc[unresolved, ["lat", "lon"]] = np.nan
    m.loc[unresolved, "geometry"] = None
    m.loc[rows % 13 == 6, "country_code"] = None
    # an undated article
    undated = a["article_id"].iloc[1]
    a.loc[a["article_id"] == undated, "date"] = pd.NaT
    m.loc[m["article_id"] == undated, "date"] = pd.NaT
    return SimpleNamespace(articles=a, mentions=m)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("streamed") / "s"
    mp = pytest.MonkeyPatch()
    mp.setattr(geo.store, "ROW_GROUP", ROW_GROUP)
    try:
        store = Store(path)
        first = _batch(1, "peninsula", "pacific", "2024-01-01")
        store.ingest(first)
        store.ingest(_batch(2, "arctic", "lowlands", "2024-02-01"))
        store.ingest(_batch(3, "pacific", "peninsula", "2024-03-01"))
        # edits of four articles of the first batch: new title, fewer mentions (their old rows are hidden)
        a = first.articles.iloc[[0, 2, 13, 20]].copy()
        a["title"] = a["title"] + " (updated: harbour storm)"
        m = first.mentions[first.mentions["article_id"].isin(a["article_id"])]
        m = m[m["mention_index"] < 2]
        rep = store.ingest(SimpleNamespace(articles=a, mentions=m))
        assert rep.replaced == 4
        store.ingest(_batch(4, "lowlands", "arctic", "2024-04-01"))
    finally:
        mp.undo()
    return path


def _harbour_box() -> shapely.Polygon:
    return shapely.box(125.5, 33.5, 130.0, 39.0)


# a region across the antimeridian, as a multipolygon with one part on each side
REGIONS = {
    "Peninsula Box": _harbour_box(),
    "Date Line Sea": shapely.MultiPolygon([shapely.box(174.0, -21.0, 180.0, -11.0),
                                           shapely.box(-180.0, -21.0, -174.0, -11.0)]),
    "Ring": shapely.Polygon([(0, 45), (10, 45), (10, 56), (0, 56)], [[(4, 50), (6, 50), (6, 52), (4, 52)]]),
}

FILTERS = [
    {},
    {"bbox": "126,34,129,38"},
    {"bbox": "170,-25,-170,0"},  # across the antimeridian
    {"bbox": [-180, 80, 180, 90]},
    {"bbox": "0,0,1,1"},  # nothing there
    {"near": "36.0,127.5", "radius_km": "300km"},
    {"near": (-16.0, 179.9), "radius_km": 500},  # a circle crossing the antimeridian
    {"near": "89.5,0", "radius_km": "200mi"},  # a circle around the pole
    {"near": "0,0", "radius_km": 0},
    {"region": "Peninsula Box", "region_resolver": REGIONS},
    {"region": "date line sea", "region_resolver": REGIONS},
    {"region": "Ring", "region_resolver": REGIONS},
    {"within": REGIONS["Ring"]},
    {"country": "KR"},
    {"country": "fj, NO"},
    {"country": "Netherlands", "kind": "place"},
    {"feature_class": "P,a"},
    {"kind": "demonym"},
    {"min_confidence": 0.8},
    {"min_confidence": 1.0},
    {"exclude_metonymic": True},
    {"since": "2024-02-05"},
    {"until": "2024-01-05"},
    {"since": "2024-03-02", "until": "2024-03-04T12:00Z"},
    {"since": "2030-01-01"},
    {"text": "harbour storm"},
    {"text": '"harbour storm"', "bbox": "100,0,180,60"},
    {"text": "nosuchwordanywhere"},
    {"bbox": "-180,-90,180,90", "since": "2024-02-01", "min_confidence": 0.5, "exclude_metonymic": True,
     "kind": "place", "feature_class": "P,A,S,H"},
    {"region": "Peninsula Box", "region_resolver": REGIONS, "near": "36,127.5", "radius_km": 150,
     "until": "2024-03-31"},
]


def _ids(f: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in f.items() if k != "region_resolver") or "all"


@pytest.fixture(scope="module")
def loaded(store_dir: Path) -> Store:
    store = Store(store_dir, create=False)
    assert len(store.mentions) > 0  # the in-memory path: frames loaded once
    return store


def _same(got: gpd.GeoDataFrame, expected: gpd.GeoDataFrame) -> None:
    assert list(got.columns) == list(expected.columns)
    assert list(got.dtypes.astype(str)) == list(expected.dtypes.astype(str))
    assert type(got.index) is type(expected.index)
    assert_geodataframe_equal(got, expected, check_index_type=True, check_dtype=True, check_crs=True)


@pytest.mark.parametrize("filters", FILTERS, ids=_ids)
def test_streamed_query_is_the_in_memory_query(store_dir: Path, loaded: Store, filters: dict) -> None:
    expected = query(loaded.mentions, loaded.articles, **filters)
    fresh = Store(store_dir, create=False)
    got = fresh.query(**filters)
    assert fresh._loaded() is None  # streamed: the whole frames were never loaded
    _same(got, expected)
    # the in-memory path of Store.query is the same again
    _same(loaded.query(**filters), expected)


def test_the_store_exercises_what_it_should(loaded: Store) -> None:
    m = loaded.mentions
    assert len(loaded.batches) == 5
    assert m["geometry"].isna().any() and m["date"].isna().any() and (m["kind"] == "demonym").any()
    # replaced rows are hidden: the edited articles keep only their new (fewer) mentions
    edited = loaded.articles[loaded.articles["title"].str.contains("updated", na=False)]["article_id"]
    assert len(edited) == 4
    assert m[m["article_id"].isin(edited)]["mention_index"].max() < 2
    # several row groups per part; every mentions part marked as holding Point(lon, lat)
    entry = loaded.batches[0]["parts"]["mentions"]
    assert pq.ParquetFile(loaded.path / entry["file"]).num_row_groups > 3
    assert all(b["parts"]["mentions"].get("points") == ["lon", "lat"] for b in loaded.batches)
    assert all("points" not in b["parts"]["articles"] for b in loaded.batches)


@pytest.mark.parametrize("by", ["country", "admin1", "place", "day", "week"])
def test_streamed_group_by(store_dir: Path, loaded: Store, by: str) -> None:
    for filters in ({}, {"bbox": "170,-25,-170,0"}, {"since": "2024-02-01", "country": "KR,NO"},
                    {"text": "harbour"}):
        expected = group_by(query(loaded.mentions, loaded.articles, **filters), by)
        fresh = Store(store_dir, create=False)
        got = fresh.group_by(by, **filters)
        assert fresh._loaded() is None
        pd.testing.assert_frame_equal(got, expected)
        pd.testing.assert_frame_equal(loaded.group_by(by, **filters), expected)
    with pytest.raises(QueryError, match="group by must be one of"):
        Store(store_dir, create=False).group_by("continent", bbox="0,0,1,1")


def test_bad_filters_fail_before_reading(tmp_path: Path, store_dir: Path) -> None:
    broken = tmp_path / "s"
    shutil.copytree(store_dir, broken)
    for part in (broken / "parts").iterdir():
        part.write_bytes(b"damaged")
    store = Store(broken, create=False)
    with pytest.raises(QueryError, match="bbox south"):
        store.query(bbox="0,10,1,0")
    with pytest.raises(QueryError, match="near and radius go together"):
        store.query(near="1,2")
    with pytest.raises(StoreError, match="corrupt"):
        store.query(bbox="0,0,10,10")


def test_streamed_query_survives_a_concurrent_compaction(tmp_path: Path, store_dir: Path, loaded: Store,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A compaction removing the parts a streamed read was following: the read starts again, same rows."""
    path = tmp_path / "s"
    shutil.copytree(store_dir, path)
    filters = {"bbox": "170,-25,-170,0", "since": "2024-01-02"}
    expected = query(loaded.mentions, loaded.articles, **filters)
    original = Store._iter_select
    calls = []

    def compact_first(self, manifest, plan, columns):
        calls.append(len(manifest["batches"]))
        if len(calls) == 1:
            Store(path).compact()  # another writer: the parts listed in `manifest` are gone
        return original(self, manifest, plan, columns)

    monkeypatch.setattr(Store, "_iter_select", compact_first)
    _same(Store(path, create=False).query(**filters), expected)
    assert calls == [5, 1]


def _row_groups_read(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """Record the columns of every row-group read."""
    reads: list[tuple[str, ...]] = []
    original = pq.ParquetFile.read_row_group

    def counting(self, i, columns=None, **kw):
        reads.append(tuple(columns or ()))
        return original(self, i, columns=columns, **kw)

    monkeypatch.setattr(pq.ParquetFile, "read_row_group", counting)
    return reads


def _mention_row_groups(store: Store) -> int:
    return sum(pq.ParquetFile(store.path / b["parts"]["mentions"]["file"]).num_row_groups for b in store.batches)


@pytest.mark.parametrize("filters", [
    {"bbox": "126,34,129,38"},
    {"near": (-16.0, 179.9), "radius_km": 300},
    {"region": "Peninsula Box", "region_resolver": REGIONS},
    {"since": "2024-04-01"},
    {"until": "2024-01-31"},
], ids=_ids)
def test_statistics_skip_row_groups(store_dir: Path, loaded: Store, monkeypatch: pytest.MonkeyPatch,
                                    filters: dict) -> None:
    reads = _row_groups_read(monkeypatch)
    got = Store(store_dir, create=False).query(**filters)
    assert len(got) > 0
    _same(got, query(loaded.mentions, loaded.articles, **filters))
    probes = [cols for cols in reads if "sentence" not in cols]
    fetches = [cols for cols in reads if "sentence" in cols]
    total = _mention_row_groups(loaded)
    # row groups ruled out by their statistics are not read at all (only the article_id/_batch of
    # those with replaced rows are, to count live rows); the wide columns only where rows match
    assert sum(1 for c in probes if "geometry" in c or "date" in c) < total / 2
    assert len(fetches) < total / 2
    assert "text" not in {c for cols in probes for c in cols}


def test_parts_without_the_points_mark(tmp_path: Path, store_dir: Path, loaded: Store) -> None:
    """Parts not marked as Point(lon, lat) (older stores; schema version unchanged) give the same results."""
    old = tmp_path / "old"
    shutil.copytree(store_dir, old)
    manifest = json.loads((old / "manifest.json").read_text())
    for b in manifest["batches"][::2]:
        del b["parts"]["mentions"]["points"]
    (old / "manifest.json").write_text(json.dumps(manifest))
    assert Store(old, create=False).check().ok
    for filters in FILTERS:  # spatial filters through the decoded geometry for these parts
        _same(Store(old, create=False).query(**filters), query(loaded.mentions, loaded.articles, **filters))


def test_geometry_not_at_lon_lat_is_not_marked(tmp_path: Path) -> None:
    """A frame whose geometry differs from its lon/lat: queries follow the geometry, streamed or not."""
    r = _batch(5, "peninsula", "lowlands", "2024-05-01")
    moved = np.arange(len(r.mentions)) % 3 == 0
    r.mentions.loc[moved, "lon"] = r.mentions.loc[moved, "lon"] + 20.0  # lon/lat no longer the point
    store = Store(tmp_path / "s")
    store.ingest(r)
    assert "points" not in store.batches[0]["parts"]["mentions"]
    for filters in ({"bbox": "126,34,129,38"}, {"near": "36.0,127.5", "radius_km": 300},
                    {"region": "Ring", "region_resolver": REGIONS}):
        expected = query(store.mentions, store.articles, **filters)
        assert len(expected) > 0
        _same(Store(tmp_path / "s", create=False).query(**filters), expected)


@pytest.mark.parametrize("filters", [
    {"bbox": "170,-25,-170,0"},
    {"text": "harbour", "since": "2024-01-01"},
    {"near": "36.0,127.5", "radius_km": "300km", "min_confidence": 0.5},
    {"bbox": "0,0,1,1"},  # nothing matches: an empty but valid file
], ids=_ids)
def test_streamed_filtered_export(store_dir: Path, loaded: Store, tmp_path: Path, filters: dict) -> None:
    from geo.export import write

    ments = query(loaded.mentions, loaded.articles, **filters)
    arts = loaded.articles[loaded.articles["article_id"].isin(set(ments["article_id"].dropna()))]
    for ext in ("geojson", "csv", "parquet"):
        ref, out = tmp_path / f"ref.{ext}", tmp_path / f"out.{ext}"
        # what the in-memory path writes
        assert write(ments, ref, layer="mentions", articles=loaded.articles) == len(ments)
        fresh = Store(store_dir, create=False)
        assert fresh.export(out, layer="mentions", **filters) == len(ments)
        assert fresh._loaded() is None
        if ext == "parquet":
            pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(ref))
        else:
            assert out.read_bytes() == ref.read_bytes()
    ref, out = tmp_path / "ref-a.geojson", tmp_path / "out-a.geojson"
    write(arts, ref, layer="articles")
    assert Store(store_dir, create=False).export(out, layer="articles", **filters) == len(arts)
    assert out.read_bytes() == ref.read_bytes()
    ref, out = tmp_path / "ref-p.geojson", tmp_path / "out-p.geojson"
    write(places_from_mentions(ments), ref, layer="places")
    assert Store(store_dir, create=False).export(out, layer="places", **filters) == ments["place_id"].nunique()
    assert out.read_bytes() == ref.read_bytes()


def test_unfiltered_places_export_streamed(store_dir: Path, loaded: Store, tmp_path: Path) -> None:
    from geo.export import write

    write(loaded.places, tmp_path / "ref.geojson", layer="places")
    fresh = Store(store_dir, create=False)
    fresh.export(tmp_path / "out.geojson", layer="places")
    assert fresh._loaded() is None
    assert (tmp_path / "out.geojson").read_bytes() == (tmp_path / "ref.geojson").read_bytes()


def test_empty_store_query(tmp_path: Path) -> None:
    store = Store(tmp_path / "empty")
    expected = query(store.mentions, store.articles, bbox="0,0,1,1")
    _same(Store(tmp_path / "empty").query(bbox="0,0,1,1"), expected)


def test_articles_of_streams_the_asked_articles(store_dir: Path, loaded: Store) -> None:
    arts = loaded.articles
    ids = list(arts["article_id"].iloc[::3]) + ["no-such-article"]
    expected = arts[arts["article_id"].isin(ids)].reset_index(drop=True)
    fresh = Store(store_dir, create=False)
    got = fresh.articles_of(ids)
    assert fresh._loaded() is None  # streamed
    assert list(got["article_id"]) == list(expected["article_id"])  # store order, replaced rows hidden
    _same(got.reset_index(drop=True), expected)
    _same(loaded.articles_of(ids).reset_index(drop=True), expected)  # in-memory path
    assert len(fresh.articles_of([])) == 0


def test_article_ids_matching_streams_the_text_filter(store_dir: Path, loaded: Store) -> None:
    from geo.query import compile_query

    arts = loaded.articles
    word = str(arts["title"].dropna().iloc[0]).split()[0]
    expected = set(compile_query(text=word).text_ids(arts))   # the in-memory text filter
    fresh = Store(store_dir, create=False)
    got = fresh.article_ids_matching(word)
    assert fresh._loaded() is None  # streamed
    assert len(got) > 0 and set(got) == expected
    body = arts.set_index("article_id")
    assert all(word.lower() in f"{body.at[i, 'title']} {body.at[i, 'text']}".lower() for i in got)
    assert set(loaded.article_ids_matching(word)) == expected
