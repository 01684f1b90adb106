"""Headless Chromium for the browser tests: no network, CDN assets served from local copies."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("EVENTMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# A 1x1 transparent PNG for map tiles (the tests run with no network).
BLANK_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")


def ensure_assets() -> None:
    """The Leaflet/plugin files the offline maps and the routed CDN need: fetched from npm once."""
    from maps.assets import AssetsMissing, fetch, missing_assets

    if missing_assets():
        try:
            fetch()  # `npm pack` of pinned versions, into maps/assets/vendor (or $EVENTMAP_ASSETS)
        except (AssetsMissing, OSError) as err:
            pytest.fail(f"offline map assets missing and not fetchable: {err}")
    assert not missing_assets(), missing_assets()


def require_browser():
    """Skip when Chromium or the Python package is missing; fetch the assets if needed."""
    pytest.importorskip("playwright.sync_api", reason="pip install playwright (eventmap[test])")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    ensure_assets()


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def serve_offline(context, requests: list[str] | None = None) -> None:
    """Route every http(s) request: known CDN assets from disk, tiles blank, the rest aborted."""
    from maps.assets import ASSETS, asset_key, local_file

    def handle(route):
        url = route.request.url
        if requests is not None:
            requests.append(url)
        key = asset_key(url)
        if key in ASSETS:
            path = local_file(key)
            ctype = {".css": "text/css", ".js": "application/javascript"}.get(path.suffix, "application/octet-stream")
            route.fulfill(status=200, body=path.read_bytes(), headers={"content-type": ctype,
                                                                       "access-control-allow-origin": "*"})
        elif "tile.openstreetmap.org" in url:
            route.fulfill(status=200, body=BLANK_PNG, headers={"content-type": "image/png"})
        else:
            route.abort()

    context.route("http://*/**", handle)
    context.route("https://*/**", handle)
