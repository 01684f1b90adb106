"""The per-state/province choropleth ("admin1" layer): rendered HTML, injected and real footprints."""
from __future__ import annotations

import dataclasses
import json
import re

import pytest
import shapely
from click.testing import CliRunner

import maps
from geo.frames import build_frames

from maps_fixtures import BUSAN, SEOUL, TOKYO, result, sample_frames

HOSTILE = "<img src=x onerror=alert(1)>"

# Rough boxes (tests of drawing, not geography); ("KR", "26") has no mention in the sample.
AREAS = {
    ("KR", "10"): ("Busan", shapely.box(128.8, 34.9, 129.4, 35.4)),
    ("KR", "11"): ("Seoul", shapely.box(126.7, 37.4, 127.2, 37.7)),
    ("JP", "40"): (HOSTILE, shapely.box(139.0, 35.0, 140.0, 36.0)),
    ("KR", "26"): ("Daegu", shapely.box(128.4, 35.7, 128.8, 36.0)),
}


def render(m) -> str:
    return m.get_root().render()


def admin1_features(html: str) -> list[dict]:
    """The GeoJSON features of the admin1 layer, decoded from the page."""
    var = re.search(r'"Mentions per state/province" : (geo_json_[0-9a-f]+),', html)
    assert var, "no admin1 layer in the layer control"
    data = re.search(re.escape(var.group(1)) + r"_add\((\{.*?\})\);\n", html)
    assert data, "no admin1 data"
    return json.loads(data.group(1))["features"]


@pytest.fixture(scope="module")
def frames():
    return sample_frames()


@pytest.fixture(scope="module")
def calls():
    return []


@pytest.fixture(scope="module")
def admin1_html(frames, calls):
    def admin1_footprint(cc, code):
        calls.append((cc, code))
        return AREAS.get((cc, code))

    return render(maps.event_map(frames, layers=["places", "countries", "admin1"],
                                 admin1_footprint=admin1_footprint))


def test_layer_name_legend_and_off_by_default(admin1_html):
    assert '"Mentions per state/province" :' in admin1_html
    assert "mentions per state/province (1&ndash;3, log scale)" in admin1_html
    var = re.search(r'"Mentions per state/province" : (geo_json_[0-9a-f]+),', admin1_html).group(1)
    assert f"{var}.addTo(" not in admin1_html  # listed in the layer control, switched off
    # only the admin1 source was injected: the gazetteer is not consulted for countries
    assert "Mentions per country" not in admin1_html


def test_tooltips_count_mentions_per_area(admin1_html):
    tips = sorted(f["properties"]["area"] for f in admin1_features(admin1_html))
    # sample: Busan 3 mentions (KR 10), Seoul 2 (KR 11), Tokyo 1 (JP 40); the Pentagon's US/VA has no footprint
    assert tips == ["&lt;img src=x onerror=alert(1)&gt; (JP): 1 mention",
                    "Busan (KR): 3 mentions", "Seoul (KR): 2 mentions"]
    counts = {f["properties"]["area"].split(" ")[0]: f["properties"]["mentions"] for f in admin1_features(admin1_html)}
    assert counts["Busan"] == 3 and counts["Seoul"] == 2


def test_hostile_area_name_is_escaped(admin1_html):
    assert HOSTILE not in admin1_html
    assert "<img src=x" not in admin1_html
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt; (JP)" in admin1_html  # escaped, then JSON-encoded


def test_areas_without_mentions_are_absent(admin1_html, calls):
    areas = {f["properties"]["area"] for f in admin1_features(admin1_html)}
    assert not any("Daegu" in a for a in areas)
    # footprints are asked only for areas that are mentioned; country mentions (no admin1) count nowhere
    assert set(calls) == {("KR", "10"), ("KR", "11"), ("JP", "40"), ("US", "VA")}


def test_log_scale_colours(admin1_html):
    var = re.search(r'"Mentions per state/province" : (geo_json_[0-9a-f]+),', admin1_html).group(1)
    styler = admin1_html[admin1_html.index(f"function {var}_styler"):][:1500]
    colours = set(re.findall(r'"fillColor": "(#[0-9a-f]{6})', styler))
    assert len(colours) == 3  # 1, 2 and 3 mentions get three different colours


def test_geometries_are_simplified():
    ring = shapely.Point(129.0, 35.2).buffer(0.3, quad_segs=2000)  # 8000 vertices
    frames = build_frames([result("a", "Busan again.", [("Busan", BUSAN, 0.9)])])
    html = render(maps.event_map(frames, layers=["admin1"], admin1_footprint=lambda cc, code: ("Busan", ring)))
    (feat,) = admin1_features(html)
    n = len(feat["geometry"]["coordinates"][0])
    assert 4 <= n < 200, n
    # simplified within about the 0.01 degree tolerance, not replaced by something else
    assert shapely.hausdorff_distance(shapely.geometry.shape(feat["geometry"]), ring) <= 0.011


def test_bare_geometry_and_failing_source(caplog):
    frames = build_frames([result("a", "Seoul and Tokyo.", [("Seoul", SEOUL, 0.9), ("Tokyo", TOKYO, 0.9)])])

    def source(cc, code):
        if cc == "JP":
            raise RuntimeError("broken footprint store")
        return shapely.box(126.7, 37.4, 127.2, 37.7)  # a geometry alone: the code names the area

    (feat,) = admin1_features(render(maps.event_map(frames, layers=["admin1"], admin1_footprint=source)))
    assert feat["properties"]["area"] == "11 (KR): 1 mention"
    assert "broken footprint store" in caplog.text


def test_no_admin1_codes_no_layer():
    frames = build_frames([result("a", "Busan.", [("Busan", dataclasses.replace(BUSAN, admin1=None), 0.9)])])
    html = render(maps.event_map(frames, layers=["admin1"], admin1_footprint=lambda cc, code: AREAS[("KR", "10")]))
    assert "Mentions per state/province" not in html


def test_footprint_of_false_turns_admin1_off(frames):
    html = render(maps.event_map(frames, layers=["admin1"], footprint_of=False,
                                 admin1_footprint=lambda cc, code: AREAS.get((cc, code))))
    assert "Mentions per state/province" not in html


def _us_town(gaz, name, admin1):
    return next(m.place for m in gaz.lookup(name)
                if m.place.country_code == "US" and m.place.admin1 == admin1 and m.place.fclass == "P")


def test_real_gazetteer_texas_and_california(gazetteer_db):
    houston, sacramento = _us_town(gazetteer_db, "Houston", "TX"), _us_town(gazetteer_db, "Sacramento", "CA")
    texas = gazetteer_db.admin1("US", "TX")
    frames = build_frames([
        result("t", "Storms hit Houston and much of Texas.", [("Houston", houston, 0.9), ("Texas", texas, 0.9)]),
        result("c", "Lawmakers met in Sacramento.", [("Sacramento", sacramento, 0.9)]),
    ])
    html = render(maps.event_map(frames, layers=["places", "admin1"]))
    feats = {f["properties"]["area"]: f for f in admin1_features(html)}
    assert set(feats) == {"Texas (US): 2 mentions", "California (US): 1 mention"}
    for label, town in (("Texas (US): 2 mentions", houston), ("California (US): 1 mention", sacramento)):
        geom = shapely.geometry.shape(feats[label]["geometry"])
        assert geom.geom_type in ("Polygon", "MultiPolygon")
        assert geom.buffer(0.05).contains(shapely.Point(town.lon, town.lat)), label


def test_cli_layers_option_draws_admin1(tmp_path, frames, gazetteer_db):
    from geo.cli import main

    articles, mentions, _ = frames
    mentions.to_parquet(tmp_path / "mentions.parquet")
    out = tmp_path / "map.html"
    r = CliRunner().invoke(main, ["map", str(tmp_path / "mentions.parquet"), "-o", str(out),
                                  "--layers", "places,admin1"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    areas = {f["properties"]["area"] for f in admin1_features(html)}
    assert "Virginia (US): 1 mention" in areas  # the Pentagon
    assert "Mentions per country" not in html
    help_text = CliRunner().invoke(main, ["map", "--help"]).output
    assert "admin1" in help_text
