"""GeoJSON Features carry a stable, meaningful ``id`` (RFC 7946 section 3.2), on every export path:
a frame written whole (``eventmap parse -o x.geojson``), chunks, and the store's streamed Arrow tables."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geojson_validator
import geopandas as gpd
import pyogrio
import pytest
from click.testing import CliRunner

import geo
from geo.articles import article_id
from geo.cli import main
from geo.export import feature_ids, write
from geo.store import Store

# invented articles: one with a given id holding the characters the mention id uses, one without
# an id (its id comes from its content), one mentioning a place twice
GIVEN_ID = "desk:7#b"
RECORDS = [
    {"id": GIVEN_ID, "title": "River flood", "date": "2024-05-06T07:08:09Z",
     "text": "Flood waters rose in Lyon on Monday; officials in Marseille sent help to southern France."},
    {"title": "Trade fair", "url": "https://news.example/fair", "date": "2024-05-07",
     "text": "A trade fair opened in Munich, and exhibitors from Vienna and Munich signed deals."},
]
DERIVED_ID = article_id(RECORDS[1]["text"], url=RECORDS[1]["url"])


def _write_input(path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    return path


def features(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".geojson":
        doc = json.loads(text)
        assert geojson_validator.validate_structure(doc, check_crs=True) == {}
        return doc["features"]
    return [json.loads(line) for line in text.splitlines() if line]


def expected_ids(frame: gpd.GeoDataFrame, layer: str) -> list[str]:
    """The ids as defined, computed here from the frame's columns."""
    if layer == "mentions":
        return [f"{a}#{s}:{e}" for a, s, e in zip(frame["article_id"], frame["start"], frame["end"])]
    return [str(v) for v in frame["place_id" if layer == "places" else "article_id"]]


@pytest.fixture(scope="module")
def parsed(tmp_path_factory):
    res = geo.parse(_write_input(tmp_path_factory.mktemp("ids-input") / "in.jsonl"))
    assert set(res.articles["article_id"]) == {GIVEN_ID, DERIVED_ID}
    assert len(res.mentions) >= 5 and len(res.places) >= 4
    return res


@pytest.fixture(scope="module")
def store(parsed, tmp_path_factory) -> Store:
    s = Store(tmp_path_factory.mktemp("ids-store"))
    s.ingest(parsed)
    return Store(s.path)


def test_mention_ids_point_at_the_mention(parsed) -> None:
    ids = feature_ids(parsed.mentions, "mentions")
    texts = dict(zip(parsed.articles["article_id"], parsed.articles["text"]))
    for fid, mention in zip(ids, parsed.mentions.itertuples()):
        art, span = fid.rsplit("#", 1)  # read from the right: article ids may hold '#' and ':'
        start, end = map(int, span.split(":"))
        assert art == mention.article_id
        assert texts[art][start:end] == mention.text
    assert ids.is_unique


@pytest.mark.parametrize("layer", ["mentions", "articles", "places"])
@pytest.mark.parametrize("ext", ["geojson", "jsonl"])
def test_frame_and_streamed_exports_carry_the_defined_ids(parsed, store: Store, tmp_path: Path, layer: str,
                                                          ext: str) -> None:
    frame = getattr(parsed, layer)
    framed, streamed, chunked = tmp_path / f"f.{ext}", tmp_path / f"s.{ext}", tmp_path / f"c.{ext}"
    arts = parsed.articles if layer == "mentions" else None
    write(frame, framed, layer=layer, articles=arts)
    write((frame.iloc[i:i + 2] for i in range(0, len(frame), 2)), chunked, layer=layer, articles=arts)
    store.export(streamed, layer=layer)  # Arrow tables from the store's parts (places: from the frame)
    want = expected_ids(frame, layer)
    assert len(set(want)) == len(want)
    for path in (framed, chunked, streamed):
        feats = features(path)
        got = [f["id"] for f in feats]
        assert all(isinstance(i, str) for i in got)
        assert "id" not in feats[0]["properties"]  # at Feature level, as RFC 7946 puts it
        assert sorted(got) == sorted(want), path.name
        # each id names its own row
        key = {"mentions": lambda p: f"{p['article_id']}#", "articles": lambda p: p["article_id"],
               "places": lambda p: p["place_id"]}[layer]
        assert all(f["id"].startswith(key(f["properties"])) for f in feats)
    assert framed.read_bytes() == chunked.read_bytes()


@pytest.mark.parametrize("layer", ["mentions", "articles", "places"])
def test_gdal_reads_the_ids(parsed, store: Store, tmp_path: Path, layer: str) -> None:
    """GDAL (pyogrio) and geopandas see the Feature id as a string field next to the properties."""
    out = tmp_path / f"{layer}.geojson"
    store.export(out, layer=layer)
    want = sorted(expected_ids(getattr(parsed, layer), layer))
    back = pyogrio.read_dataframe(out)
    assert sorted(back["id"].astype(str)) == want
    assert sorted(gpd.read_file(out)["id"].astype(str)) == want
    seq = tmp_path / f"{layer}.geojsonl"
    store.export(seq, layer=layer)
    assert sorted(pyogrio.read_dataframe(seq, driver="GeoJSONSeq")["id"].astype(str)) == want


def test_parse_command_ids_are_stable_across_runs(parsed, tmp_path: Path) -> None:
    """`eventmap parse -o x.geojson` twice, in this process and in a fresh one: same ids, same bytes."""
    src = _write_input(tmp_path / "in.jsonl")
    first, second = tmp_path / "one.geojson", tmp_path / "two.geojson"
    r = CliRunner().invoke(main, ["parse", str(src), "-o", str(first)])
    assert r.exit_code == 0, r.output
    subprocess.run([sys.executable, "-m", "geo", "parse", str(src), "-o", str(second)], check=True,
                   capture_output=True, timeout=300)
    one, two = features(first), features(second)
    ids = [f["id"] for f in one]
    assert ids == [f["id"] for f in two] and len(set(ids)) == len(ids)
    assert first.read_bytes() == second.read_bytes()
    assert {i.rsplit("#", 1)[0] for i in ids} == {GIVEN_ID, DERIVED_ID}
    assert ids == expected_ids(parsed.mentions, "mentions")  # the same input parsed by the library


def test_rows_missing_an_id_part_get_no_id_member(tmp_path: Path) -> None:
    """RFC 7946 allows only a string or a number as id: a missing one is left out, not written as null."""
    import shapely

    frame = gpd.GeoDataFrame({"article_id": ["a1", None], "title": ["x", "y"]},
                             geometry=[shapely.Point(1, 2), shapely.Point(3, 4)], crs=4326)
    out = tmp_path / "a.geojson"
    write(frame, out, layer="articles")
    feats = features(out)
    assert feats[0]["id"] == "a1" and "id" not in feats[1]
    # frames without the id columns (any other table) get no ids
    write(frame.drop(columns="article_id"), out, layer="articles")
    assert all("id" not in f for f in features(out))
    write(frame, out)  # no layer: plain features
    assert all("id" not in f for f in features(out))
