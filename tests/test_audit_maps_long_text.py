"""Huge untrusted text (a 5,000-character title, place name or URL with no break opportunity)
stays inside the popup, the tooltip and the article page instead of stretching them to
tens of thousands of pixels."""
from __future__ import annotations

import pytest
import shapely

import maps
from gazetteer import Place
from geo.frames import build_frames
from maps.pages import page_name

from maps_browser import serve_offline
from maps_fixtures import result

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1200, "height": 800}
HUGE = Place("em:huge", "W" * 5000, "P", "PPL", "KR", None, None, 0, 35.0, 129.0)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("long")
    frames = build_frames([result("a", "Hub is here. " + "y" * 3000, [("Hub", HUGE, 0.9)], title="T" * 5000,
                                  source="S" * 3000, url="https://e.example/" + "u" * 4000, date="2024-01-01",
                                  focus=HUGE)])
    out = maps.save_map(maps.event_map(frames, footprint_of=False, articles_href="articles"), tmp / "map.html")
    maps.write_article_pages(frames[0], frames[1], tmp / "articles")
    return out, tmp / "articles" / page_name("a")


@pytest.fixture()
def page(browser):
    ctx = browser.new_context(viewport=VIEWPORT)
    serve_offline(ctx)
    yield ctx.new_page()
    ctx.close()


def test_popup_and_tooltips_wrap_huge_text(site, page):
    page.goto(site[0].as_uri() + "#place=" + HUGE.id)
    page.wait_for_selector(".leaflet-popup .em-popup")
    widths = page.evaluate("""() => { const p = document.querySelector('.leaflet-popup .em-popup');
        return [p.scrollWidth, p.clientWidth, document.querySelector('.leaflet-popup .em-title').getBoundingClientRect().width]; }""")
    assert widths[0] <= widths[1] + 1, widths  # no horizontal overflow inside the popup
    assert widths[2] <= 400, widths
    assert page.locator(".leaflet-popup .em-title").text_content() == "T" * 5000  # wrapped, not cut
    page.locator(".leaflet-popup-close-button").click()
    page.locator(".em-marker span").hover()
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for()
    assert 200 <= tip.bounding_box()["width"] <= 400  # wrapped at a readable width, not one letter per line
    assert "W" * 5000 in tip.text_content()
    page.mouse.move(1, 1)
    tip.wait_for(state="detached")
    # the focus point's tooltip (the article title)
    page.locator(".leaflet-control-layers label", has_text="Article focus").locator("input").click()
    page.evaluate("""() => { for (const k of Object.keys(window)) if (/^focus_layer_/.test(k))
        window[k].eachLayer(l => l.openTooltip()); }""")
    tips = page.locator(".leaflet-tooltip").evaluate_all(
        "els => els.map(e => [e.textContent.length, e.getBoundingClientRect().width])")
    assert [n for n, _ in tips] == [5000] and all(200 <= w <= 400 for _, w in tips), tips


def test_region_tooltip_wraps_a_huge_name(tmp_path, page):
    """Region names come from the frames too (folium's GeoJsonTooltip draws them)."""
    region = Place("em:reg", "R" * 3000, "L", "RGN", None, None, None, 0, 35.0, 129.0, footprint="fp")
    frames = build_frames([result("r", "Reg is here.", [("Reg", region, 0.9)], title="t", date="2024-01-01")])
    m = maps.event_map(frames, footprint_of=lambda fid: shapely.box(128, 34, 130, 36),
                       country_footprint=lambda cc: None, admin1_footprint=lambda cc, code: None)
    page.goto(maps.save_map(m, tmp_path / "map.html").as_uri())
    page.wait_for_selector(".em-marker, .marker-cluster")
    box = page.evaluate("""() => { for (const k of Object.keys(window)) {
        const g = window[k];
        if (!/^geo_json_/.test(k) || !g.eachLayer) continue;
        let out = null;
        g.eachLayer(l => { l.fire('mouseover', {latlng: l.getBounds().getCenter()}, true);
                           const r = g.getTooltip().getElement().getBoundingClientRect();
                           out = [r.width, g.getTooltip().getElement().textContent.includes('R'.repeat(3000))]; });
        return out; } }""")
    assert box[1] and 200 <= box[0] <= 400, box


def test_article_page_wraps_huge_text(site, page):
    page.goto(site[1].as_uri())
    assert page.locator("h1").text_content() == "T" * 5000
    assert page.evaluate("() => document.documentElement.scrollWidth") <= VIEWPORT["width"]
