"""Long texts: does parsing time grow with a text's length, or with its square?

A book-length text or a feed dumped into one file is one "article" to the
pipeline. Resolution compares every name with every other name of an article,
so a long text is cut into sections (``geo.resolve.SECTION_CHARS``, split at
paragraph breaks) that are resolved on their own. This benchmark builds texts
of growing length from the bundled ``examples/`` articles (joined by blank
lines, repeated), parses each as ONE article with ``geo.parse`` and reports
seconds per million characters; ``growth`` is that rate at the longest text
divided by the rate at the shortest (1.0 = linear). A second table parses lists
of hundreds to thousands of town names in one sentence (many names, few
characters: sections are also cut by name count, ``geo.resolve.SECTION_NAMES``)
with the process's peak RSS.

Usage::

    python benchmarks/bench_long_text.py            # 0.25, 0.5, 1 and 2 million characters
    python benchmarks/bench_long_text.py --quick    # 0.1 and 0.4 million characters
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._machine import header  # noqa: E402


def example_text() -> str:
    """The bundled example articles' texts, joined by blank lines."""
    from geo.articles import read_articles

    arts = list(read_articles([ROOT / "examples"]))
    return "\n\n".join(a.text for a in arts)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="two short sizes only")
    ap.add_argument("--sizes", default=None,
                    help="comma-separated lengths in millions of characters")
    args = ap.parse_args(argv)
    sizes = [float(x) for x in (args.sizes or ("0.1,0.4" if args.quick else "0.25,0.5,1,2"))
             .split(",")]
    import geo

    print(header(argv))
    print()
    base = example_text()
    geo.parse([base])   # load the gazetteer and warm the caches outside the timings
    # a list of towns ("...affected: A, B, C, ..."): many names in few characters
    counts = [300, 1000] if args.quick else [300, 1000, 3000]
    towns = town_names(max(counts))
    print(f"Peak RSS after loading the gazetteer and parsing the examples: {peak_rss_mb():.0f} MB.")
    print()
    print("| names in one comma-separated list | characters | seconds | peak RSS so far |")
    print("|---:|---:|---:|---:|")
    for n in counts:
        text = "Affected towns: " + ", ".join(towns[:n]) + "."
        t0 = time.perf_counter()
        geo.parse([{"id": "list", "text": text}])
        secs = time.perf_counter() - t0
        print(f"| {n:,} | {len(text):,} | {secs:.2f} | {peak_rss_mb():.0f} MB |")
    print()
    print(f"list_peak_rss_mb {peak_rss_mb():.0f}")
    print()
    print("| characters | mentions | seconds | s per million characters |")
    print("|---:|---:|---:|---:|")
    rates = []
    for size in sizes:
        n = int(size * 1_000_000)
        text = ("\n\n".join([base] * (n // (len(base) + 2) + 1)))[:n]
        t0 = time.perf_counter()
        res = geo.parse([{"id": "long", "text": text}])
        secs = time.perf_counter() - t0
        rates.append(secs / (n / 1e6))
        print(f"| {n:,} | {len(res.mentions):,} | {secs:.2f} | {rates[-1]:.2f} |")
    print()
    print(f"growth {rates[-1] / rates[0]:.2f}")
    print(f"s_per_mchars {rates[-1]:.2f}")


def town_names(n: int) -> list[str]:
    """``n`` distinct names of US towns of 2,000 to 50,000 people, in gazetteer order."""
    import sqlite3

    import gazetteer
    from gazetteer.paths import artefact_path

    gazetteer.load()   # builds the artefact if needed
    with sqlite3.connect(f"file:{artefact_path()}?mode=ro", uri=True) as con:
        rows = con.execute(
            "SELECT DISTINCT name FROM places WHERE fclass = 'P' AND cc = 'US' AND "
            "population BETWEEN 2000 AND 50000 ORDER BY rid LIMIT ?", (n,)).fetchall()
    return [r[0] for r in rows]


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
