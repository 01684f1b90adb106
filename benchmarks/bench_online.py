"""Online geocoding overhead: cold requests, warm cache, rate limit.

Runs against the local fake Nominatim of the tests (a real HTTP server on
127.0.0.1; nothing reaches the internet), so the figures are eventmap's own
overhead (geopy + retries + SQLite cache + a local round trip), not a
service's latency.

Usage::

    python benchmarks/bench_online.py            # 1000 queries, + the 1 request/s default check
    python benchmarks/bench_online.py --quick    # 200 queries, no 1 request/s check
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "tests"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from _nominatim_server import FakeGeoServer  # noqa: E402

from benchmarks._machine import header  # noqa: E402
from gazetteer.online import GeocodeCache, nominatim  # noqa: E402

UA = "eventmap-benchmark/1.0 (bench@example.invalid)"


def _places(n: int) -> list[dict]:
    return [{"name": f"Testville{i}", "country": "Nowhere", "cc": "xx", "state": None,
             "lat": (i % 170) - 85.0, "lon": (i % 350) - 175.0, "class": "place", "type": "town",
             "importance": 0.5, "osm_id": i} for i in range(n)]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="200 queries, skip the 1 request/s check")
    ap.add_argument("-n", type=int, default=None, help="queries (default 1000, quick 200)")
    args = ap.parse_args(argv)
    n = args.n or (200 if args.quick else 1000)
    print(header(argv))
    print()
    queries = [f"Testville{i}" for i in range(n // 2)] + [f"Nowhere{i}" for i in range(n - n // 2)]
    with tempfile.TemporaryDirectory() as tmp, FakeGeoServer(_places(n // 2)) as server:
        path = Path(tmp) / "cache.sqlite3"
        cold = nominatim(user_agent=UA, domain=server.domain, scheme="http", min_delay_seconds=0.0,
                         cache=GeocodeCache(path))
        t0 = time.perf_counter()
        for q in queries:
            cold.geocode(q)
        cold_s = time.perf_counter() - t0
        cold.close()
        requests = server.count()

        warm = nominatim(user_agent=UA, domain=server.domain, scheme="http", min_delay_seconds=0.0,
                         cache=GeocodeCache(path))
        times = []
        for q in queries:
            t = time.perf_counter()
            warm.geocode(q)
            times.append(time.perf_counter() - t)
        warm_requests = server.count() - requests
        size = path.stat().st_size + sum(f.stat().st_size for f in Path(tmp).glob("cache.sqlite3-*"))

        print("| measure | value |")
        print("|---|---|")
        print(f"| queries (half hits, half misses) | {n} |")
        print(f"| cold: HTTP requests | {requests} |")
        print(f"| cold: wall time | {cold_s:.2f} s ({n / cold_s:.0f} queries/s, "
              f"{1000 * cold_s / n:.2f} ms/query incl. local round trip) |")
        print(f"| warm (new object, same cache file): HTTP requests | {warm_requests} |")
        print(f"| warm: lookup p50 / p95 | {1e6 * statistics.median(times):.0f} µs / "
              f"{1e6 * sorted(times)[int(0.95 * len(times))]:.0f} µs |")
        print(f"| warm: rate | {len(times) / sum(times):.0f} lookups/s |")
        print(f"| cache file size | {size / 1024:.0f} KiB ({size / n:.0f} B/entry) |")
        if not args.quick:
            polite = nominatim(user_agent=UA, domain=server.domain, scheme="http", cache=False)  # default 1 req/s
            before = server.count()
            t0 = time.perf_counter()
            for q in queries[:5]:
                polite.geocode(q)
            spent = time.perf_counter() - t0
            arrivals = [r.time for r in server.requests[before:]]
            gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
            print(f"| default rate limit: 5 uncached queries | {spent:.2f} s, smallest gap between "
                  f"arrivals {min(gaps):.3f} s |")


if __name__ == "__main__":
    main()
