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


@pytest.fixture()
def kansas_paper():
    """Four invented articles of one Kansas paper (``.url`` is its address); the last names
    a town that Wisconsin has a bigger namesake of (Beloit)."""
    from types import SimpleNamespace

    url = "https://www.prairie-ledger.example/news/"
    texts = ["Wheat prices rose in Colby and Goodland this week.",
             "The county fair opens in Junction City on Monday.",
             "Frost damaged crops near Chanute and Iola.",
             "A new library opened in Beloit on Friday."]
    return SimpleNamespace(url=url, articles=[{"id": f"a{i}", "url": f"{url}{i}", "text": t}
                                              for i, t in enumerate(texts, 1)])
