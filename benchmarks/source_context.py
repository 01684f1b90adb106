"""Source context on the development corpora: weight, thresholds, halves, and the ranking ceiling.

Given-spans mode (resolution alone), acc@161 strict, for each corpus:

- the ``src_home`` weight swept over ``--weights``, on all articles and on the
  even and odd article lines (the held-out check), with the mentions each weight
  fixes and breaks against weight 0 (no source context);
- the thresholds of :mod:`geo._sources` (``MIN_SHARE``, ``MIN_OTHERS``) swept at
  the shipped weight;
- the ranking ceiling with the shipped settings: gold toponyms that are wrong
  although one of the span's candidates lies within 161 km (re-ranking errors),
  and the accuracy a perfect ranker over those candidates would reach.

Usage::

    python benchmarks/source_context.py [CORPUS.jsonl ...]

Default corpora: ``/work/shared/data/{lgl,geovirus}.jsonl`` (read at run time
only; nothing from them is stored). Each first pass is computed once; the
sweeps re-run only the second pass.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = Path("/work/shared/data")
KM = 161.0


def _ok(place: Any, gold: dict[str, Any]) -> bool:
    from geo.coords import haversine_km

    return place is not None and float(haversine_km(gold["lat"], gold["lon"], place.lat, place.lon)) <= KM


def _score(records: list[dict[str, Any]], results: list[Any]) -> tuple[dict[str, float], list[bool]]:
    """acc@161 strict on all, even and odd article lines, and the per-toponym outcomes."""
    hits = {"all": [0, 0], "even": [0, 0], "odd": [0, 0]}
    flat: list[bool] = []
    for line, (rec, res) in enumerate(zip(records, results)):
        by_span = {(m.start, m.end): m for m in res.mentions}
        for t in rec["toponyms"]:
            if t.get("lat") is None:
                continue
            m = by_span[(t["start"], t["end"])]
            ok = _ok(m.place, t)
            flat.append(ok)
            for key in ("all", "even" if line % 2 == 0 else "odd"):
                hits[key][0] += ok
                hits[key][1] += 1
    return {k: a / n if n else 0.0 for k, (a, n) in hits.items()}, flat


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpora", nargs="*", type=Path,
                    default=[DATA / "lgl.jsonl", DATA / "geovirus.jsonl"])
    ap.add_argument("--weights", default="0,1,2,3,4,5,6")
    ap.add_argument("--shares", default="0.3,0.5,0.7")
    ap.add_argument("--others", default="1,2,4")
    args = ap.parse_args(argv)

    import geo._ranker as rk
    from geo import _sources
    from geo.articles import Article
    from geo.pipeline import Pipeline, source_homes

    pipe = Pipeline(given_spans=True)
    k = rk.IDX["src_home"]
    shipped = (pipe.resolve.weights[k], _sources.MIN_SHARE, _sources.MIN_OTHERS)

    def second(first: list[Any], homes: list[Any]) -> list[Any]:
        return [pipe.again(r, h) if h is not None else r for r, h in zip(first, homes)]

    for path in args.corpora:
        records = [json.loads(line) for line in path.open(encoding="utf-8")]
        articles = [Article(id=r["id"], text=r["text"], url=r.get("url"), source=r.get("source"),
                            toponyms=[(t["start"], t["end"]) for t in r["toponyms"]]) for r in records]
        first = [pipe.first(a) for a in articles]
        homes = source_homes(first)
        print(f"\n## {path.name}: {len(records)} articles, {sum(h is not None for h in homes)} with a "
              f"source home (weight {shipped[0]:g}, share ≥ {shipped[1]:g}, ≥ {shipped[2]} other articles)")
        print("| src_home weight | acc@161 strict | even | odd | fixed vs 0 | broken vs 0 |\n|---|---|---|---|---|---|")
        _, base = _score(records, first)
        for w in (float(x) for x in args.weights.split(",")):
            pipe.resolve.weights[k] = w
            acc, flat = _score(records, second(first, homes))
            fixed = sum(b and not a for a, b in zip(base, flat))
            broken = sum(a and not b for a, b in zip(base, flat))
            print(f"| {w:g} | {acc['all']:.4f} | {acc['even']:.4f} | {acc['odd']:.4f} | {fixed} | {broken} |")
        pipe.resolve.weights[k] = shipped[0]

        print("\n| min share | min other articles | sources' articles with a home | acc@161 strict |\n|---|---|---|---|")
        for share in (float(x) for x in args.shares.split(",")):
            for others in (int(x) for x in args.others.split(",")):
                _sources.MIN_SHARE, _sources.MIN_OTHERS = share, others
                h = source_homes(first)
                acc, _ = _score(records, second(first, h))
                print(f"| {share:g} | {others} | {sum(x is not None for x in h)} | {acc['all']:.4f} |")
        _sources.MIN_SHARE, _sources.MIN_OTHERS = shipped[1], shipped[2]

        final = second(first, homes)
        acc, flat = _score(records, final)
        rerank = 0
        i = 0
        for rec, res in zip(records, final):
            by_span = {(m.start, m.end): m for m in res.mentions}
            for t in rec["toponyms"]:
                if t.get("lat") is None:
                    continue
                if not flat[i] and by_span[(t["start"], t["end"])].place is not None and any(
                        _ok(c.place, t) for c in pipe.resolve.candidates(rec["text"][t["start"]:t["end"]]).matches):
                    rerank += 1
                i += 1
        n = len(flat)
        print(f"\nshipped: acc@161 strict {acc['all']:.4f} ({sum(flat)}/{n}); re-ranking errors {rerank}; "
              f"a perfect ranker over each span's candidates: {(sum(flat) + rerank) / n:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
