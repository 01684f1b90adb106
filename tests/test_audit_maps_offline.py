"""``save_map(..., offline=True)`` links the copied assets by URL, so a map whose file name
needs escaping (``week #3 100%.html``) still loads them."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

import maps
from geo.frames import build_frames

from maps_fixtures import sample_results

NAME = "week #3 100%?.html"


@pytest.fixture()
def saved(tmp_path):
    from maps_browser import ensure_assets

    ensure_assets()
    m = maps.event_map(build_frames(sample_results()), footprint_of=False, tiles=None)
    return maps.save_map(m, tmp_path / NAME, offline=True)


def test_asset_links_resolve_to_the_copied_files(saved):
    html = saved.read_text(encoding="utf-8")
    srcs = re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', html)
    assert len(srcs) >= 5
    for s in srcs:
        target = Path(unquote(urlsplit(urljoin(saved.as_uri(), s)).path))
        assert target.is_file(), (s, target)


@pytest.mark.browser
def test_offline_map_with_odd_name_draws_in_chromium(saved, browser):
    ctx = browser.new_context()
    requests: list[str] = []
    ctx.route("http://*/**", lambda route: (requests.append(route.request.url), route.abort()))
    ctx.route("https://*/**", lambda route: (requests.append(route.request.url), route.abort()))
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(saved.as_uri())
        page.wait_for_selector(".em-marker, .marker-cluster", timeout=8000)
        assert errors == [] and requests == []
    finally:
        ctx.close()
