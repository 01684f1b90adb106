"""The frames' dtypes are the declared schema: from the pipeline, empty, and after a store round trip.

pandas 3 parses dates to microseconds; the schema (and every store ever written) says
nanoseconds, so frames must be converted, not left in whatever unit pandas chose.
"""
from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import geo
from geo.export import write
from geo.frames import (
    ARTICLE_COLUMNS,
    MENTION_COLUMNS,
    PLACE_COLUMNS,
    build_frames,
    empty_articles,
    empty_mentions,
    empty_places,
    parse_dates,
)
from geo.store import Store

SCHEMAS = {"articles": ARTICLE_COLUMNS, "mentions": MENTION_COLUMNS, "places": PLACE_COLUMNS}

# invented articles; the second has a date that pandas reads but nanoseconds cannot hold
ARTICLES = [
    {"id": "fs-1", "title": "Harbour storm", "date": "2024-05-06T07:08:09.123456Z",
     "text": "Flood waters rose in Lyon on Monday; officials in Marseille sent help to southern France."},
    {"id": "fs-2", "title": "Far future", "date": "2500-01-01",
     "text": "A trade fair opened in Munich, and exhibitors came from Vienna."},
    {"id": "fs-3", "title": "Undated", "text": "Rain is expected in Oslo."},
]


def assert_schema(frame: gpd.GeoDataFrame, layer: str) -> None:
    schema = SCHEMAS[layer]
    assert list(frame.columns) == [*schema, frame.geometry.name]
    got = {c: str(frame[c].dtype) for c in schema}
    assert got == schema, f"{layer}: {got}"
    assert all(frame[c].dtype == pd.api.types.pandas_dtype(t) for c, t in schema.items())


@pytest.fixture(scope="module")
def parsed():
    return geo.parse(ARTICLES)


@pytest.fixture(scope="module")
def store_dir(parsed, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("schema-store")
    Store(path).ingest(parsed)
    return path


@pytest.mark.parametrize("layer", ["articles", "mentions", "places"])
def test_parse_frames_have_the_declared_dtypes(parsed, layer: str) -> None:
    frame = getattr(parsed, layer)
    assert len(frame) > 0
    assert_schema(frame, layer)


def test_parse_dates_keep_their_value_in_the_declared_unit(parsed) -> None:
    dates = parsed.articles.set_index("article_id")["date"]
    assert dates["fs-1"] == pd.Timestamp("2024-05-06T07:08:09.123456Z")  # sub-second part kept
    assert pd.isna(dates["fs-2"]) and pd.isna(dates["fs-3"])  # 2500 does not fit in ns: empty, not a crash
    m = parsed.mentions
    assert (m.loc[m["article_id"] == "fs-1", "date"] == dates["fs-1"]).all()


@pytest.mark.parametrize("layer", ["articles", "mentions", "places"])
def test_store_round_trip_keeps_the_declared_dtypes(store_dir: Path, parsed, layer: str) -> None:
    store = Store(store_dir)  # a fresh handle: read from the parquet parts
    frame = getattr(store, layer)
    assert_schema(frame, layer)
    assert len(frame) == len(getattr(parsed, layer))
    if layer != "places":
        # same dates, to the microsecond, in the same order of ids
        key = "article_id" if layer == "articles" else ["article_id", "mention_index"]
        ref = getattr(parsed, layer).sort_values(key)["date"].reset_index(drop=True)
        got = frame.sort_values(key)["date"].reset_index(drop=True)
        pd.testing.assert_series_equal(got, ref)


def test_store_parts_and_exports_hold_nanoseconds(store_dir: Path, parsed, tmp_path: Path) -> None:
    for part in sorted((store_dir / "parts").glob("*.parquet")):
        assert pq.read_schema(part).field("date").type == pa.timestamp("ns", tz="UTC"), part.name
    # GeoParquet export, streamed from the store (Arrow) and written from the frame, read back
    store = Store(store_dir)
    streamed, framed = tmp_path / "s.parquet", tmp_path / "f.parquet"
    store.export(streamed, layer="mentions")
    write(parsed.mentions, framed, layer="mentions", articles=parsed.articles)
    for path in (streamed, framed):
        back = gpd.read_parquet(path)
        assert str(back["date"].dtype) == MENTION_COLUMNS["date"], path.name
        assert back["date"].dropna().tolist() == parsed.mentions["date"].dropna().tolist()


def test_frames_of_microsecond_input_are_converted(tmp_path: Path) -> None:
    """Frames built elsewhere with pandas' default unit (us) are stored and read back in ns."""
    from geo._synthetic import synthetic_results

    a, m, _ = build_frames(synthetic_results(5, seed=3))
    a_us = a.assign(date=a["date"].astype("datetime64[us, UTC]"))
    m_us = m.assign(date=m["date"].astype("datetime64[us, UTC]"))
    s = Store(tmp_path / "us")
    s.ingest(SimpleNamespace(articles=a_us, mentions=m_us))
    back = Store(tmp_path / "us")
    assert_schema(back.articles, "articles")
    assert_schema(back.mentions, "mentions")
    assert back.articles.set_index("article_id")["date"].sort_index().tolist() == \
        a.set_index("article_id")["date"].sort_index().tolist()


def test_empty_frames_have_the_declared_dtypes() -> None:
    assert_schema(empty_articles(), "articles")
    assert_schema(empty_mentions(), "mentions")
    assert_schema(empty_places(), "places")
    a, m, p = build_frames([])
    assert_schema(a, "articles")
    assert_schema(m, "mentions")
    assert_schema(p, "places")


def test_out_of_range_dates_are_empty_with_one_warning(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="geo.frames"):
        got = parse_dates(["0001-01-01", "2024-02-29T12:00:00Z", "9999-12-31", "1677-09-22"],
                          ["f.jsonl:1", "f.jsonl:2", "f.jsonl:3", "f.jsonl:4"])
    assert str(got.dtype) == ARTICLE_COLUMNS["date"]
    assert got.isna().tolist() == [True, False, True, False]
    assert got.iloc[3] == pd.Timestamp("1677-09-22T00:00Z")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [("2 article date(s) outside 1677-09-21..2262-04-11 (e.g. '0001-01-01' in f.jsonl:1); "
                         "left empty")]
