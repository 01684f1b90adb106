"""Hostile titles, texts, URLs, sources and place names, opened in real headless Chromium.

Every payload tries to run code (a dialog, ``window.__pwned``, a console
marker) or inject an element (``#pwned``). After opening every popup,
tooltip and article page, none of that may have happened, no link may use a
non-http(s) scheme, and the text must be shown literally.
"""
from __future__ import annotations

import re

import pytest
import shapely

import maps
from gazetteer import Place
from geo.frames import build_frames
from maps.pages import page_name

from maps_browser import serve_offline
from maps_fixtures import BUSAN, result

pytestmark = pytest.mark.browser

P = "window.__pwned=1"
PAYLOADS = [
    # HTML injection
    f"<script>{P}</script>",
    f'<img src=x onerror="{P}">',
    f"<svg onload={P}>",
    f"<svg><script>{P}</script></svg>",
    f'"><script>{P}</script>',
    "'><img src=x onerror=alert(1)>",
    f'" onmouseover="{P}" x="',
    "' onfocus='alert(1)' autofocus x='",
    f"</script><script>{P}</script>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<a href="javascript:alert(1)">click me</a>',
    '<div id="pwned">injected</div>',
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<style>*{display:none!important}</style>",
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<input autofocus onfocus=alert(1)>",
    '<object data="javascript:alert(1)"></object>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;img src=x onerror=alert(1)&#62;",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=console.log('PWNED')>",
    "<base href='javascript:alert(1)//'>",
    # JavaScript string / template literal breakouts
    "${alert(1)}",
    f"`${{{P}}}`",
    f"`);{P};(`",
    "\\`);alert(1);//",
    "\\\\`${alert(1)}",
    "${`${alert(1)}`}",
    "\\u0060${alert(1)}\\u0060",
    "');alert(1);//",
    '");alert(1);//',
    "\\x3cscript\\x3ealert(1)\\x3c/script\\x3e",
    '\\"><script>alert(1)</script>',
    '"};alert(1);var x={"',
    "]});alert(1);//",
    "{{7*7}} {% raw %}{{ this }}",
    "\\\\\\\\ trailing backslash \\",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "javascript:alert(1)",
    # Unicode tricks
    "\u202egnp.exe<script>alert(1)</script>",
    "Bu\u200bsan<script>alert(1)</script>\u200d",
    "line\u2028sep');alert(1);//",
    "para\u2029<img src=x onerror=alert(1)>",
    "\ufeffBOM<svg onload=alert(1)>",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "\U0001F600<img src=x onerror=alert(1)>",
    "\u0085next-line\u00a0nbsp<script>alert(1)</script>",
]

HOSTILE_URLS = [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "  javascript:alert(1)", "java\tscript:alert(1)",
    "java\nscript:alert(1)", "\x01javascript:alert(1)", "javascript&#58;alert(1)", "&#x6A;avascript:alert(1)",
    "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)",
    "data:text/html,<script>alert(1)</script>", "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)", "\u200bjavascript:alert(1)", "javascript://%0aalert(1)", "//evil.example.com/x",
    "\u202ejavascript:alert(1)", "jav&#x09;ascript:alert(1)", "javascript\x00:alert(1)",
]
SAFE_URLS = [
    'https://ok.example.com/"><script>alert(1)</script>',
    "https://ok.example.com/`${alert(1)}`",
    "http://ok.example.com/a?b=1&c=<x>",
]

HUB_ID = "em:hub"
# the first-level area around the hub, with a hostile name (admin1 choropleth tooltip)
ADMIN1_NAME = f'<img src=x onerror="{P}">`${{alert(1)}}`{{{{7*7}}}}</td></tr><script>{P}</script>'


def _n(s: str) -> str:
    """What an HTML parser makes of a string in text: CR/CRLF become LF."""
    return s.replace("\r\n", "\n").replace("\r", "\n")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    assert len(PAYLOADS) >= 50
    tmp = tmp_path_factory.mktemp("hostile")
    hub = Place(HUB_ID, "Hub", "P", "PPL", "KR", "99", None, 0, 35.0, 129.0)
    results = []
    urls = HOSTILE_URLS + SAFE_URLS
    named_places = []
    for i, p in enumerate(PAYLOADS):
        # every article mentions the hub; some also a place whose *name* is hostile
        text = f"Report {i} from Hub. {p} Again Hub: {p}"
        spans = [("Hub", hub, 0.9), ("Hub", hub, 0.9, 1)]
        if i % 4 == 0:
            place = Place(f"x:{i}\"'<>&`${{}}", p, "L", "RGN" if i % 8 == 0 else "PPL", None, None, None, 0,
                          10.0 + i * 0.7, -40.0 + i * 1.3, footprint=f"fp{i}" if i % 8 == 0 else None)
            named_places.append(place)
            text += f" Also Place{i}."
            spans.append((f"Place{i}", place, 0.4 if i % 3 else 0.9))
        results.append(result(
            f"{p}-{i}", text, spans, title=p, url=urls[i % len(urls)], source=PAYLOADS[-1 - i],
            date=f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", focus=hub if i % 2 else None))
    # an article id that tries path traversal, and one with a BUSAN mention and no title
    results.append(result("../../../../etc/passwd", "Busan is calm.", [("Busan", BUSAN, 0.9)]))
    frames = build_frames(results)
    footprints = {pl.footprint: shapely.box(pl.lon - 0.3, pl.lat - 0.3, pl.lon + 0.3, pl.lat + 0.3)
                  for pl in named_places if pl.footprint}
    hub_area = {("KR", "99"): (ADMIN1_NAME, shapely.box(128.5, 34.5, 129.5, 35.5))}
    m = maps.event_map(frames, footprint_of=footprints.get, country_footprint=lambda cc: None,
                       admin1_footprint=lambda cc, code: hub_area.get((cc, code)),
                       articles_href="articles", max_popup_articles=200)
    out = maps.save_map(m, tmp / "map.html")
    maps.write_article_pages(frames[0], frames[1], tmp / "articles", map_href="../map.html")
    return {"map": out, "frames": frames, "places": named_places, "results": results,
            "pages": tmp / "articles"}


class Watch:
    """Everything a payload could do that we can observe."""

    def __init__(self, page):
        self.dialogs: list[str] = []
        self.console: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: self.console.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page = page

    def check(self):
        pg = self.page
        assert self.dialogs == [], self.dialogs
        assert not any("PWNED" in c for c in self.console), self.console
        assert self.errors == [], self.errors
        assert pg.evaluate("window.__pwned") is None
        assert pg.evaluate("document.getElementById('pwned')") is None
        injected = "iframe, object, embed, base, meta[http-equiv=refresh]"
        assert pg.evaluate("sel => document.querySelectorAll(sel).length", injected) == 0
        hrefs = pg.evaluate("Array.from(document.querySelectorAll('[href]'), e => e.href)")
        for h in hrefs:
            assert re.match(r"(https?|file):", h), h
        srcs = pg.evaluate("Array.from(document.querySelectorAll('img[src]'), e => e.getAttribute('src'))")
        assert all(not re.search(r"(^x$|javascript:)", s or "") for s in srcs), srcs


@pytest.fixture()
def page(browser):
    ctx = browser.new_context(viewport={"width": 1200, "height": 800})
    serve_offline(ctx)
    pg = ctx.new_page()
    yield pg
    ctx.close()


def test_hostile_map_popups_and_tooltips(site, page):
    w = Watch(page)
    page.goto(site["map"].as_uri() + "#place=" + HUB_ID)
    popup = page.locator(".leaflet-popup .em-popup")
    popup.wait_for()
    # every article is listed with its title shown literally, linked only when http(s)
    titles = popup.locator(".em-title")
    assert titles.count() == len(PAYLOADS)
    shown = set(titles.evaluate_all("els => els.map(e => e.textContent)"))
    assert shown == {_n(p) for p in PAYLOADS}
    links = popup.locator("a.em-title").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert links and all(h.startswith(("http://", "https://")) for h in links)
    expected_links = sum(1 for i in range(len(PAYLOADS))
                         if (HOSTILE_URLS + SAFE_URLS)[i % (len(HOSTILE_URLS) + len(SAFE_URLS))] in SAFE_URLS)
    assert len(links) == expected_links
    sentences = popup.locator(".em-sentence").evaluate_all("els => els.map(e => e.textContent)")
    assert all(s.startswith("Report ") for s in sentences)
    metas = " ".join(popup.locator(".em-meta").evaluate_all("els => els.map(e => e.textContent)"))
    assert "<script>window.__pwned=1</script>" in metas  # sources shown literally too
    w.check()

    # each hostile place name: popup via the hash, tooltip via hover
    for pl in site["places"]:
        page.evaluate("id => { location.hash = '#place=' + encodeURIComponent(id); }", pl.id)
        page.wait_for_function(
            "id => { const p = document.querySelector('.leaflet-popup .em-popup');"
            " return p && p.getAttribute('data-place') === id; }", arg=pl.id)
        assert page.locator(".leaflet-popup .em-place").text_content() == _n(pl.name)
        icon = page.locator(f'.em-marker span[data-place="{_css(pl.id)}"]')
        icon.hover()
        tip = page.locator(".leaflet-tooltip b")
        tip.first.wait_for()
        assert _n(pl.name) in tip.evaluate_all("els => els.map(e => e.textContent)")
        # close the popup and open it again the way a person does: a click on the marker
        page.locator(".leaflet-popup-close-button").click()
        page.wait_for_selector(".leaflet-popup", state="detached")
        icon.click()
        page.wait_for_selector(".leaflet-popup .em-popup")
        assert page.locator(".leaflet-popup .em-place").text_content() == _n(pl.name)
    w.check()


def _css(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def test_hostile_focus_time_and_region_layers(site, page):
    w = Watch(page)
    page.goto(site["map"].as_uri())
    page.wait_for_selector(".em-marker, .marker-cluster")
    control = page.locator(".leaflet-control-layers")
    for name in ("Article focus", "Mentions over time", "Region footprints", "Mentions per state/province"):
        box = control.locator("label", has_text=name).locator("input")
        if not box.is_checked():
            box.click()
    # open every focus popup and every tooltip of the focus, time and region layers
    opened = page.evaluate("""() => {
        let n = 0;
        for (const k of Object.keys(window)) {
            const v = window[k];
            if (!v || typeof v.eachLayer !== 'function' || !/^(focus_layer|time_layer|geo_json)_/.test(k)) continue;
            const visit = (l) => {
                if (typeof l.eachLayer === 'function' && !l.getLatLng && !l.getBounds) { l.eachLayer(visit); return; }
                if (!l._map) return;  // e.g. time steps not shown now
                if (l.getPopup && l.getPopup()) { l.openPopup(); n++; }
                if (l.getTooltip && l.getTooltip()) { l.openTooltip(); n++; }
            };
            v.eachLayer(visit);
        }
        return n;
    }""")
    assert opened >= len(PAYLOADS) // 2
    # hostile region names in folium's GeoJsonTooltip (bound to the whole GeoJSON layer): shown literally
    texts = page.evaluate("""() => { const out = [];
        for (const k of Object.keys(window)) {
            if (!/^geo_json_/.test(k) || !window[k].eachLayer) continue;
            const g = window[k];
            g.eachLayer(l => {  // what a mouse over the area does (the event propagates to the group)
                l.fire('mouseover', {latlng: l.getBounds().getCenter()}, true);
                out.push(g.getTooltip().getElement().textContent);
                l.fire('mouseout', {}, true);
            });
        }
        return out; }""")
    tips = " ".join(texts)
    for pl in site["places"]:
        if pl.footprint:
            assert _n(pl.name) in tips
    assert f"{ADMIN1_NAME} (KR): {2 * len(PAYLOADS)} mentions" in [t.strip() for t in texts]  # literally
    w.check()


def test_hostile_article_pages(site, page):
    w = Watch(page)
    articles = site["frames"][0]
    files = sorted(p.name for p in site["pages"].iterdir())
    assert files == sorted([page_name(a) for a in articles.article_id] + ["index.html"])
    for res in site["results"]:
        art = res.article
        page.goto((site["pages"] / page_name(art.id)).as_uri())
        assert page.locator("h1").text_content() == _n(art.title or art.id)
        assert page.locator(".text").text_content() == _n(art.text)
        marks = page.locator("mark").evaluate_all("els => els.map(e => e.textContent)")
        assert marks == [m.text for m in sorted(res.mentions, key=lambda m: m.start)]
        w.check()
    page.goto((site["pages"] / "index.html").as_uri())
    assert page.locator("td a").count() == len(articles)
    w.check()
    # the path-traversal id stayed inside the pages directory
    assert not (site["pages"].parent.parent / "etc").exists()
