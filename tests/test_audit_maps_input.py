"""Bad coordinates in frames handed to a map: the message shows the value as the user wrote it."""
from __future__ import annotations

import pandas as pd
import pytest

import maps
from maps import MapInputError


def _mentions(lat, lon):
    return pd.DataFrame({"place_id": ["p1"], "article_id": ["a1"], "name": ["Somewhere"], "lat": [lat], "lon": [lon]})


@pytest.mark.parametrize("lat, lon, shown", [(95.0, 200.0, "got 95.0"), (10.0, 181.5, "got 181.5"),
                                             ("north", 3.0, "'north'")])
def test_bad_value_shown_plainly(lat, lon, shown):
    with pytest.raises(MapInputError) as err:
        maps.event_map(_mentions(lat, lon), footprint_of=False)
    assert shown in str(err.value) and "np." not in str(err.value), str(err.value)
    assert "'p1'" in str(err.value) and "'a1'" in str(err.value)


def test_missing_coordinates_said_so():
    with pytest.raises(MapInputError, match=r"place 'p1' \(mention 0 of article 'a1'\) has no coordinates") as err:
        maps.event_map(_mentions(None, None), footprint_of=False)
    assert "nan" not in str(err.value)


@pytest.mark.parametrize("ext", ["geojson", "parquet"])
def test_exported_mentions_alone_keep_titles_and_links(tmp_path, ext):
    """A mentions export carries each article's title and url: a map drawn from it alone lists the
    titles and links the http(s) urls (an articles frame is not needed for that)."""
    import json
    import re

    from click.testing import CliRunner

    from geo.cli import main
    from geo.export import write

    from maps_fixtures import sample_frames

    articles, mentions, _ = sample_frames()
    articles.loc[articles.article_id == "a2", "url"] = "javascript:alert(1)"
    src = tmp_path / f"m.{ext}"
    write(mentions, src, layer="mentions", articles=articles)
    out = tmp_path / "map.html"
    r = CliRunner().invoke(main, ["map", str(src), "-o", str(out), "--layers", "places"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    data = json.loads(re.search(r"var event_data_[0-9a-f]+ = (\{.*?\});\n", out.read_text()).group(1))
    rows = {a[0]: (a[1], a[2]) for a in data["articles"]}
    assert rows == {"a1": ("Ships leave Busan", "https://news.example.com/ships"),
                    "a2": ("Talks end in Tokyo", None),  # a javascript: url is never a link
                    "a3": ("Air defence request", "http://news.example.com/defence"),
                    "a4": ("Boats return", None)}


@pytest.mark.parametrize("features, shown", [
    ([1, "x"], "feature 0: not a Feature object (got int)"),
    ([{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}, "properties": {"place_id": "ok"}},
      {"type": "Feature", "geometry": {"type": "Point", "coordinates": ["a", "b"]}, "properties": {}}], "feature 1:"),
    ([{"type": "Feature", "geometry": {"type": "Blob", "coordinates": [1, 2]}, "properties": {}}], "feature 0:"),
    ([{"type": "Feature", "geometry": {"type": "Point"}, "properties": None}], "feature 0:"),
])
def test_malformed_geojson_features_are_a_map_input_error(features, shown):
    with pytest.raises(MapInputError, match="GeoJSON") as err:
        maps.event_map({"type": "FeatureCollection", "features": features}, footprint_of=False)
    assert shown in str(err.value), str(err.value)


def test_geodataframes_in_another_crs_or_geometry_column_are_drawn_in_place():
    """A GeoDataFrame in Web Mercator, or with its geometry column named "geom", is drawn where it is."""
    import json
    import re

    from maps_fixtures import sample_frames

    articles, mentions, _ = sample_frames()

    def places(m):
        raw = m.get_root().render()
        data = json.loads(re.search(r"var event_data_[0-9a-f]+ = (\{.*?\});\n", raw).group(1))
        return {p[0]: (p[1], p[2]) for p in data["places"]}, {f[2]: (f[0], f[1]) for f in data["focus"]}

    want = places(maps.event_map((articles, mentions), footprint_of=False))
    variants = [
        (articles.to_crs(3857), mentions.drop(columns=["lat", "lon"]).to_crs(3857)),
        (articles.rename_geometry("geom"), mentions.drop(columns=["lat", "lon"]).rename_geometry("geom")),
    ]
    for arts, ments in variants:
        got = places(maps.event_map((arts, ments), footprint_of=False))
        for have, expect in zip(got, want):
            assert have.keys() == expect.keys()
            for k in expect:
                assert have[k] == pytest.approx(expect[k], abs=1e-6), k
