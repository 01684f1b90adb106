"""Store, query and export benchmark at 10k / 100k / 1M mentions.

Mentions are generated at random gazetteer places (places nearest to random
points on the sphere, through the public ``Gazetteer.nearest``), or at random
points with ``--random-points``. For each size it measures: ingest, load
(open the store, read the parts), STRtree build, region / radius / bbox
queries, group-by-country, and streamed GeoJSON and GeoParquet exports (each
export in a fresh subprocess, whose peak RSS is reported, to show that memory
does not grow with the rows). Cold queries (a fresh process opening the store,
as ``eventmap query`` does) are timed in subprocesses too, both ways: loading
the whole store then querying it in memory (what ``Store.query`` did before it
streamed), and ``Store.query`` streaming the parts. The store is filled in date
order (as feeds fill one), so a recent-dates query can skip row groups; places
are spread at random, so spatial queries cannot.

Targets at 1M mentions: region query <= 0.5 s after load, radius query <= 0.5 s,
group-by-country <= 1 s, GeoJSON export <= 15 s with flat memory.

Usage::

    python benchmarks/bench_store.py                    # 10k, 100k, 1M
    python benchmarks/bench_store.py --sizes 10000,100000 --keep /tmp/bench
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Peak RSS is read from VmHWM: ru_maxrss survives fork+exec on Linux and would report
# the (large) parent's peak instead of the exporting process's own.
EXPORT_CHILD = r"""
import sys, time

def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

from geo.store import Store
before = hwm()
t, c = time.perf_counter(), time.process_time()
n = Store(sys.argv[1], create=False).export(sys.argv[2], layer="mentions")
el, cpu = time.perf_counter() - t, time.process_time() - c
print(n, el, hwm(), before, cpu)
"""


# A cold query in a fresh process: "memory" loads every live row then filters (the old Store.query),
# "streamed" is Store.query reading the parts row group by row group. argv: store, mode, filters JSON,
# region WKB file or "-".
QUERY_CHILD = r"""
import json, sys, time

def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

import shapely
from geo.query import query
from geo.store import Store
filters = json.loads(sys.argv[3])
if sys.argv[4] != "-":
    with open(sys.argv[4], "rb") as fh:
        filters["region_resolver"] = {filters["region"]: shapely.from_wkb(fh.read())}
before = hwm()
t, c = time.perf_counter(), time.process_time()
store = Store(sys.argv[1], create=False)
if sys.argv[2] == "memory":
    res = query(store.mentions, store.articles, **filters)
else:
    res = store.query(**filters)
el, cpu = time.perf_counter() - t, time.process_time() - c
print(len(res), el, hwm(), before, cpu)
"""


def machine() -> dict[str, str]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import psutil

        ram = f"{psutil.virtual_memory().total / 2**30:.1f} GiB"
    except ImportError:
        ram = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f} GiB"
    versions = {}
    for pkg in ("eventmap", "geopandas", "shapely", "pyarrow", "pandas", "numpy", "pyogrio", "dask"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "-"
    return {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu, "cores": str(os.cpu_count()), "ram": ram,
        "python": platform.python_version(), "platform": platform.platform(),
        "packages": ", ".join(f"{k} {v}" for k, v in versions.items()),
    }


def gazetteer_places(n: int, seed: int) -> tuple[list, object]:
    import numpy as np

    import gazetteer

    gaz = gazetteer.load()
    rng = np.random.default_rng(seed)
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    lon = rng.uniform(-180, 180, n)
    places = {}
    for la, lo in zip(lat, lon):
        for p, _km in gaz.nearest(float(la), float(lo), k=1, fclasses=("P", "S", "A")):
            places[p.id] = p
    return list(places.values()), gaz


def timed(fn, repeat: int = 3):
    """(first-call seconds, best of ``repeat`` seconds, result)."""
    t = time.perf_counter()
    out = fn()
    first = time.perf_counter() - t
    best = first
    for _ in range(repeat - 1):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return first, best, out


def export_in_child(store: Path, out: Path) -> tuple[int, float, float, float, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    res = subprocess.run([sys.executable, "-c", EXPORT_CHILD, str(store), str(out)], env=env,
                         capture_output=True, text=True, check=True)
    n, el, rss_kb, base_kb, cpu = res.stdout.split()
    return int(n), float(el), int(rss_kb) / 1024, int(base_kb) / 1024, float(cpu)


def query_in_child(store: Path, mode: str, filters: dict, region_wkb: Path | None) -> tuple[int, float, float, float]:
    """(rows, seconds, peak RSS MB, CPU seconds) of one cold query in a fresh process."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    res = subprocess.run([sys.executable, "-c", QUERY_CHILD, str(store), mode, json.dumps(filters),
                          str(region_wkb) if region_wkb else "-"], env=env, capture_output=True, text=True, check=True)
    n, el, rss_kb, _base_kb, cpu = res.stdout.split()
    return int(n), float(el), int(rss_kb) / 1024, float(cpu)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default=None, help="mention counts (default 10000,100000,1000000)")
    ap.add_argument("--places", type=int, default=None, help="random gazetteer places to draw from (20000)")
    ap.add_argument("--quick", action="store_true", help="smoke run: 10k and 100k mentions, 2000 places")
    ap.add_argument("--random-points", action="store_true", help="random points instead of gazetteer places")
    ap.add_argument("--keep", default=None, help="keep stores/exports in this directory")
    ap.add_argument("--json", default=None, help="also write the results as JSON here")
    args = ap.parse_args()
    args.sizes = args.sizes or ("10000,100000" if args.quick else "10000,100000,1000000")
    args.places = args.places or (2000 if args.quick else 20000)

    import numpy as np
    import pandas as pd

    from geo._synthetic import random_places, synthetic_frames
    from geo.query import group_by
    from geo.store import Store

    info = machine()
    info["load average at start"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    try:  # the project's shared benchmark header (command, date, machine, versions)
        from benchmarks._machine import header

        print(header())
        print(f"- load average at start: {info['load average at start']}")
    except ImportError:
        for k, v in info.items():
            print(f"{k:9}: {v}")
    t = time.perf_counter()
    region_resolver = None
    if args.random_points:
        places = random_places(args.places, seed=1, edgy=False)
        region_name, region_geom = "box 124,33,131,43", None
    else:
        places, gaz = gazetteer_places(args.places, seed=1)
        from geo._regions import GazetteerRegions

        region_resolver = GazetteerRegions(gaz)
        region_name = "United States"
        region_geom = region_resolver(region_name)  # resolved once, outside the timings
    print(f"places   : {len(places)} ({'random points' if args.random_points else 'gazetteer'}; "
          f"{time.perf_counter() - t:.1f} s to draw)")
    import shapely

    if region_geom is None:
        region_geom = shapely.box(124, 33, 131, 43)
    regions = {region_name: region_geom}
    centre = (places[0].lat, places[0].lon)
    print(f"centre   : {places[0].name} ({centre[0]:.4f}, {centre[1]:.4f}) for the radius queries")

    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-store-"))
    base.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        r: dict[str, float | int] = {"mentions": n}
        a, m, _ = synthetic_frames(n, places=places, seed=n)
        # a store fills in time order, as feeds deliver: articles, and their mentions, sorted by date
        a = a.iloc[a["date"].argsort(kind="stable")]
        rank = pd.Series(np.arange(len(a)), index=a["article_id"].to_numpy())
        m = m.iloc[np.argsort(rank.reindex(m["article_id"].to_numpy()).to_numpy(), kind="stable")]
        since = (a["date"].max() - pd.Timedelta(days=30)).strftime("%Y-%m-%d")
        r["articles"] = len(a)
        sdir = base / f"store-{n}"
        shutil.rmtree(sdir, ignore_errors=True)
        t = time.perf_counter()
        Store(sdir).ingest(SimpleNamespace(articles=a, mentions=m))
        r["ingest_s"] = time.perf_counter() - t
        a = m = None
        t = time.perf_counter()
        store = Store(sdir, create=False)
        ments = store.mentions
        r["load_s"] = time.perf_counter() - t
        t = time.perf_counter()
        ments.sindex  # STRtree over the points, built once per loaded frame
        r["index_s"] = time.perf_counter() - t
        first, best, res = timed(lambda: store.query(region=region_name, region_resolver=regions))
        r["region_first_s"], r["region_s"], r["region_hits"] = first, best, len(res)
        # centred on a place of the sample, so that the small radius has hits
        first, best, res = timed(lambda: store.query(near=centre, radius_km=50))
        r["radius50_s"], r["radius50_hits"] = best, len(res)
        first, best, res = timed(lambda: store.query(near=centre, radius_km=1000))
        r["radius1000_s"], r["radius1000_hits"] = best, len(res)
        first, best, res = timed(lambda: store.query(bbox="170,-50,-170,0"))
        r["bbox_am_s"], r["bbox_am_hits"] = best, len(res)
        first, best, res = timed(lambda: group_by(ments, "country"))
        r["groupby_country_s"] = best
        first, best, res = timed(lambda: store.query(region=region_name, region_resolver=regions,
                                                     since="2024-03-01", min_confidence=0.5))
        r["region_date_conf_s"] = best
        store = ments = res = None  # free the frames before the export and query subprocesses
        wkb = base / "region.wkb"
        wkb.write_bytes(shapely.to_wkb(region_geom))
        cold = {"region": ({"region": region_name}, wkb), "bbox": ({"bbox": "170,-50,-170,0"}, None),
                "since": ({"since": since}, None)}
        for name, (filters, region_wkb) in cold.items():
            for mode in ("memory", "streamed"):
                cnt, el, rss, cpu = query_in_child(sdir, mode, filters, region_wkb)
                r[f"cold_{name}_{mode}_s"], r[f"cold_{name}_{mode}_rss_mb"] = el, rss
                r[f"cold_{name}_{mode}_cpu_s"] = cpu
                r[f"cold_{name}_{mode}_hits"] = cnt
            assert r[f"cold_{name}_memory_hits"] == r[f"cold_{name}_streamed_hits"]
        for ext in ("geojson", "parquet"):
            out = base / f"export-{n}.{ext}"
            cnt, el, rss, base_rss, cpu = export_in_child(sdir, out)
            assert cnt == n
            r[f"export_{ext}_s"], r[f"export_{ext}_peak_rss_mb"] = el, rss
            r[f"export_{ext}_cpu_s"] = cpu  # CPU seconds: less sensitive than wall time to a busy machine
            r["import_rss_mb"] = base_rss  # the process after imports, before exporting
            r[f"export_{ext}_mb"] = out.stat().st_size / 2**20
            if not args.keep:
                out.unlink()
        rows.append(r)
        print(json.dumps({k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()}), flush=True)
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)

    cols = [("mentions", "mentions"), ("ingest_s", "ingest s"), ("load_s", "load s"), ("index_s", "STRtree s"),
            ("region_s", "region s"), ("region_first_s", "region 1st s"), ("radius50_s", "r=50km s"),
            ("radius1000_s", "r=1000km s"), ("bbox_am_s", "bbox(AM) s"), ("groupby_country_s", "group-by s"),
            ("export_geojson_s", "GeoJSON s"), ("export_geojson_cpu_s", "GeoJSON CPU s"),
            ("export_geojson_peak_rss_mb", "GeoJSON RSS MB"),
            ("export_parquet_s", "Parquet s"), ("export_parquet_peak_rss_mb", "Parquet RSS MB")]
    print()
    print("| " + " | ".join(h for _, h in cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(f"{r[k]:.3f}" if isinstance(r[k], float) else f"{r[k]:,}" for k, _ in cols) + " |")
    print("\nCold queries, each in a fresh process (open the store, query; seconds and peak RSS MB):"
          " 'in memory' loads every live row first (Store.query before it streamed), 'streamed' is Store.query.")
    print()
    print("| mentions | query | hits | in memory s | in memory RSS MB | streamed s | streamed RSS MB |")
    print("|" + "---|" * 7)
    for r in rows:
        for name, label in (("region", f"region ({region_name})"), ("bbox", "bbox 170,-50,-170,0"),
                            ("since", "since (last 30 days)")):
            k = f"cold_{name}"
            print(f"| {r['mentions']:,} | {label} | {r[k + '_memory_hits']:,} | {r[k + '_memory_s']:.3f} | "
                  f"{r[k + '_memory_rss_mb']:.0f} | {r[k + '_streamed_s']:.3f} | {r[k + '_streamed_rss_mb']:.0f} |")
    print(f"\nself peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
          f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": info, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
