"""Maps at scale: write time, file size and Chromium time to interactive.

Synthetic frames with the real schema: N mentions over N/10 places (Zipf-like
popularity), articles of 10 mentions each with titles, URLs, sources, dates
and sentences of realistic length. For each size it times
``maps.event_map(...)`` + ``maps.save_map(...)`` (the whole write), the HTML
size, and in headless Chromium (Playwright, no network: CDN assets served
from the local copies) the time from navigation to the first markers drawn
and to the busiest place's popup opened through ``#place=``.

Usage::

    python benchmarks/bench_maps.py                 # 1k, 10k, 100k mentions
    python benchmarks/bench_maps.py --quick         # 1k, 10k
    python benchmarks/bench_maps.py --sizes 100000 --no-browser

Needs the offline assets (``python -m maps.assets fetch``) and /usr/bin/chromium
for the browser figures.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

from benchmarks._machine import header  # noqa: E402

WORDS = ("officials said the port would reopen after talks between delegations from both sides "
         "continued late into the night while markets waited for news of the agreement").split()


def synthetic_frames(n_mentions: int, seed: int = 7):
    """(articles, mentions) frames with the real schema, built vectorised."""
    import geopandas as gpd

    from geo.coords import points_from_latlon
    from geo.frames import ARTICLE_COLUMNS, MENTION_COLUMNS

    rng = np.random.default_rng(seed)
    n_places = max(1, n_mentions // 10)
    n_articles = max(1, n_mentions // 10)
    plat = rng.uniform(-60, 70, n_places)
    plon = rng.uniform(-180, 180, n_places)
    pid = np.array([f"gn:{1000000 + i}" for i in range(n_places)], dtype=object)
    pname = np.array([f"Place {i} {WORDS[i % len(WORDS)].title()}" for i in range(n_places)], dtype=object)
    cc = np.array(["KR", "JP", "US", "FR", "BR", "IN", "NG", "AU"], dtype=object)[np.arange(n_places) % 8]
    # Zipf-like popularity: a few places in many articles, most in one or two
    weights = 1.0 / np.arange(1, n_places + 1) ** 0.8
    which = rng.choice(n_places, size=n_mentions, p=weights / weights.sum())
    art = np.repeat(np.arange(n_articles), int(np.ceil(n_mentions / n_articles)))[:n_mentions]
    dates = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 365, n_articles), unit="D")
    sentences = np.array([" ".join(rng.choice(WORDS, 22)) for _ in range(200)], dtype=object)
    sent = sentences[np.arange(n_mentions) % 200]
    names = pname[which]
    sentence = np.array([f"{s[:60]} {n} {s[60:]}." for s, n in zip(sent, names)], dtype=object)
    mstart = np.array([len(s[:60]) + 1 for s in sent])
    mentions = pd.DataFrame({
        "article_id": np.array([f"art-{i}" for i in art], dtype=object),
        "mention_index": np.arange(n_mentions) % 10, "start": mstart + 500,
        "end": mstart + 500 + np.array([len(n) for n in names]),
        "text": names, "kind": "place", "sentence": sentence, "sentence_start": 500,
        "place_id": pid[which], "name": names, "feature_class": "P", "feature_code": "PPL",
        "country_code": cc[which], "admin1": None, "lat": plat[which], "lon": plon[which],
        "confidence": rng.uniform(0.2, 1.0, n_mentions), "runner_up_id": None, "runner_up_name": None,
        "runner_up_confidence": np.nan, "metonymic": False, "footprint_id": None, "date": dates[art],
    })[list(MENTION_COLUMNS)]
    mentions = gpd.GeoDataFrame(mentions, geometry=points_from_latlon(mentions["lat"], mentions["lon"]),
                                crs="EPSG:4326")
    articles = pd.DataFrame({
        "article_id": [f"art-{i}" for i in range(n_articles)],
        "title": [f"Report {i}: talks continue as ports reopen" for i in range(n_articles)],
        "url": [f"https://news.example.com/{i}" for i in range(n_articles)],
        "date": dates, "source": np.array(["Harbour Daily", "Capital Wire", "Desk"], dtype=object)[
            np.arange(n_articles) % 3],
        "origin": None, "text": None, "n_mentions": 10,
    })
    for col in ARTICLE_COLUMNS:
        if col not in articles:
            articles[col] = None
    return articles, mentions


def measure_browser(path: Path, busiest: str) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    from maps_browser import launch, serve_offline

    with sync_playwright() as p:
        b = launch(p)
        ctx = b.new_context(viewport={"width": 1280, "height": 800})
        serve_offline(ctx)
        page = ctx.new_page()
        t0 = time.perf_counter()
        page.goto(path.as_uri(), wait_until="commit", timeout=120_000)
        page.wait_for_selector(".em-marker, .marker-cluster", timeout=120_000)
        # interactive: the map answers a zoom (main thread free, clusters redrawn)
        page.evaluate("""() => new Promise(r => { const k = Object.keys(window).find(k => k.startsWith('map_'));
            const m = window[k]; m.once('zoomend', () => r()); m.setZoom(m.getZoom() + 1, {animate: false}); })""")
        interactive = time.perf_counter() - t0
        t1 = time.perf_counter()
        page.evaluate("id => { location.hash = '#place=' + encodeURIComponent(id); }", busiest)
        page.wait_for_selector(".leaflet-popup .em-popup", timeout=60_000)
        popup = time.perf_counter() - t1
        b.close()
    return {"interactive_s": interactive, "popup_s": popup}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=None, help="mention counts (default 1k 10k 100k)")
    ap.add_argument("--quick", action="store_true", help="1k and 10k only")
    ap.add_argument("--no-browser", action="store_true", help="skip the Chromium figures")
    args = ap.parse_args(argv)
    sizes = args.sizes or ([1_000, 10_000] if args.quick else [1_000, 10_000, 100_000])

    import maps

    print(header())
    browser = not args.no_browser and shutil.which("/usr/bin/chromium") is not None
    if browser:
        from maps.assets import missing_assets

        if missing_assets():
            print("(browser figures skipped: offline assets not fetched; run python -m maps.assets fetch)")
            browser = False
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            articles, mentions = synthetic_frames(n)
            out = Path(tmp) / f"map-{n}.html"
            t0 = time.perf_counter()
            m = maps.event_map((articles, mentions), footprint_of=False, articles_href="articles")
            maps.save_map(m, out)
            write = time.perf_counter() - t0
            size = out.stat().st_size / 1e6
            n_places = mentions["place_id"].nunique()
            row = {"mentions": n, "places": n_places, "articles": len(articles), "write_s": write, "size_mb": size}
            if browser:
                busiest = mentions["place_id"].value_counts().index[0]
                row.update(measure_browser(out, busiest))
            rows.append(row)
            print(f"# {n} mentions: write {write:.2f} s, {size:.1f} MB"
                  + (f", interactive {row['interactive_s']:.2f} s, popup {row['popup_s']:.2f} s" if browser else ""),
                  file=sys.stderr)
    print()
    print("| mentions | places | articles | write (s) | size (MB) | Chromium interactive (s) | #place= popup (s) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['mentions']:,} | {r['places']:,} | {r['articles']:,} | {r['write_s']:.2f} | {r['size_mb']:.1f} | "
              f"{r.get('interactive_s', float('nan')):.2f} | {r.get('popup_s', float('nan')):.2f} |")
    print()
    print("Write = event_map + save_map (all layers but footprints); interactive = navigation start to markers "
          "drawn and the map answering a zoom; popup = `#place=` of the busiest place to its popup shown.")
    largest = rows[-1]
    print()
    print(f"Figures for the largest run ({largest['mentions']:,} mentions, {largest['places']:,} places):")
    print()
    for key in ("write_s", "size_mb", "interactive_s", "popup_s"):
        if key in largest:
            print(f"    {key} {largest[key]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
