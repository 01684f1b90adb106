"""The map in real headless Chromium: markers, clusters, popups, article pages, and back."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest

import maps
from maps.pages import page_name

from maps_browser import serve_offline
from maps_fixtures import country_footprint, footprint_of, sample_frames

pytestmark = pytest.mark.browser


@pytest.fixture()
def page(browser):
    ctx = browser.new_context(viewport={"width": 1200, "height": 800})
    requests: list[str] = []
    serve_offline(ctx, requests)
    pg = ctx.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.requests = requests
    yield pg
    ctx.close()


def build_site(tmp_path: Path, frames, **kwargs) -> Path:
    articles, mentions, _ = frames
    m = maps.event_map(frames, footprint_of=footprint_of, country_footprint=country_footprint,
                       articles_href="articles", **kwargs)
    out = maps.save_map(m, tmp_path / "map.html")
    maps.write_article_pages(articles, mentions, tmp_path / "articles", map_href="../map.html")
    return out


def keep_screenshot(path: Path) -> None:
    """Copy screenshots somewhere a person can look at them (EVENTMAP_SCREENSHOTS)."""
    dest = os.environ.get("EVENTMAP_SCREENSHOTS")
    if dest:
        Path(dest).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(dest) / path.name)


def test_markers_popup_article_page_and_back(tmp_path, page):
    out = build_site(tmp_path, sample_frames())
    page.goto(out.as_uri())
    page.wait_for_selector(".em-marker")
    # Korean and Japanese places cluster at the fitted zoom; the Pentagon stands alone
    clusters = page.locator(".marker-cluster")
    assert clusters.count() >= 1
    assert int(clusters.first.inner_text()) >= 2
    pentagon = page.locator('.em-marker span[data-place="em:pentagon"]')
    assert pentagon.inner_text() == "1"
    for name in ("Places", "Article focus", "Mention heat map", "Mentions per country",
                 "Region footprints", "Mentions over time"):
        assert page.locator(".leaflet-control-layers", has_text=name).count() == 1
    assert page.locator(".em-legend").is_visible()

    # a cluster opens up when clicked
    before = page.locator(".em-marker").count()
    clusters.first.click()
    page.wait_for_function(f"document.querySelectorAll('.em-marker').length > {before}")

    # popup of a single place: counts, the article, the sentence with the mention highlighted
    page.goto(out.as_uri())
    page.wait_for_selector(".em-marker")
    page.locator('.em-marker span[data-place="em:pentagon"]').click()
    popup = page.locator(".leaflet-popup .em-popup")
    popup.wait_for()
    assert popup.locator(".em-place").inner_text() == "The Pentagon"
    assert "1 article, 1 mention" in popup.locator(".em-counts").inner_text()
    assert popup.locator(".em-title").inner_text() == "Air defence request"
    assert popup.locator(".em-title").get_attribute("href") == "http://news.example.com/defence"
    assert popup.locator(".em-sentence mark").inner_text() == "Pentagon"
    screenshot = tmp_path / "map-popup.png"
    page.screenshot(path=str(screenshot))
    keep_screenshot(screenshot)

    # follow the popup's link to the article page, at the mention's anchor
    popup.locator("a.em-page").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"articles/{page_name('a3')}#m-0")
    target = page.locator(":target")
    assert target.locator("mark").inner_text() == "Pentagon"
    assert page.locator("h1").inner_text() == "Air defence request"
    assert page.locator("mark").count() == 2
    screenshot = tmp_path / "article-page.png"
    page.screenshot(path=str(screenshot))
    keep_screenshot(screenshot)

    # and back: the other mention (South Korea) opens the map zoomed there with its popup open
    page.locator("#m-1").click()
    page.wait_for_selector(".leaflet-popup .em-popup")
    assert unquote(page.url.split("#", 1)[1]) == "place=gn:1835841"
    assert page.locator(".leaflet-popup .em-place").inner_text() == "South Korea"
    screenshot = tmp_path / "map-from-article.png"
    page.screenshot(path=str(screenshot))
    keep_screenshot(screenshot)
    assert page.errors == []


def test_hash_opens_clustered_place(tmp_path, page):
    out = build_site(tmp_path, sample_frames())
    page.goto(out.as_uri() + "#place=gn%3A1838524")
    popup = page.locator(".leaflet-popup .em-popup")
    popup.wait_for()
    assert popup.locator(".em-place").inner_text() == "Busan"
    titles = popup.locator(".em-title").all_inner_texts()
    assert titles == ["Boats return", "Ships leave Busan"]
    assert popup.locator(".em-title").nth(0).evaluate("e => e.tagName") == "SPAN"  # no URL, no link
    # a later hash change moves to another place
    page.evaluate("location.hash = '#place=' + encodeURIComponent('gn:1850147')")
    page.wait_for_function("document.querySelector('.leaflet-popup .em-place') && "
                           "document.querySelector('.leaflet-popup .em-place').textContent === 'Tokyo'")
    assert page.errors == []


def test_layers_toggle_and_time_slider(tmp_path, page):
    out = build_site(tmp_path, sample_frames())
    page.goto(out.as_uri())
    page.wait_for_selector(".em-marker")
    control = page.locator(".leaflet-control-layers")
    assert page.locator(".leaflet-control-timecontrol").count() == 0
    control.get_by_text("Mentions over time").click()
    page.wait_for_selector(".leaflet-control-timecontrol")
    control.get_by_text("Mentions per country").click()
    control.get_by_text("Mention heat map").click()
    page.wait_for_selector("canvas.leaflet-heatmap-layer")
    control.get_by_text("Places").click()
    page.wait_for_function("document.querySelectorAll('.em-marker').length === 0")
    assert page.errors == []


def test_offline_inline_map_needs_no_network(tmp_path, browser):
    m = maps.event_map(sample_frames(), footprint_of=footprint_of, country_footprint=country_footprint,
                       offline=True, tiles=None)
    out = maps.save_map(m, tmp_path / "offline.html")
    ctx = browser.new_context()
    asked: list[str] = []
    ctx.route("**/*", lambda route: (asked.append(route.request.url), route.abort())
              if not route.request.url.startswith(("file:", "data:")) else route.continue_())
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(out.as_uri())
    pg.wait_for_selector(".em-marker")
    assert asked == [] and errors == []
    ctx.close()


def test_examples_map(tmp_path, page, gazetteer_db):
    """The map of examples/, parsed by the real pipeline with the real gazetteer."""
    from geo.pipeline import parse

    examples = Path(__file__).resolve().parent.parent / "examples"
    res = parse(str(examples))
    assert len(res.places) >= 10, res
    m = maps.event_map(res, articles_href="articles")
    out = maps.save_map(m, tmp_path / "map.html")
    maps.write_article_pages(res.articles, res.mentions, tmp_path / "articles")
    page.goto(out.as_uri())
    page.wait_for_selector(".em-marker, .marker-cluster")
    first = res.places.iloc[0]
    page.goto(out.as_uri() + "#place=" + first["place_id"])
    page.wait_for_selector(".leaflet-popup .em-popup")
    assert page.locator(".leaflet-popup .em-place").inner_text() == first["name"]
    # the busiest place's popup lists its articles and links to their pages
    assert page.locator(".leaflet-popup .em-title").count() == min(int(first["n_articles"]), 20)
    page.locator(".leaflet-popup a.em-page").first.click()
    page.wait_for_load_state()
    assert page.locator(":target mark").count() == 1
    page.go_back()
    page.wait_for_selector(".leaflet-popup .em-popup")
    screenshot = tmp_path / "examples-map.png"
    page.screenshot(path=str(screenshot))
    keep_screenshot(screenshot)
    assert page.errors == []
