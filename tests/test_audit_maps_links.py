"""Links between the map and the article pages hold when the file names need URL escaping
(a space, ``#``, ``%``, ``?``, non-ASCII): ``eventmap map -o "maps/week #3 100%.html"``."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from click.testing import CliRunner

from geo.cli import main
from maps.pages import page_name

from maps_fixtures import sample_frames

NAMES = ("week #3 100%?.html", "pages #ü?")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("links")
    articles, mentions, _ = sample_frames()
    articles.to_parquet(tmp / "articles.parquet")
    mentions.to_parquet(tmp / "mentions.parquet")
    out, pages = tmp / "out" / NAMES[0], tmp / "out" / NAMES[1]
    r = CliRunner().invoke(main, ["map", str(tmp / "mentions.parquet"), str(tmp / "articles.parquet"),
                                  "-o", str(out), "--articles-dir", str(pages), "--layers", "places"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return out, pages


def _target(base: Path, href: str) -> tuple[Path, str]:
    """The file and fragment a browser opens for ``href`` on the page at ``base``."""
    parts = urlsplit(urljoin(base.resolve().as_uri(), href))
    assert parts.scheme == "file", href
    return Path(unquote(parts.path)), unquote(parts.fragment)


def test_article_pages_link_to_the_map_file(site):
    out, pages = site
    page = pages / page_name("a1")
    hrefs = re.findall(r'href="([^"]+)"', page.read_text(encoding="utf-8"))
    mentions = [h for h in hrefs if "place=" in h]
    assert len(mentions) == 3
    for h in hrefs:
        if h.startswith("http"):
            continue
        target, fragment = _target(page, h.replace("&amp;", "&"))
        assert target.is_file(), (h, target)
    assert [_target(page, h) for h in mentions][0] == (out.resolve(), "place=gn:1838524")


def test_map_popups_link_to_the_article_pages(site):
    import json

    out, pages = site
    html = out.read_text(encoding="utf-8")
    data = json.loads(re.search(r"var event_data_[0-9a-f]+ = (\{.*?\});\n", html).group(1))
    for art in data["articles"]:
        target, _ = _target(out, art[5])
        assert target == (pages / page_name(art[0])).resolve()


@pytest.mark.browser
def test_following_the_links_in_chromium(site, browser):
    from maps_browser import serve_offline

    out, pages = site
    ctx = browser.new_context()
    serve_offline(ctx)
    page = ctx.new_page()
    try:
        page.goto((pages / page_name("a1")).resolve().as_uri())
        page.locator("a.mention").first.click()
        page.wait_for_selector('.leaflet-popup .em-popup[data-place="gn:1838524"]')
        assert Path(unquote(urlsplit(page.url).path)) == out.resolve()
        page.locator(".leaflet-popup a.em-page").first.click()
        page.wait_for_selector("article h1")
        assert Path(unquote(urlsplit(page.url).path)).parent == pages.resolve()
    finally:
        ctx.close()


def test_no_page_link_for_an_article_without_a_page(tmp_path):
    """Mentions of an article missing from the articles frame (exports filtered differently):
    the popup lists it without linking to a page that is never written."""
    import json

    articles, mentions, _ = sample_frames()
    articles[articles.article_id != "a2"].to_parquet(tmp_path / "articles.parquet")
    mentions.to_parquet(tmp_path / "mentions.parquet")
    out, pages = tmp_path / "map.html", tmp_path / "pages"
    r = CliRunner().invoke(main, ["map", str(tmp_path / "mentions.parquet"), str(tmp_path / "articles.parquet"),
                                  "-o", str(out), "--articles-dir", str(pages), "--layers", "places"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    data = json.loads(re.search(r"var event_data_[0-9a-f]+ = (\{.*?\});\n", out.read_text()).group(1))
    linked = {a[0]: a[5] for a in data["articles"]}
    assert set(linked) == {"a1", "a2", "a3", "a4"}  # a2 is still listed (its mentions are on the map)
    assert linked["a2"] is None
    for aid, href in linked.items():
        if href is not None:
            assert _target(out, href)[0].is_file(), aid
