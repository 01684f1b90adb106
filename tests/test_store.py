"""The GeoParquet store: round trip, idempotent ingest, replacement, integrity, refusals."""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from geo._synthetic import synthetic_results
from geo.errors import StoreError
from geo.frames import ARTICLE_COLUMNS, MENTION_COLUMNS, SCHEMA_VERSION, build_frames
from geo.store import Store
from gazetteer import EventmapError


def frames(n: int = 20, seed: int = 0):
    a, m, p = build_frames(synthetic_results(n, seed=seed))
    return SimpleNamespace(articles=a, mentions=m, places=p)


def _norm(df: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(df).copy()
    if "date" in df:
        df["date"] = pd.to_datetime(df["date"], utc=True).astype("datetime64[ns, UTC]")
    df["geometry"] = gpd.GeoSeries(df["geometry"]).to_wkt().to_numpy()
    return df.sort_values(key).reset_index(drop=True)


def assert_same(stored: pd.DataFrame, given: pd.DataFrame, key: list[str]) -> None:
    pd.testing.assert_frame_equal(_norm(stored, key), _norm(given, key), check_dtype=False)


def test_round_trip_and_schema(tmp_path: Path) -> None:
    r = frames(30)
    store = Store(tmp_path / "s")
    rep = store.ingest(r)
    assert (rep.added, rep.replaced, rep.unchanged, rep.mentions) == (30, 0, 0, len(r.mentions))
    fresh = Store(tmp_path / "s", create=False)
    assert list(fresh.articles.columns) == [*ARTICLE_COLUMNS, "geometry"]
    assert list(fresh.mentions.columns) == [*MENTION_COLUMNS, "geometry"]
    assert fresh.mentions.crs.to_epsg() == 4326
    assert_same(fresh.articles, r.articles, ["article_id"])
    assert_same(fresh.mentions, r.mentions, ["article_id", "mention_index"])
    assert_same(fresh.places, r.places, ["place_id"])
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert manifest["schema_version"] == SCHEMA_VERSION
    # the parts are real GeoParquet files any reader can open
    for b in manifest["batches"]:
        for entry in b["parts"].values():
            assert b"geo" in pq.read_schema(tmp_path / "s" / entry["file"]).metadata
            assert len(gpd.read_parquet(tmp_path / "s" / entry["file"])) == entry["rows"]


def test_reingest_adds_nothing(tmp_path: Path) -> None:
    r = frames(15)
    store = Store(tmp_path)
    store.ingest(r)
    before = sorted(os.listdir(tmp_path / "parts"))
    rep = store.ingest(r)
    assert (rep.added, rep.replaced, rep.unchanged, rep.batch) == (0, 0, 15, None)
    assert sorted(os.listdir(tmp_path / "parts")) == before
    assert len(store.articles) == 15 and len(store.mentions) == len(r.mentions)


def test_changed_article_replaces_its_rows(tmp_path: Path) -> None:
    results = synthetic_results(10, seed=3, mentions_per_article=3)
    store = Store(tmp_path)
    a, m, p = build_frames(results)
    store.ingest(SimpleNamespace(articles=a, mentions=m))
    # article 0 is edited: same id, new text and one mention only
    target = next(r for r in results if len(r.mentions) >= 2)
    edited = synthetic_results(1, seed=99, mentions_per_article=1)[0]
    while not edited.mentions:
        edited = synthetic_results(1, seed=int(np.random.default_rng().integers(1e6)))[0]
    edited.article.id = target.article.id
    a2, m2, _ = build_frames([edited])
    rep = store.ingest(SimpleNamespace(articles=a2, mentions=m2))
    assert (rep.added, rep.replaced, rep.unchanged) == (0, 1, 0)
    arts = store.articles
    assert len(arts) == 10
    row = arts[arts["article_id"] == target.article.id]
    assert row["text"].item() == edited.article.text
    got = store.mentions[store.mentions["article_id"] == target.article.id]
    assert list(got["text"]) == [mm.text for mm in edited.mentions]
    # everything else untouched
    others = m[m["article_id"] != target.article.id]
    assert len(store.mentions) == len(others) + len(edited.mentions)
    # streaming reader agrees with the loaded frame
    streamed = pd.concat(list(store.iter_layer("mentions", batch_size=7)), ignore_index=True)
    assert_same(streamed, store.mentions, ["article_id", "mention_index"])
    # compaction keeps the same live rows in one batch
    live = store.mentions.copy()
    store.compact()
    assert len(store.batches) == 1
    assert len(os.listdir(tmp_path / "parts")) == 2
    assert_same(Store(tmp_path).mentions, live, ["article_id", "mention_index"])
    assert store.check().ok
    # after compaction, re-ingesting the same content still adds nothing
    rep = store.ingest(SimpleNamespace(articles=a2, mentions=m2))
    assert (rep.added, rep.replaced, rep.unchanged, rep.batch) == (0, 0, 1, None)


def test_same_id_twice_in_one_input_keeps_last(tmp_path: Path) -> None:
    results = synthetic_results(3, seed=5, mentions_per_article=3)
    dup = synthetic_results(1, seed=6, mentions_per_article=3)[0]
    dup.article.id = results[0].article.id
    a, m, _ = build_frames([*results, dup])
    store = Store(tmp_path)
    rep = store.ingest(SimpleNamespace(articles=a, mentions=m))
    assert rep.added == 3
    got = store.mentions[store.mentions["article_id"] == dup.article.id]
    assert list(got["text"]) == [mm.text for mm in dup.mentions]
    assert store.articles.set_index("article_id").loc[dup.article.id, "text"] == dup.article.text


def test_empty_store_and_missing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no eventmap store"):
        Store(tmp_path / "nope", create=False)
    s = Store(tmp_path / "new")
    assert len(s.articles) == 0 and len(s.mentions) == 0 and len(s.places) == 0
    assert list(s.mentions.columns) == [*MENTION_COLUMNS, "geometry"]
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(StoreError, match="not a directory"):
        Store(f)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    Store(tmp_path).ingest(frames(3))
    mpath = tmp_path / "manifest.json"
    manifest = json.loads(mpath.read_text())
    manifest["schema_version"] = SCHEMA_VERSION + 1
    mpath.write_text(json.dumps(manifest))
    with pytest.raises(StoreError, match=r"schema version 2, newer than this eventmap understands \(1\)"):
        Store(tmp_path)
    err = pytest.raises(EventmapError, Store, tmp_path)
    assert isinstance(err.value, OSError)


def test_corrupt_manifest_is_reported(tmp_path: Path) -> None:
    Store(tmp_path).ingest(frames(3))
    (tmp_path / "manifest.json").write_text('{"format": "eventmap-store", "sche')
    with pytest.raises(StoreError, match=r"manifest.json is not valid JSON"):
        Store(tmp_path)


def test_missing_part_is_reported_by_name(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.ingest(frames(5, seed=1))
    store.ingest(frames(5, seed=2))
    entry = store.batches[1]["parts"]["mentions"]
    (tmp_path / entry["file"]).unlink()
    fresh = Store(tmp_path)
    with pytest.raises(StoreError, match=f"{entry['file']}.*missing"):
        fresh.mentions
    report = fresh.check()
    assert not report.ok
    assert any(entry["file"] in p and "missing" in p for p in report.problems)
    with pytest.raises(StoreError, match=entry["file"]):
        report.raise_for_problems()


def test_corrupt_part_is_reported_by_name(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.ingest(frames(5))
    entry = store.batches[0]["parts"]["articles"]
    path = tmp_path / entry["file"]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=f"{entry['file']} is corrupt"):
        Store(tmp_path).articles
    assert any(entry["file"] in p for p in Store(tmp_path).check().problems)
    with pytest.raises(StoreError, match=f"{entry['file']} is corrupt"):
        list(Store(tmp_path).iter_layer("articles"))
    out = tmp_path / "out.geojson"
    with pytest.raises(StoreError, match=f"{entry['file']} is corrupt"):
        Store(tmp_path).export(out, layer="articles")
    assert not out.exists() and not list(tmp_path.glob(".out*"))


def test_orphan_parts_are_noted_then_removed(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.ingest(frames(4, seed=1))
    orphan = tmp_path / "parts" / "000009-deadbeef-mentions.parquet"
    orphan.write_bytes(b"half written")
    report = store.check()
    assert report.ok and any("unreferenced" in n for n in report.notes)
    store.ingest(frames(4, seed=2))
    assert not orphan.exists()
    assert len(store.articles) == 8


def test_concurrent_writers_are_serialised(tmp_path: Path) -> None:
    inputs = [frames(6, seed=s) for s in range(6)]
    errors: list[BaseException] = []

    def run(r: SimpleNamespace) -> None:
        try:
            Store(tmp_path).ingest(r)
        except BaseException as err:  # noqa: BLE001
            errors.append(err)

    threads = [threading.Thread(target=run, args=(r,)) for r in inputs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    store = Store(tmp_path)
    assert len(store.batches) == 6
    assert len(store.articles) == 36
    assert len(store.mentions) == sum(len(r.mentions) for r in inputs)
    assert store.check().ok


def test_missing_columns_are_refused(tmp_path: Path) -> None:
    r = frames(3)
    with pytest.raises(StoreError, match="columns missing.*confidence"):
        Store(tmp_path).ingest(SimpleNamespace(articles=r.articles, mentions=r.mentions.drop(columns="confidence")))
    assert not (tmp_path / "manifest.json").exists()


def test_ingest_raw_inputs_through_the_pipeline(tmp_path: Path) -> None:
    """Store.ingest also takes what geo.parse takes, and reports what the parser skipped."""
    store = Store(tmp_path / "s")
    missing = tmp_path / "missing.jsonl"
    rep = store.ingest([{"id": "r1", "title": "Ferries", "text": "Ferries left Busan for Fukuoka at dawn."},
                        missing])
    assert rep.added == 1 and rep.batch == 1
    assert len(rep.skipped) == 1 and "missing.jsonl" in str(rep.skipped[0])
    assert list(store.articles["article_id"]) == ["r1"]
    assert {"Busan", "Fukuoka"} <= set(store.mentions["text"])
    again = store.ingest([{"id": "r1", "title": "Ferries", "text": "Ferries left Busan for Fukuoka at dawn."}])
    assert (again.added, again.unchanged, again.batch) == (0, 1, None)
