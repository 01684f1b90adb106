"""HTML-level tests of maps: render the folium map and assert on normalised snippets."""
from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import maps
from geo.frames import build_frames
from maps.html import escape_html, json_for_script, safe_url
from maps.pages import article_page_html, page_name

from maps_fixtures import BUSAN, country_footprint, footprint_of, result, sample_frames


def normalize(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def render(m) -> str:
    return normalize(m.get_root().render())


def payload(m) -> dict:
    """The EventData JSON blob of a rendered map."""
    html = m.get_root().render()
    found = re.search(r"var event_data_[0-9a-f]+ = (\{.*?\});\n", html)
    assert found, "no event data in map"
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def frames():
    return sample_frames()


@pytest.fixture(scope="module")
def full_map(frames):
    return maps.event_map(frames, footprint_of=footprint_of, country_footprint=country_footprint,
                          articles_href="articles")


def test_layers_and_legend(full_map):
    html = render(full_map)
    for name in ("Places", "Article focus", "Mention heat map", "Mentions per country",
                 "Region footprints", "Mentions over time"):
        assert f'"{name}" :' in html, name
    assert "L.control.layers(" in html
    assert 'class="em-legend"' in html and "low confidence (&lt; 0.50)" in html
    assert "mentions per country (1&ndash;6, log scale)" in html and "linear-gradient(90deg,#ffffcc" in html
    assert "d3.min.js" not in html  # no branca colormap legend (it needs d3 from a CDN)
    assert "L.markerClusterGroup(" in html
    assert "leaflet.markercluster.js" in html and "leaflet.timedimension.min.js" in html


def test_one_marker_per_place_with_counts(full_map):
    data = payload(full_map)
    places = {p[0]: p for p in data["places"]}
    assert set(places) == {"gn:1838524", "gn:1835848", "gn:1850147", "em:korean-peninsula",
                           "em:pentagon", "gn:1835841"}
    busan = places["gn:1838524"]
    assert busan[3] == "Busan" and busan[4] == 2 and busan[5] == 3  # 2 articles, 3 mentions
    assert busan[1] == pytest.approx(35.1028) and busan[2] == pytest.approx(129.0403)
    # popup entries: most recent article first, sentence with the mention offsets
    entries = busan[10]
    titles = [data["articles"][e[0]][1] for e in entries]
    assert titles == ["Boats return", "Ships leave Busan"]
    text, hs, he = entries[1][2:5]
    assert text[hs:he] == "Busan" and text.startswith("Container ships left Busan")
    # popup links to the article page at the mention anchor
    art = data["articles"][entries[1][0]]
    assert art[5] == "articles/" + page_name("a1") and entries[1][1] == 0


def test_low_confidence_marked_and_filtered(frames):
    low = maps.event_map(frames, layers=["places"], low_confidence=0.5)
    busan = {p[0]: p for p in payload(low)["places"]}["gn:1838524"]
    assert busan[6] == 0  # best mention 0.95
    only_low = maps.event_map(build_frames([result("x", "Busan at night.", [("Busan", BUSAN, 0.2)])]),
                              layers=["places"])
    assert payload(only_low)["places"][0][6] == 1
    filtered = maps.event_map(frames, layers=["places"], min_confidence=0.75)
    places = {p[0]: p for p in payload(filtered)["places"]}
    assert "em:pentagon" not in places  # 0.7 < 0.75
    assert places["gn:1838524"][4] == 1  # the 0.3 Busan mention (article a4) is gone
    assert "gn:1835848" in places


def test_page_title(full_map):
    assert "<title>eventmap: 6 places in 4 articles</title>" in render(full_map)
    m = maps.event_map(build_frames([]), title="</title><script>alert(1)</script>{{7*7}}")
    assert "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;&#123;&#123;7*7&#125;&#125;</title>" in render(m)


def test_hash_handler_present(full_map):
    html = render(full_map)
    assert "eventmap.followHash(" in html
    assert 'addEventListener("hashchange"' in html
    assert "location.hash" in html


def test_fit_bounds(full_map):
    html = render(full_map)
    m = re.search(r"fitBounds\( \[\[([-\d.]+), ([-\d.]+)\], \[([-\d.]+), ([-\d.]+)\]\]", html)
    assert m, "no fitBounds"
    s, w, n, e = map(float, m.groups())
    assert s == pytest.approx(35.1028) and n == pytest.approx(38.8719)
    assert w == pytest.approx(-77.0563) and e == pytest.approx(139.6917)


def test_empty_frames_give_world_view():
    m = maps.event_map(build_frames([]))
    html = render(m)
    assert not re.search(r"\.fitBounds\( \[\[", html)
    assert re.search(r"center: \[20\.0, 0\.0\], crs: L\.CRS\.EPSG3857, \.\.\.\{ \"zoom\": 2,", html)
    assert payload(m)["places"] == []


def test_article_without_mentions_is_fine():
    m = maps.event_map(build_frames([result("x", "Nothing happened here.", [])]))
    assert payload(m)["places"] == []


@pytest.mark.parametrize("lat, lon, shown", [(95.0, 10.0, "95.0"), (10.0, -200.5, "-200.5"),
                                             (float("nan"), 10.0, "nan")])
def test_bad_coordinates_rejected_with_value(lat, lon, shown):
    df = pd.DataFrame({"article_id": ["a"], "place_id": ["p:1"], "name": ["X"], "lat": [lat], "lon": [lon]})
    with pytest.raises(maps.MapInputError, match=re.escape(shown)) as err:
        maps.event_map(df)
    assert "p:1" in str(err.value)


def test_unknown_input_type():
    with pytest.raises(maps.MapInputError, match="cannot map an object of type int"):
        maps.event_map(42)


def test_unknown_layer():
    with pytest.raises(maps.MapInputError, match="unknown layer"):
        maps.event_map(build_frames([]), layers=["places", "sparkles"])


def test_accepts_mentions_geodataframe_and_geo_interface(frames):
    _, mentions, _ = frames
    m1 = maps.event_map(mentions, layers=["places"])
    assert {p[0] for p in payload(m1)["places"]} >= {"gn:1838524", "gn:1850147"}
    fc = gpd.GeoDataFrame({"name": ["Alpha", "Beta", "Gamma"], "place_id": ["x:1", "x:2", "x:3"]},
                          geometry=[shapely.Point(10, 50), shapely.Point(20, -10), shapely.box(0, 0, 4, 2)],
                          crs="EPSG:4326")
    m2 = maps.event_map(fc.__geo_interface__ and type("G", (), {"__geo_interface__": fc.__geo_interface__})(),
                        layers=["places"])
    rows = {p[0]: p for p in payload(m2)["places"]}
    assert rows["x:1"][3] == "Alpha" and rows["x:1"][1] == pytest.approx(50) and rows["x:1"][2] == pytest.approx(10)
    assert shapely.box(0, 0, 4, 2).contains(shapely.Point(rows["x:3"][2], rows["x:3"][1]))  # an area: a point in it


def test_popup_cap_and_more(frames):
    text = "Rain fell in Busan."
    results = [result(f"r{i}", text, [("Busan", BUSAN, 0.9)], title=f"T{i}", date=f"2024-01-{i + 1:02d}")
               for i in range(25)]
    m = maps.event_map(build_frames(results), layers=["places"], max_popup_articles=20)
    busan = payload(m)["places"][0]
    assert len(busan[10]) == 20 and busan[11] == 5
    titles = [payload(m)["articles"][e[0]][1] for e in busan[10]]
    assert titles[0] == "T24" and titles[-1] == "T5"  # most recent first


HOSTILE_TITLE = '</script><script>window.__pwned=1</script>`${alert(1)}`\\"><img src=x onerror=alert(1)>\u2028'


def test_untrusted_text_cannot_break_out_of_script():
    r = result("evil</script>", "Busan is calm.", [("Busan", BUSAN, 0.9)], title=HOSTILE_TITLE,
               url="JaVaScRiPt:alert(1)", source="<b>src</b>", date="2024-01-01", focus=BUSAN)
    m = maps.event_map(build_frames([r]), articles_href="articles")
    raw = m.get_root().render()
    assert "<script>window.__pwned" not in raw
    assert "</script><script>" not in raw
    assert "<img src=x" not in raw
    assert "\u2028" not in raw
    assert "javascript:" not in raw.lower()
    data = payload(m)
    art = data["articles"][0]
    assert art[1] == HOSTILE_TITLE  # the text survives literally, as data
    assert art[2] is None  # javascript: URL never becomes a link
    assert art[5].startswith("articles/evil-script-") and art[5].endswith(".html")


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "java\nscript:alert(1)",
    "\x01javascript:alert(1)", "javascript&#58;alert(1)", "&#106;avascript:alert(1)", "jav&#x09;ascript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "DATA:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox(1)",
    "\u200bjavascript:alert(1)", "\u202ejavascript:alert(1)", "//evil.example.com/x", "/relative/path",
    "ftp://example.com/file", "http:/missing-host", "", None, 42,
])
def test_safe_url_rejects(url):
    assert safe_url(url) is None


@pytest.mark.parametrize("url, expected", [
    ("https://example.com/a?b=1&c=2", "https://example.com/a?b=1&c=2"),
    ("  HTTP://Example.com/x ", "HTTP://Example.com/x"),
    ("https://example.com/a b", "https://example.com/a%20b"),
])
def test_safe_url_accepts(url, expected):
    assert safe_url(url) == expected


def test_escape_html_neutralises_template_literal():
    s = escape_html('<a href="x">`${alert(1)}`\\</a>\'')
    assert s == "&lt;a href=&quot;x&quot;&gt;&#96;&#36;&#123;alert(1)&#125;&#96;&#92;&lt;/a&gt;&#x27;"
    assert escape_html(None) == "" and escape_html(float("nan")) == ""


@pytest.mark.parametrize("payload", ["{{7*7}}", "{% raw %}", "{# c", "{{ self.__init__.__globals__ }}",
                                     "{%- for x in range(3) %}X{% endfor %}"])
def test_template_code_in_data_is_not_run(payload):
    """branca renders every script twice through Jinja: data must not become template code."""
    r = result("j", f"Busan {payload}.", [("Busan", BUSAN, 0.9)], title=payload, source=payload)
    frames = build_frames([r])
    region = frames[1].assign(name=payload, footprint_id="fp", feature_code="RGN")
    m = maps.event_map((frames[0], region), footprint_of=lambda fid: shapely.box(128, 34, 130, 36),
                       layers=["places", "regions"])
    raw = m.get_root().render()
    data = payload_of(raw)
    assert data["articles"][0][1] == payload and data["places"][0][3] == payload
    assert escape_html(payload).replace("&", "\\u0026") in raw  # the region tooltip keeps it as text


def payload_of(html: str) -> dict:
    found = re.search(r"var event_data_[0-9a-f]+ = (\{.*?\});\n", html)
    return json.loads(found.group(1))


def test_json_for_script():
    s = json_for_script({"t": "</script><!-- & \u2028\u2029 {{x}} {%y%} {#z#}", "o": [{}, {"a": {}}]})
    assert "<" not in s and ">" not in s and "&" not in s and "\u2028" not in s and "\u2029" not in s
    assert "{{" not in s and "{%" not in s and "{#" not in s
    assert json.loads(s) == {"t": "</script><!-- & \u2028\u2029 {{x}} {%y%} {#z#}", "o": [{}, {"a": {}}]}
    with pytest.raises(ValueError):
        json_for_script({"x": float("nan")})


def test_page_names_are_safe_and_unique():
    ids = ["../../etc/passwd", "a/b", "a_b", "CON", "x" * 500, "", "ümlaut", "a b", "a\x00b"]
    names = [page_name(i) for i in ids]
    assert len(set(names)) == len(names)
    for n in names:
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,40}-[0-9a-f]{12}\.html", n), n
    assert page_name("a1") == page_name("a1")


def test_article_page_highlights_and_links(frames):
    articles, mentions, _ = frames
    a1 = articles[articles.article_id == "a1"].iloc[0].to_dict()
    html = article_page_html(a1, mentions[mentions.article_id == "a1"], map_href="../map.html")
    n = normalize(html)
    assert n.count("<mark>") == 3
    assert ('<a class="mention" id="m-0" href="../map.html#place=gn%3A1838524" '
            'title="Busan (gn:1838524), confidence 0.95" data-place="gn:1838524"><mark>Busan</mark></a>') in n
    assert 'id="m-2"' in n and 'href="https://news.example.com/ships"' in n
    assert "<h1>Ships leave Busan</h1>" in n
    assert "script-src 'none'" in n  # pages run no script at all


def test_article_page_escapes_everything():
    text = 'Busan <img src=x onerror=alert(1)> `${x}` "quoted" \\ end'
    r = result("p", text, [("Busan", BUSAN, 0.9)], title="<script>alert(1)</script>",
               url="javascript:alert(1)", source='"><svg onload=alert(1)>')
    arts, ments, _ = build_frames([r])
    html = article_page_html(arts.iloc[0].to_dict(), ments)
    assert "<script>alert" not in html and "<img src=x" not in html and "<svg" not in html
    assert 'href="javascript' not in html.lower()
    assert "&lt;img src=x onerror=alert(1)&gt; &#96;&#36;&#123;x&#125;&#96; &quot;quoted&quot; &#92; end" in html
    assert '<span class="url">javascript:alert(1)</span>' in html


def test_write_pages_and_save(tmp_path, frames):
    articles, mentions, _ = frames
    m = maps.event_map(frames, articles_href="articles", footprint_of=False)
    out = maps.save_map(m, tmp_path / "map.html")
    paths = maps.write_article_pages(articles, mentions, tmp_path / "articles", map_href="../map.html")
    assert out.is_file() and out.stat().st_size > 1000
    assert {p.name for p in paths} == {page_name(a) for a in articles.article_id} | {"index.html"}
    assert not list(tmp_path.rglob("*.tmp"))
    index = (tmp_path / "articles" / "index.html").read_text()
    assert page_name("a3") in index and "Air defence request" in index
    # most recent first, with the number of resolved mentions
    assert index.index("Boats return") < index.index("Air defence request") < index.index("Ships leave Busan")
    assert re.search(r"Ships leave Busan</a></td><td>Harbour Daily</td><td class=\"n\">3</td>", index)


def test_footprint_layers_use_injected_source(frames):
    calls = []

    def fp(fid):
        calls.append(fid)
        return footprint_of(fid)

    m = maps.event_map(frames, footprint_of=fp, country_footprint=country_footprint, layers=["regions", "countries"])
    html = render(m)
    assert calls == ["fp:korean-peninsula"]  # the country itself goes to the choropleth
    assert "Korean Peninsula" in html and '"dashArray": "6 4"' in html
    assert "South Korea (KR)" in html and "Japan (JP)" in html and "United States (US)" in html


def test_no_footprints_no_area_layers(frames):
    html = render(maps.event_map(frames, footprint_of=False))
    assert "Region footprints" not in html and "Mentions per country" not in html
    assert '"Places" :' in html


def test_time_layer_only_with_dates():
    dated = maps.event_map(build_frames([result("d", "Busan.", [("Busan", BUSAN, 0.9)], date="2024-03-05")]))
    assert payload(dated)["time"] == [[0, "2024-03-05T00:00:00Z", 1]]
    assert "Mentions over time" in render(dated)
    undated = maps.event_map(build_frames([result("u", "Busan.", [("Busan", BUSAN, 0.9)])]))
    assert payload(undated)["time"] == [] and "Mentions over time" not in render(undated)


def test_default_footprints_come_from_the_built_gazetteer(frames, gazetteer_db):
    """With no footprint source given, the gazetteer's country outlines are used (never built by maps)."""
    gaz = gazetteer_db
    korea = gaz.country("KR")
    assert korea is not None and korea.footprint
    html = render(maps.event_map(frames, layers=["places", "countries"]))
    assert '"Mentions per country" :' in html and "South Korea (KR)" in html
    # real outlines, simplified: many vertices, but far fewer than the source
    assert html.count("],") > 50


def test_no_gazetteer_means_no_area_layers_not_an_error(frames, tmp_path, caplog):
    m = maps.event_map(frames, gazetteer_dir=tmp_path / "nothing-here", layers=["places", "countries", "regions"])
    html = render(m)
    assert '"Places" :' in html and "Mentions per country" not in html
    assert "no footprints" in caplog.text and not (tmp_path / "nothing-here").exists()


def test_notebook_repr_and_repeated_render(frames):
    from maps_browser import ensure_assets

    ensure_assets()  # offline=True inlines the npm assets (fetched once if missing)
    m = maps.event_map(frames, footprint_of=False, offline=True)
    first = m.get_root().render()
    again = m.get_root().render()
    assert again.count("var event_data_") == 1 and first.count("var event_data_") == 1
    shown = m._repr_html_()  # what Jupyter displays: the page in an iframe's srcdoc
    assert shown.startswith("<div") and "srcdoc=" in shown and "event_data_" in shown
    # offline: Leaflet and the plugins are inlined, no CDN link left
    assert "cdn.jsdelivr.net" not in again and "cdnjs.cloudflare.com" not in again
    assert 'src="data:text/javascript;base64,' in again


def test_offline_without_assets_says_how_to_get_them(frames, tmp_path, monkeypatch):
    from maps.assets import AssetsMissing

    monkeypatch.setenv("EVENTMAP_ASSETS", str(tmp_path / "empty"))
    with pytest.raises(AssetsMissing, match="python -m maps.assets fetch"):
        maps.event_map(frames, footprint_of=False, offline=True)


def test_map_credits_geonames():
    from maps.layers import DataAttribution

    m = maps.event_map(build_frames([]))
    html = render(m)
    assert any(isinstance(c, DataAttribution) for c in m._children.values())
    assert "attributionControl.addAttribution" in html and "GeoNames</a> (CC BY 4.0)" in html
