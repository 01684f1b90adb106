"""How much of a gold corpus the gazetteer can name and place.

For every gold toponym of the development corpora (``/work/shared/data``, read
at run time only) it reports:

- name coverage: the toponym's text is some place's name or alternate name
  (after :func:`gazetteer.normalize`, so case-insensitive), over all
  mentions, over the mentions that have a gold point (the geocodable ones;
  LGL's others are mostly street addresses) and over distinct names;
- oracle placement: among the candidates of a covered name, one lies within
  161 km of the gold point (the best a resolver could do);
- top-1 placement: the first candidate (the prior alone) lies within 161 km;
- street and road names: how many gold toponyms are a street or a numbered road
  ("Main Street", "Route 66", "NC 55"; last word a street-type word of
  :data:`geo._lexicon.STREET_WORDS`, or a route number), which no offline data
  package holds, and the mention coverage without them;
- point agreement by feature code: for gold toponyms with a GeoNames id that
  the gazetteer has under the same id ("gn:<id>"), the distance between our
  point and the gold point (median km and share within 161 km).  This is how
  the derived points of countries and admin areas are checked.

Usage::

    python benchmarks/gazetteer_coverage.py [--data /work/shared/data] [--data-dir DIR]
        [--show-missing N]

``--show-missing`` prints the N most frequent uncovered names, for diagnosis
only: fixes must be general methods, never copies of corpus names.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._machine import header  # noqa: E402

import gazetteer  # noqa: E402


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


_ROUTE = re.compile(r"\d")


def is_street(name: str) -> bool:
    """A street or numbered road ("Main St.", "Lakeshore Parkway", "Ohio 7", "US-66")."""
    from geo import _lexicon as lex

    words = gazetteer.normalize(name).split()
    return bool(words) and (words[-1] in lex.STREET_WORDS or bool(_ROUTE.search(name)))


def measure(gaz: gazetteer.Gazetteer, path: Path, show_missing: int = 0) -> dict:
    mentions = covered = with_pt = oracle = top1 = gold_pt = gold_pt_cov = 0
    streets = streets_cov = 0
    names: set[str] = set()
    names_cov: set[str] = set()
    missing: Counter[str] = Counter()
    by_code: dict[str, list[float]] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            art = json.loads(line)
            for t in art.get("toponyms") or []:
                mentions += 1
                if t.get("geonameid") and t.get("lat") is not None:
                    same = gaz.get(f"gn:{t['geonameid']}")
                    if same is not None:
                        by_code.setdefault(t.get("fcode") or "?", []).append(
                            _km(same.lat, same.lon, t["lat"], t["lon"]))
                key = gazetteer.normalize(t["name"])
                names.add(key)
                if is_street(t["name"]):
                    streets += 1
                    streets_cov += gaz.known(key)
                has_pt = t.get("lat") is not None and t.get("lon") is not None
                gold_pt += has_pt
                gold_pt_cov += has_pt and gaz.known(key)
                if not gaz.known(key):
                    missing[t["name"]] += 1
                    continue
                covered += 1
                names_cov.add(key)
                if t.get("lat") is None or t.get("lon") is None:
                    continue
                with_pt += 1
                cands = gaz.lookup(t["name"])
                dists = [_km(m.place.lat, m.place.lon, t["lat"], t["lon"]) for m in cands]
                if dists and min(dists) <= 161:
                    oracle += 1
                if dists and dists[0] <= 161:
                    top1 += 1
    out = {
        "corpus": path.stem,
        "mentions": mentions,
        "mention_coverage": covered / mentions if mentions else 0.0,
        "street_names": streets,
        "coverage_without_streets": ((covered - streets_cov) / (mentions - streets)
                                     if mentions > streets else 0.0),
        "mentions_with_point": gold_pt,
        "coverage_with_point": gold_pt_cov / gold_pt if gold_pt else 0.0,
        "distinct_names": len(names),
        "name_coverage": len(names_cov) / len(names) if names else 0.0,
        "covered_with_point": with_pt,
        "oracle_acc161": oracle / with_pt if with_pt else 0.0,
        "top1_acc161": top1 / with_pt if with_pt else 0.0,
    }
    out["point_agreement"] = {
        code: {"n": len(d), "median_km": statistics.median(d),
               "acc161": sum(x <= 161 for x in d) / len(d)}
        for code, d in sorted(by_code.items(), key=lambda kv: -len(kv[1])) if len(d) >= 5}
    if show_missing:
        out["most_missed"] = missing.most_common(show_missing)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default="/work/shared/data", help="dir with lgl.jsonl, geovirus.jsonl")
    ap.add_argument("--data-dir", default=None, help="gazetteer data dir")
    ap.add_argument("--show-missing", type=int, default=0, metavar="N")
    args = ap.parse_args(argv)
    print(header())
    t = time.perf_counter()
    gaz = gazetteer.load(args.data_dir)
    print(f"gazetteer: {gaz.path} ({gaz.meta.get('places')} places), "
          f"loaded in {time.perf_counter() - t:.2f} s")
    for name in ("lgl", "geovirus"):
        path = Path(args.data) / f"{name}.jsonl"
        if not path.exists():
            print(f"{name}: {path} not found, skipped")
            continue
        r = measure(gaz, path, args.show_missing)
        print(f"{r['corpus']:9s} mentions {r['mentions']:5d}  coverage {r['mention_coverage']:.3f}  "
              f"| with a gold point {r['mentions_with_point']:5d}  coverage {r['coverage_with_point']:.3f}  "
              f"| distinct names {r['distinct_names']:5d}  coverage {r['name_coverage']:.3f}\n"
              f"{'':9s} street/road names {r['street_names']}  coverage without them "
              f"{r['coverage_without_streets']:.3f}\n"
              f"{'':9s} oracle@161 {r['oracle_acc161']:.3f}  top1@161 {r['top1_acc161']:.3f} "
              f"(of {r['covered_with_point']} covered mentions with a gold point)")
        for code, a in r["point_agreement"].items():
            print(f"    same-id points {code:5s} n {a['n']:4d}  median {a['median_km']:7.1f} km  "
                  f"within 161 km {a['acc161']:.3f}")
        for missed, n in r.get("most_missed", []):
            print(f"    missed {n:3d}  {missed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
