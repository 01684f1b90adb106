"""Queries: every filter, their combinations, group-by, and clear errors for bad queries."""
from __future__ import annotations

import collections
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo._synthetic import synthetic_results
from geo.errors import QueryError
from geo.frames import build_frames
from geo.query import group_by, haversine_km, parse_bbox, parse_radius, query
from geo.store import Store
from gazetteer import Place
from geo.articles import Article
from geo.resolve import ArticleResult, Mention


def _place(i: int, name: str, lat: float, lon: float, cc: str | None, fclass: str = "P", admin1: str = "01") -> Place:
    return Place(id=f"t:{i}", name=name, fclass=fclass, fcode="PPL", country_code=cc, admin1=admin1, admin2=None,
                 population=1000 * i, lat=lat, lon=lon)


# invented places at general-knowledge spots
PLACES = {
    "seoulish": _place(1, "Seoulish", 37.57, 126.98, "KR", admin1="11"),
    "busanish": _place(2, "Busanish", 35.18, 129.08, "KR", admin1="10"),
    "pyongish": _place(3, "Pyongish", 39.03, 125.75, "KP"),
    "tokyoish": _place(4, "Tokyoish", 35.68, 139.69, "JP"),
    "fijiish": _place(5, "Fijiish", -17.8, 179.9, "FJ"),
    "samoaish": _place(6, "Samoaish", -13.8, -179.9, "WS", fclass="A"),
    "poleish": _place(7, "Poleish", 89.9, 10.0, None, fclass="L"),
}


def _article(aid: str, text: str, date: str, names: list[str], *, title: str = "T",
             metonymic: tuple[str, ...] = (), conf: float = 0.9, kind: str = "place") -> ArticleResult:
    mentions = []
    for name in names:
        p = PLACES[name]
        start = text.index(p.name)
        mentions.append(Mention(start, start + len(p.name), p.name, kind, p, conf, None, 0.0, name in metonymic))
    return ArticleResult(Article(id=aid, text=text, title=title, url=f"https://x.example/{aid}", date=date),
                         mentions, [])


@pytest.fixture(scope="module")
def frames():
    results = [
        _article("a1", "Talks in Seoulish and Busanish about the Harbour Plan.", "2024-03-01T10:00:00Z",
                 ["seoulish", "busanish"], title="Harbour talks"),
        _article("a2", "Pyongish said the test was routine; Seoulish disagreed.", "2024-03-02T23:30:00Z",
                 ["pyongish", "seoulish"], metonymic=("pyongish", "seoulish"), conf=0.5),
        _article("a3", "A storm passed Fijiish and Samoaish overnight.", "2024-03-09T02:00:00+09:00",
                 ["fijiish", "samoaish"], title="Storm"),
        _article("a4", "Tokyoish markets rose. Researchers near Poleish reported ice loss.", "2024-04-15",
                 ["tokyoish", "poleish"], conf=0.3),
        _article("a5", "Tokyoish residents were described as Tokyoish people", "2024-04-16",
                 ["tokyoish"], kind="demonym", conf=0.95),
    ]
    a, m, p = build_frames(results)
    return a, m


def names(df: pd.DataFrame) -> list[str]:
    return sorted(df["name"])


def test_no_filter_is_everything(frames) -> None:
    a, m = frames
    assert len(query(m, a)) == len(m) == 9


def test_region_with_injected_resolver(frames) -> None:
    a, m = frames
    korea = shapely.box(124, 33, 131, 43)
    assert names(query(m, a, region="Korean Peninsula", region_resolver={"Korean Peninsula": korea})) == \
        ["Busanish", "Pyongish", "Seoulish", "Seoulish"]
    # case-insensitive names, and plain callables
    assert names(query(m, a, region="korean peninsula", region_resolver={"Korean Peninsula": korea})) == \
        ["Busanish", "Pyongish", "Seoulish", "Seoulish"]
    assert len(query(m, a, region="x", region_resolver=lambda name: korea)) == 4


def test_region_crossing_antimeridian(frames) -> None:
    a, m = frames
    pacific = shapely.MultiPolygon([shapely.box(175, -25, 180, -10), shapely.box(-180, -25, -175, -10)])
    assert names(query(m, a, region="Pacific", region_resolver={"Pacific": pacific})) == ["Fijiish", "Samoaish"]


def test_unknown_region_suggests(frames) -> None:
    a, m = frames
    regions = {"Korean Peninsula": shapely.box(124, 33, 131, 43), "Middle East": shapely.box(30, 12, 60, 40)}
    with pytest.raises(QueryError, match=r"unknown region 'Korean Peninsla'; did you mean 'Korean Peninsula'"):
        query(m, a, region="Korean Peninsla", region_resolver=regions)
    with pytest.raises(QueryError, match=r"unknown region 'Atlantis'$"):
        query(m, a, region="Atlantis", region_resolver=lambda n: None)
    err = pytest.raises(ValueError, query, m, a, region="Atlantis", region_resolver=regions)
    assert "did you mean" not in str(err.value)


def test_within_files(frames, tmp_path: Path) -> None:
    a, m = frames
    poly = gpd.GeoDataFrame({"name": ["korea"]}, geometry=[shapely.box(124, 33, 131, 43)], crs="EPSG:4326")
    poly.to_file(tmp_path / "korea.geojson", driver="GeoJSON", engine="pyogrio")
    assert names(query(m, a, within=tmp_path / "korea.geojson")) == ["Busanish", "Pyongish", "Seoulish", "Seoulish"]
    # a GeoPackage in Web Mercator is reprojected first
    poly.to_crs("EPSG:3857").to_file(tmp_path / "korea.gpkg", driver="GPKG", engine="pyogrio")
    assert names(query(m, a, within=str(tmp_path / "korea.gpkg"))) == ["Busanish", "Pyongish", "Seoulish", "Seoulish"]
    # a geometry, and anything with __geo_interface__
    assert len(query(m, a, within=shapely.box(139, 35, 140, 36))) == 2
    assert len(query(m, a, within=SimpleNamespace(__geo_interface__=shapely.box(139, 35, 140, 36).__geo_interface__))) == 2


def test_within_bad_files(frames, tmp_path: Path) -> None:
    a, m = frames
    with pytest.raises(QueryError, match="does not exist"):
        query(m, a, within=tmp_path / "missing.geojson")
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json")
    with pytest.raises(QueryError, match=r"cannot read polygon file .*bad\.geojson"):
        query(m, a, within=bad)
    pts = tmp_path / "points.geojson"
    gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs=4326).to_file(pts, driver="GeoJSON", engine="pyogrio")
    with pytest.raises(QueryError, match="must hold polygons"):
        query(m, a, within=pts)


def test_bbox(frames) -> None:
    a, m = frames
    assert names(query(m, a, bbox="125,35,130,38")) == ["Busanish", "Seoulish", "Seoulish"]
    assert names(query(m, a, bbox=(125, 35, 130, 38))) == ["Busanish", "Seoulish", "Seoulish"]
    # W > E crosses the antimeridian
    assert names(query(m, a, bbox="179,-20,-179,-10")) == ["Fijiish", "Samoaish"]
    assert names(query(m, a, bbox="-179,-20,179,-10")) == []  # the other way round: no points there
    assert names(query(m, a, bbox="-180,80,180,90")) == ["Poleish"]


@pytest.mark.parametrize("bbox, message", [
    ("1,2,3", "four numbers"),
    ("a,2,3,4", "west must be a number"),
    ("0,10,5,5", r"south \(10\) is north of north \(5\)"),
    ("0,-91,5,5", r"south latitude must be within \[-90, 90\], got -91"),
    ("0,0,181,5", "east longitude must be within"),
    ("0,0,nan,5", "must be finite"),
])
def test_bad_bbox(frames, bbox, message) -> None:
    a, m = frames
    with pytest.raises(QueryError, match=message):
        query(m, a, bbox=bbox)


def test_near(frames) -> None:
    a, m = frames
    # Seoulish-Busanish is about 325 km
    d = haversine_km(37.57, 126.98, 35.18, 129.08)
    assert 300 < d < 350
    assert names(query(m, a, near="37.57,126.98", radius_km=150)) == ["Seoulish", "Seoulish"]
    assert names(query(m, a, near="37.57,126.98", radius_km=300)) == ["Pyongish", "Seoulish", "Seoulish"]
    assert names(query(m, a, near=(37.57, 126.98), radius_km="350km")) == ["Busanish", "Pyongish", "Seoulish", "Seoulish"]
    assert names(query(m, a, near=shapely.Point(126.98, 37.57), radius_km="210mi")) == \
        ["Busanish", "Pyongish", "Seoulish", "Seoulish"]
    # across the antimeridian: Fijiish and Samoaish are ~470 km apart
    assert names(query(m, a, near="-17.8,179.9", radius_km=500)) == ["Fijiish", "Samoaish"]
    # near the pole every longitude is close
    assert names(query(m, a, near="90,-170", radius_km=20)) == ["Poleish"]
    # by place name, through an injected resolver
    assert names(query(m, a, near="Tokyo", radius_km=1, place_resolver=lambda n: (35.68, 139.69))) == \
        ["Tokyoish", "Tokyoish"]


@pytest.mark.parametrize("kwargs, message", [
    ({"near": "37,127", "radius_km": -5}, "must not be negative"),
    ({"near": "37,127", "radius_km": "5 parsecs"}, "unknown radius unit 'parsecs'"),
    ({"near": "37,127", "radius_km": "far"}, "radius must be a number with a unit"),
    ({"near": "37,127"}, "near and radius go together"),
    ({"radius_km": 5}, "near and radius go together"),
    ({"near": "127,37", "radius_km": 5}, r"near latitude must be within \[-90, 90\], got 127"),
    ({"near": "Atlantis", "radius_km": 5, "place_resolver": lambda n: (_ for _ in ()).throw(KeyError(n))},
     "unknown place 'Atlantis'"),
])
def test_bad_near(frames, kwargs, message) -> None:
    a, m = frames
    with pytest.raises(QueryError, match=message):
        query(m, a, **kwargs)


def test_radius_units() -> None:
    assert parse_radius("50km") == 50
    assert parse_radius("500 m") == pytest.approx(0.5)
    assert parse_radius("10mi") == pytest.approx(16.09344)
    assert parse_radius("1 nm") == pytest.approx(1.852)
    assert parse_radius(3) == 3.0
    assert parse_bbox(" 170, -20, -170, 20 ") == (170, -20, -170, 20)


def test_dates(frames) -> None:
    a, m = frames
    assert sorted(set(query(m, a, since="2024-03-02", until="2024-03-02")["article_id"])) == ["a2"]
    # a3 is 2024-03-09T02:00+09:00 = 2024-03-08T17:00Z
    assert sorted(set(query(m, a, until="2024-03-08")["article_id"])) == ["a1", "a2", "a3"]
    assert sorted(set(query(m, a, since="2024-03-08T18:00Z")["article_id"])) == ["a4", "a5"]
    assert sorted(set(query(m, a, since=pd.Timestamp("2024-04-16").date())["article_id"])) == ["a5"]
    with pytest.raises(QueryError, match="since .* is after until"):
        query(m, a, since="2024-05-01", until="2024-04-01")
    with pytest.raises(QueryError, match="since must be a date"):
        query(m, a, since="last tuesday")


def test_text(frames) -> None:
    a, m = frames
    assert sorted(set(query(m, a, text="STORM")["article_id"])) == ["a3"]
    assert sorted(set(query(m, a, text="harbour talks")["article_id"])) == ["a1"]
    assert sorted(set(query(m, a, text='"harbour plan"')["article_id"])) == ["a1"]
    assert sorted(set(query(m, a, text='"plan harbour"')["article_id"])) == []
    assert sorted(set(query(m, a, text="Tokyoish")["article_id"])) == ["a4", "a5"]
    assert query(m, a, text="Tokyo").empty  # whole words only
    with pytest.raises(QueryError, match="needs the articles frame"):
        query(m, None, text="storm")
    with pytest.raises(QueryError, match="empty"):
        query(m, a, text="  ")


def test_attribute_filters(frames) -> None:
    a, m = frames
    assert names(query(m, a, country="kr")) == ["Busanish", "Seoulish", "Seoulish"]
    assert names(query(m, a, country="KP,JP")) == ["Pyongish", "Tokyoish", "Tokyoish"]
    assert names(query(m, a, country="Japan")) == ["Tokyoish", "Tokyoish"]
    with pytest.raises(QueryError, match="unknown country 'Japn'.*did you mean 'Japan'"):
        query(m, a, country="Japn")
    assert names(query(m, a, feature_class="a")) == ["Samoaish"]
    assert names(query(m, a, feature_class=["L", "A"])) == ["Poleish", "Samoaish"]
    with pytest.raises(QueryError, match="feature class"):
        query(m, a, feature_class="Q")
    assert names(query(m, a, kind="demonym")) == ["Tokyoish"]
    with pytest.raises(QueryError, match="kind must be one of"):
        query(m, a, kind="person")
    assert names(query(m, a, min_confidence=0.9)) == ["Busanish", "Fijiish", "Samoaish", "Seoulish", "Tokyoish"]
    with pytest.raises(QueryError, match=r"min confidence must be within \[0, 1\]"):
        query(m, a, min_confidence=2)
    assert "Pyongish" not in names(query(m, a, exclude_metonymic=True))
    assert len(query(m, a, exclude_metonymic=True)) == 7


def test_combined_filters(frames) -> None:
    a, m = frames
    got = query(m, a, bbox="120,30,140,45", since="2024-03-02", exclude_metonymic=True, kind="place")
    assert names(got) == ["Tokyoish"]
    assert list(got["article_id"]) == ["a4"]


def _val(x):
    return None if pd.isna(x) else x


def test_group_by(frames) -> None:
    a, m = frames
    rows = list(m.itertuples())
    keys = {"country": (["country_code"], lambda r: (_val(r.country_code),)),
            "place": (["place_id"], lambda r: (_val(r.place_id),)),
            "admin1": (["country_code", "admin1"], lambda r: (_val(r.country_code), _val(r.admin1)))}
    for by, (cols, key) in keys.items():
        g = group_by(m, by)
        mentions = collections.Counter(key(r) for r in rows)
        arts = collections.defaultdict(set)
        for r in rows:
            arts[key(r)].add(r.article_id)
        assert g["n_mentions"].sum() == len(m)
        assert len(g) == len(mentions)
        assert list(g["n_mentions"]) == sorted(g["n_mentions"], reverse=True)
        for row in g.to_dict("records"):
            k = tuple(_val(row[c]) for c in cols)
            assert row["n_mentions"] == mentions[k], (by, k)
            assert row["n_articles"] == len(arts[k]), (by, k)
    places = group_by(m, "place")
    assert places.iloc[0]["name"] == "Seoulish" or places.iloc[0]["name"] == "Tokyoish"
    assert list(places.columns) == ["place_id", "name", "n_mentions", "n_articles"]
    days = group_by(m, "day").set_index("day")
    assert days.loc["2024-03-08", "n_mentions"] == 2  # a3 is on 2024-03-08 in UTC
    weeks = group_by(m, "week").set_index("week")
    assert weeks.loc["2024-02-26", "n_articles"] == 2  # a1 (Fri 1 Mar), a2 (Sat 2 Mar): week of Mon 26 Feb
    assert weeks.loc["2024-04-15", "n_articles"] == 2
    with pytest.raises(QueryError, match="group by must be one of"):
        group_by(m, "continent")


def test_store_query_delegates(tmp_path: Path) -> None:
    a, m, p = build_frames(synthetic_results(40, seed=11))
    store = Store(tmp_path)
    store.ingest(SimpleNamespace(articles=a, mentions=m))
    direct = query(m, a, bbox="-180,0,180,90", min_confidence=0.5)
    via = store.query(bbox="-180,0,180,90", min_confidence=0.5)
    assert sorted(zip(direct["article_id"], direct["mention_index"])) == \
        sorted(zip(via["article_id"], via["mention_index"]))
    g = store.group_by("country", bbox="-180,0,180,90", min_confidence=0.5)
    assert g["n_mentions"].sum() == len(direct)


def test_with_real_gazetteer(tmp_path: Path) -> None:
    gazetteer = pytest.importorskip("gazetteer")
    if not hasattr(gazetteer, "load"):
        pytest.skip("gazetteer.load not written yet")
    gaz = gazetteer.load()
    a, m = build_frames([
        _article("g1", "Seoulish Busanish Pyongish Tokyoish", "2024-01-01", ["seoulish", "busanish", "pyongish", "tokyoish"]),
    ])[:2]
    korea = query(m, a, region="South Korea", region_resolver=_resolver(gaz))
    assert names(korea) == ["Busanish", "Seoulish"]
    peninsula = query(m, a, region="Korean Peninsula", region_resolver=_resolver(gaz))
    assert names(peninsula) == ["Busanish", "Pyongish", "Seoulish"]
    with pytest.raises(QueryError, match="did you mean.*Korea"):
        query(m, a, region="South Korae", region_resolver=_resolver(gaz))
    with pytest.raises(QueryError, match="has no area in the gazetteer; use --near"):
        # a city: a point, not an area (Busan is also a first-level area, which has one)
        query(m, a, region="Suwon", region_resolver=_resolver(gaz))
    seoul = query(m, a, near="Seoul", radius_km=50, place_resolver=_places(gaz))
    assert names(seoul) == ["Seoulish"]


def _resolver(gaz):
    from geo._regions import GazetteerRegions

    return GazetteerRegions(gaz)


def _places(gaz):
    from geo._regions import GazetteerPlaces

    return GazetteerPlaces(gaz)
