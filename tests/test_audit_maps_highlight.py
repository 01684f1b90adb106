"""Popup highlights are drawn by JavaScript, which counts UTF-16 code units, not code points.

A sentence with emoji or other characters outside the Basic Multilingual Plane
before the mention must still highlight exactly the mention.
"""
from __future__ import annotations

import json
import re

import pytest

import maps
from geo.frames import build_frames

from maps_fixtures import BUSAN, SEOUL, result

# characters outside the BMP (two UTF-16 code units each) before the mention
ASTRAL = "\U0001F600\U0001F30A \U0001D518\U0001D52B"
TEXTS = {
    "short": f"{ASTRAL} Busan is calm today.",
    # long enough to be cut to a window around the mention
    "long": f"{ASTRAL * 30} and then, far into the sentence, Seoul answered. {'x' * 300}",
}


def _frames():
    return build_frames([
        result("short", TEXTS["short"], [("Busan", BUSAN, 0.9)], title="t1", date="2024-01-01"),
        result("long", TEXTS["long"], [("Seoul", SEOUL, 0.9)], title="t2", date="2024-01-02"),
    ])


def _payload(m) -> dict:
    raw = m.get_root().render()
    return json.loads(re.search(r"var event_data_[0-9a-f]+ = (\{.*?\});\n", raw).group(1))


def _js_slice(s: str, a: int, b: int) -> str:
    """What JavaScript's ``s.slice(a, b)`` returns (indices in UTF-16 code units)."""
    return s.encode("utf-16-le")[2 * a:2 * b].decode("utf-16-le", "replace")


def test_popup_offsets_are_utf16_code_units():
    data = _payload(maps.event_map(_frames(), footprint_of=False))
    marked = {p[3]: [_js_slice(e[2], e[3], e[4]) for e in p[10]] for p in data["places"]}
    assert marked == {"Busan": ["Busan"], "Seoul": ["Seoul"]}


@pytest.mark.browser
def test_popup_highlights_the_mention_in_chromium(browser, tmp_path):
    from maps_browser import serve_offline

    out = maps.save_map(maps.event_map(_frames(), footprint_of=False), tmp_path / "map.html")
    ctx = browser.new_context()
    serve_offline(ctx)
    page = ctx.new_page()
    try:
        for place in (BUSAN, SEOUL):
            page.goto(out.as_uri() + "#place=" + place.id)
            page.wait_for_selector(f'.leaflet-popup .em-popup[data-place="{place.id}"]')
            assert page.locator(".leaflet-popup mark").all_text_contents() == [place.name]
            page.goto("about:blank")
    finally:
        ctx.close()
