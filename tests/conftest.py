"""Shared pytest fixtures."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def gazetteer_db():
    """The real offline gazetteer in the default data dir, built once if missing or stale."""
    import gazetteer

    return gazetteer.load()


@pytest.fixture(scope="module")
def browser():
    """A headless Debian Chromium driven by Playwright (browser tests skip without it)."""
    from maps_browser import launch, require_browser

    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()
