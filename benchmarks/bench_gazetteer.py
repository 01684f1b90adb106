"""Speed and memory of the offline gazetteer.

Measures, against the targets of the gazetteer issue:

- build time (wall and CPU) and peak memory of the full artefact from the
  installed packages (<= 60 s), in a child process and a temporary data dir
  (``--skip-build`` to skip);
- cold load: ``gazetteer.load()`` in a fresh interpreter (<= 1 s), import
  time reported separately;
- exact lookup p50 (<= 20 us): first call for a key (SQLite) and repeated
  call (LRU cache), over random names of the gazetteer; ``known()`` too;
- reverse lookup p50 (<= 50 us) after the one-off k-d tree build;
- resident memory of the serving process after all of that (<= 600 MB).

Usage::

    python benchmarks/bench_gazetteer.py [--skip-build] [--data-dir DIR] [--n 5000]
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._machine import header  # noqa: E402


def _rss_mb() -> float:
    try:
        import psutil

        return psutil.Process().memory_info().rss / 2**20
    except ImportError:  # pragma: no cover - psutil is in the bench extra
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _p50_us(fn, args_list) -> float:
    times = []
    for args in args_list:
        t = time.perf_counter_ns()
        fn(*args)
        times.append(time.perf_counter_ns() - t)
    return statistics.median(times) / 1000


_BUILD = """
import time, json, resource, gazetteer
t = time.perf_counter(); c = time.process_time()
path = gazetteer.build({data!r}, progress=False)
print(json.dumps({{"build_s": time.perf_counter() - t, "build_cpu_s": time.process_time() - c,
                  "build_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "artefact_mb": path.stat().st_size / 1e6}}))
"""

_COLD = """
import time, json
t0 = time.perf_counter()
import gazetteer
t1 = time.perf_counter()
g = gazetteer.load({data!r}, build=False)
g.lookup("Busan")
t2 = time.perf_counter()
print(json.dumps({{"import_s": t1 - t0, "load_s": t2 - t1}}))
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--skip-build", action="store_true", help="do not time a full build")
    ap.add_argument("--data-dir", default=None, help="gazetteer data dir to measure (default: the user's)")
    ap.add_argument("--n", type=int, default=5000, help="queries per measurement")
    args = ap.parse_args(argv)
    print(header())
    import gazetteer

    results: dict[str, float] = {}
    if not args.skip_build:  # in a child process, so its memory is not counted below
        with tempfile.TemporaryDirectory(prefix="eventmap-bench-") as tmp:
            out = subprocess.run([sys.executable, "-c", _BUILD.format(data=tmp)], cwd=ROOT,
                                 capture_output=True, text=True, check=True)
            results.update(json.loads(out.stdout.strip().splitlines()[-1]))
    gazetteer.load(args.data_dir)  # make sure it exists before the cold-load run
    data_dir = str(gazetteer.load(args.data_dir).path.parent)
    colds = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", _COLD.format(data=data_dir)], cwd=ROOT,
                             capture_output=True, text=True, check=True)
        colds.append(json.loads(out.stdout.strip().splitlines()[-1]))
    results["import_s"] = statistics.median(c["import_s"] for c in colds)
    results["cold_load_s"] = statistics.median(c["load_s"] for c in colds)

    gaz = gazetteer.load(args.data_dir)
    rng = random.Random(7)
    # a random sample of place names (and their keys; misses for known())
    n_places = gaz.meta["places"]
    rids = rng.sample(range(1, n_places + 1), min(args.n, n_places))
    names = [gaz._fetch_rid(r).name for r in rids]
    keys = [gazetteer.normalize(n) for n in names]
    misses = [f"{k} qx" for k in keys]
    gaz.lookup_key.cache_clear()
    gaz.known.cache_clear()
    results["lookup_first_p50_us"] = _p50_us(gaz.lookup, [(n,) for n in names])
    results["lookup_cached_p50_us"] = _p50_us(gaz.lookup, [(n,) for n in names])
    results["known_first_p50_us"] = _p50_us(gaz.known, [(k,) for k in misses])
    results["known_cached_p50_us"] = _p50_us(gaz.known, [(k,) for k in misses])

    t = time.perf_counter()
    gaz.nearest(0.0, 0.0)
    results["reverse_tree_build_s"] = time.perf_counter() - t
    points = [(rng.uniform(-55, 70), rng.uniform(-180, 180)) for _ in range(args.n)]
    results["reverse_p50_us"] = _p50_us(gaz.nearest, points)
    results["reverse_k5_p50_us"] = _p50_us(lambda la, lo: gaz.nearest(la, lo, k=5), points)

    geo = gazetteer.OfflineGeocoder(gaz)
    results["geocode_p50_us"] = _p50_us(geo.geocode, [(n,) for n in names[:1000]])
    results["rss_mb"] = _rss_mb()

    print(f"gazetteer: {gaz.path} ({n_places} places, {gaz.meta['names']} names)")
    targets = {"build_s": 60, "cold_load_s": 1.0, "lookup_first_p50_us": 20,
               "lookup_cached_p50_us": 20, "reverse_p50_us": 50, "rss_mb": 600}
    for k, v in results.items():
        target = f"  (target <= {targets[k]})" if k in targets else ""
        print(f"{k:24s} {v:10.3f}{target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
