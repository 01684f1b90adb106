"""Huge untrusted text (a 5,000-character title, place name or URL with no break opportunity)
stays inside the popup, the tooltip and the article page instead of stretching them to
tens of thousands of pixels."""
from __future__ import annotations

import pytest

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


def test_article_page_wraps_huge_text(site, page):
    page.goto(site[1].as_uri())
    assert page.locator("h1").text_content() == "T" * 5000
    assert page.evaluate("() => document.documentElement.scrollWidth") <= VIEWPORT["width"]
