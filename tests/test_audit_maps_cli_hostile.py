"""Hostile articles through the real ``eventmap map`` command (readers, pipeline, CLI, pages),
opened in headless Chromium: nothing runs, nothing is injected, no bad link, text literal."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from geo.cli import main

from maps_browser import serve_offline

pytestmark = pytest.mark.browser

P = "window.__pwned=1"
TITLES = [f"</script><script>{P}</script>", "`${alert(1)}`", "\\`);alert(1);//", f'<img src=x onerror="{P}">',
          "{{7*7}}{% raw %}{# x", "\u202eRTL مرحبا \U0001F600", f'"><svg onload={P}>', "line\u2028sep"]
URLS = ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "&#106;avascript:alert(1)", "\x01javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "jav&#x09;ascript:alert(1)",
        "https://ok.example.com/`${x}`\"><b>"]


@pytest.fixture(scope="module")
def site(tmp_path_factory, gazetteer_db):
    tmp = tmp_path_factory.mktemp("cli-hostile")
    with open(tmp / "news.jsonl", "w", encoding="utf-8") as fh:
        for i, (title, url) in enumerate(zip(TITLES, URLS)):
            text = (f"Heavy rain fell on Busan on Monday. {title} \U0001F600 Officials in Tokyo said "
                    f"`${{alert({i})}}` more rain will reach Busan. </script><script>{P}</script>")
            fh.write(json.dumps({"id": f"a{i}<script>{P}</script>", "title": title, "url": url,
                                 "source": f"<b onmouseover={P}>Src{i}</b>", "date": f"2024-03-{i + 1:02d}",
                                 "text": text}, ensure_ascii=False) + "\n")
    out, pages = tmp / "out" / "map.html", tmp / "out" / "articles"
    r = CliRunner().invoke(main, ["map", str(tmp / "news.jsonl"), "-o", str(out), "--articles-dir", str(pages)],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return out, pages


def _watch(page):
    seen = {"dialogs": [], "errors": []}
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    return seen


def _check(page, seen):
    assert seen == {"dialogs": [], "errors": []}
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.querySelectorAll('iframe, object, embed, svg[onload], img[src=x]').length") == 0
    for h in page.evaluate("Array.from(document.querySelectorAll('[href]'), e => e.href)"):
        assert re.match(r"(https?|file):", h), h


def test_cli_map_and_pages_in_chromium(site, browser):
    out, pages = site
    ctx = browser.new_context(viewport={"width": 1200, "height": 800})
    serve_offline(ctx)
    page = ctx.new_page()
    seen = _watch(page)
    try:
        page.goto(out.as_uri())
        page.wait_for_selector(".em-marker, .marker-cluster")
        ids = page.evaluate("() => { for (const k of Object.keys(window))"
                            " if (/^event_data_/.test(k)) return window[k].places.map(p => p[0]); }")
        assert len(ids) >= 2
        for pid in ids:
            page.evaluate("id => { location.hash = '#place=' + encodeURIComponent(id); }", pid)
            page.wait_for_function("id => { const p = document.querySelector('.leaflet-popup .em-popup');"
                                   " return p && p.getAttribute('data-place') === id; }", arg=pid)
            shown = page.locator(".leaflet-popup .em-title").all_text_contents()
            assert set(shown) <= set(TITLES) and shown, shown
            links = page.locator(".leaflet-popup a.em-title").evaluate_all("els => els.map(e => e.href)")
            assert all(h.startswith("https://ok.example.com/") for h in links), links
            _check(page, seen)
        written = sorted(pages.glob("*.html"))
        assert len(written) == len(TITLES) + 1
        for f in written:
            page.goto(f.as_uri())
            _check(page, seen)
            if f.name != "index.html":
                assert page.locator("h1").text_content() in TITLES
                assert page.locator("mark").count() >= 2
    finally:
        ctx.close()
