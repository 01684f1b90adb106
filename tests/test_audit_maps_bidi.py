"""Right-to-left titles and sources, and bidi control characters in them (U+202E), do not
reorder the text around them: the date, the source and the "article page" link after a title
still read left to right, in the popup, the tooltip and the article page."""
from __future__ import annotations

import pytest

import maps
from gazetteer import Place
from geo.frames import build_frames
from maps.pages import page_name

from maps_browser import serve_offline
from maps_fixtures import BUSAN, result

pytestmark = pytest.mark.browser

RLO = "\u202e"
PLACE = Place("em:rlo", RLO + "Harbour", "P", "PPL", "KR", None, None, 0, 36.0, 128.0)

# x of the first and of the last character of `needle` inside `root`, as drawn
_EDGES = """([sel, needle]) => {
    const root = document.querySelector(sel);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const i = n.data.indexOf(needle);
        if (i < 0) continue;
        const x = (k) => { const r = document.createRange(); r.setStart(n, k); r.setEnd(n, k + 1);
                           return r.getBoundingClientRect().left; };
        return [x(i), x(i + needle.length - 1)];
    }
    return null;
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bidi")
    frames = build_frames([
        result("rlo", "Busan is calm. Harbour too.", [("Busan", BUSAN, 0.9), ("Harbour", PLACE, 0.9)],
               title=RLO + "Hello world", source=RLO + "Daily", date="2024-01-01", url="https://x.example/"),
        result("ar", "Busan again.", [("Busan", BUSAN, 0.9)], title="مرحبا بالعالم", source="Gazette", date="2024-01-02"),
    ])
    out = maps.save_map(maps.event_map(frames, footprint_of=False, articles_href="articles"), tmp / "map.html")
    maps.write_article_pages(frames[0], frames[1], tmp / "articles")
    return out, tmp / "articles"


@pytest.fixture()
def page(browser):
    ctx = browser.new_context(viewport={"width": 1000, "height": 700})
    serve_offline(ctx)
    yield ctx.new_page()
    ctx.close()


def _reads_left_to_right(page, sel, needle):
    edges = page.evaluate(_EDGES, [sel, needle])
    assert edges is not None, (sel, needle)
    return edges[0] < edges[1]


def test_popup_keeps_dates_sources_and_links_in_order(site, page):
    page.goto(site[0].as_uri() + "#place=" + BUSAN.id)
    page.wait_for_selector(".leaflet-popup .em-popup")
    items = page.locator(".leaflet-popup .em-articles > li")
    assert items.count() == 2
    for k, (date, source) in enumerate([("2024-01-02", "Gazette"), ("2024-01-01", None)], start=1):
        sel = f".leaflet-popup .em-articles > li:nth-child({k})"
        assert _reads_left_to_right(page, sel, date), (k, date)
        if source:
            assert _reads_left_to_right(page, sel, source), (k, source)
        assert _reads_left_to_right(page, sel, "article page"), k
    assert page.locator(".leaflet-popup .em-title").all_text_contents() == ["مرحبا بالعالم", RLO + "Hello world"]


def test_tooltip_counts_read_left_to_right(site, page):
    page.goto(site[0].as_uri() + "#place=" + PLACE.id)
    page.wait_for_selector(".leaflet-popup .em-popup")
    page.locator(".leaflet-popup-close-button").click()
    page.locator(f'.em-marker span[data-place="{PLACE.id}"]').hover()
    page.wait_for_selector(".leaflet-tooltip .em-tip")
    assert _reads_left_to_right(page, ".leaflet-tooltip .em-tip", "1 article")


def test_article_page_meta_reads_left_to_right(site, page):
    page.goto((site[1] / page_name("rlo")).as_uri())
    assert _reads_left_to_right(page, "header .meta", "2024-01-01")
    assert _reads_left_to_right(page, "header .meta", "original article")
    assert page.locator("header .meta").text_content().count("Daily") == 1
