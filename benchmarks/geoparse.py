"""Geoparsing side by side: eventmap, geotext and flashgeotext on the same articles.

Usage::

    python benchmarks/geoparse.py                       # both development corpora, all articles, 3 passes
    python benchmarks/geoparse.py --quick               # 30 articles per corpus, 1 pass
    python benchmarks/geoparse.py --corpus gold.jsonl   # also (or, with --no-default-corpora, only) this corpus
    python benchmarks/geoparse.py --json out.json --markdown out.md

Corpora are gold JSONL in the format of the development corpora README
(``id``, ``text``, ``toponyms: [{start, end, lat, lon}]``). Every system runs
in a subprocess of its own, one after another, over the same articles, so
its memory peak is its own and one system's caches cannot help another:

``eventmap``
    ``geo.pipeline.Pipeline()`` end to end (recognise + resolve, then the
    articles of sources with a home state resolved again, as
    ``geo.pipeline.iter_results`` does), scored exactly as ``eventmap parse``
    outputs it and ``eventmap evaluate`` scores it: demonyms ("South Korean")
    included, since corpora such as LGL annotate them as toponyms (GeoVirus
    does not; see the counts).
``eventmap-given``
    ``Pipeline(given_spans=True)`` on the gold spans: resolution alone.
``geotext``
    ``GeoText(text).cities + .countries`` (geotext returns names, no offsets:
    each distinct returned name is located in the text at every word-bounded,
    case-sensitive occurrence; occurrences inside a longer returned name's
    occurrence are dropped, since geotext's own candidates never overlap).
``flashgeotext``
    ``GeoText().extract(input_text=..., span_info=True)`` (demo data, the
    default configuration); its spans are used as given.

The peers return names, not coordinates; both get the same lookup: the most
populous non-demonym match of the surface name in eventmap's gazetteer
(``gazetteer.load().lookup(name)``; flashgeotext's canonical name is tried
when the surface name has no match). Their throughput is reported for the
extraction alone (the peer as published) and with that lookup added.

Timing: one-time initialisation (imports, gazetteer load, automaton build)
and the first articles (lazy builds) are timed apart from the passes. Each of
``--rounds`` rounds runs every system once, in a fresh process, for
``--passes`` passes; articles/s is the median of all passes, and a ratio to
geotext is the median over rounds of the ratio within a round (so a burst of
load on a shared machine hits both sides of a ratio alike). eventmap's
recognition is also timed alone, to show where its time goes. Memory: peak RSS (``VmHWM``) of the system's
process minus its RSS before the system was imported, with the corpora
already read. Scores: :func:`geo.evaluate.score` (agrees with the reference
scorer). The machine is shared and noisy: compare the printed ratios
(system articles/s ÷ geotext articles/s, same run) rather than absolute rates.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `benchmarks` and the project importable
    sys.path.insert(0, str(ROOT))

SHARED_DATA = Path(os.environ.get("EVENTMAP_SHARED_DATA", "/work/shared/data"))
DEFAULT_CORPORA = ("lgl.jsonl", "geovirus.jsonl")
SYSTEMS = ("eventmap", "eventmap-given", "geotext", "flashgeotext")
#: articles run once, untimed, before the timed passes
WARMUP = 3
#: exit status of a worker whose system is not installed
EXIT_MISSING = 3

#: accuracy targets per corpus (file stem): given-spans acc@161 strict, e2e overlap F1, e2e acc@161 strict
ACCURACY_TARGETS = {
    "lgl": {"given_acc161_strict": 0.85, "e2e_overlap_f1": 0.80, "e2e_acc161_strict": 0.75},
    "geovirus": {"given_acc161_strict": 0.92, "e2e_overlap_f1": 0.85, "e2e_acc161_strict": 0.80},
}
#: eventmap end-to-end articles/s ÷ geotext (extraction only) articles/s
THROUGHPUT_TARGET = 1.0


# --- reading corpora (worker side: json only, so peers' baselines stay small) ----------------------

def read_corpus(path: Path, limit: int | None) -> list[dict[str, Any]]:
    """Gold articles of ``path`` (first ``limit``), with a message naming file and line on bad input."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                rec["id"] = str(rec["id"])
                if not isinstance(rec["text"], str):
                    raise TypeError("'text' is not a string")
                rec.setdefault("toponyms", [])
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise SystemExit(f"{path}:{lineno}: not a gold article ({err})") from err
            out.append(rec)
            if limit is not None and len(out) >= limit:
                break
    return out


# --- memory -----------------------------------------------------------------------------------------

def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_mb() -> float:
    kb = _status_kb("VmRSS")
    if kb is None:
        import psutil

        return psutil.Process().memory_info().rss / 2 ** 20
    return kb / 1024


def peak_rss_mb() -> float:
    """Peak RSS of this process: VmHWM (ru_maxrss survives exec on Linux, VmHWM does not)."""
    kb = _status_kb("VmHWM")
    if kb is None:
        import resource

        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if sys.platform == "darwin":
            kb //= 1024
    return kb / 1024


# --- the systems (worker side) ----------------------------------------------------------------------

def _word_occurrences(text: str, name: str) -> list[tuple[int, int]]:
    pat = re.compile(r"(?<!\w)" + re.escape(name) + r"(?!\w)")
    return [(m.start(), m.end()) for m in pat.finditer(text)]


def geotext_spans(text: str, names: Sequence[str]) -> list[tuple[int, int, str]]:
    """Spans of geotext's returned ``names``: every word-bounded occurrence, longest first, no overlaps."""
    found: list[tuple[int, int, str]] = []
    for name in sorted(set(names), key=len, reverse=True):
        for s, e in _word_occurrences(text, name):
            if not any(s < fe and fs < e for fs, fe, _ in found):
                found.append((s, e, name))
    return sorted(found)


class _Lookup:
    """The peers' coordinate lookup: the most populous non-demonym gazetteer match of a name."""

    def __init__(self, gazetteer_dir: str | None) -> None:
        import gazetteer

        self.gaz = gazetteer.load(gazetteer_dir)

    def __call__(self, *names: str | None) -> tuple[float, float] | tuple[None, None]:
        for name in names:
            if not name:
                continue
            matches = [m for m in self.gaz.lookup(name) if m.kind != "demonym"]
            if matches:
                best = max(matches, key=lambda m: m.place.population)
                return best.place.lat, best.place.lon
        return None, None


def _time_passes(run_one: Callable[[dict[str, Any]], Any], articles: list[dict[str, Any]],
                 passes: int) -> tuple[float, list[float], list[Any]]:
    """(warm-up seconds, seconds per pass, outputs of the first pass)."""
    t0 = time.perf_counter()
    for a in articles[:WARMUP]:  # first calls pay for lazy builds and caches: timed apart
        run_one(a)
    warm = time.perf_counter() - t0
    times, first = [], []
    for i in range(passes):
        out = []
        t0 = time.perf_counter()
        for a in articles:
            out.append(run_one(a))
        times.append(time.perf_counter() - t0)
        if i == 0:
            first = out
    return warm, times, first


def _time_batch(run_batch: Callable[[list[Any]], list[Any]], articles: list[Any],
                passes: int) -> tuple[float, list[float], list[Any]]:
    """Like :func:`_time_passes` for a run over the whole list at once (eventmap's two passes:
    a source's articles inform each other, see ``geo.pipeline.iter_results``)."""
    t0 = time.perf_counter()
    run_batch(articles[:WARMUP])
    warm = time.perf_counter() - t0
    times, first = [], []
    for i in range(passes):
        t0 = time.perf_counter()
        out = run_batch(articles)
        times.append(time.perf_counter() - t0)
        if i == 0:
            first = out
    return warm, times, first


def _missing(name: str, err: ImportError) -> None:
    print(json.dumps({"missing": f"{name} is not installed ({err}); pip install 'eventmap[bench]'"}))
    sys.exit(EXIT_MISSING)


def run_worker(system: str, corpora: list[tuple[str, Path]], limit: int | None, passes: int,
               gazetteer_dir: str | None, out_path: Path) -> None:
    data = {label: read_corpus(path, limit) for label, path in corpora}
    base = rss_mb()
    res: dict[str, Any] = {"system": system, "rss_base_mb": base, "corpora": {}}
    t0 = time.perf_counter()

    if system in ("eventmap", "eventmap-given"):
        given = system == "eventmap-given"
        try:
            from geo.articles import Article
            from geo.pipeline import Pipeline, again_with_homes
        except ImportError as err:  # pragma: no cover - the project itself
            _missing("eventmap", err)
        res["import_s"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        pipe = Pipeline(gazetteer_dir=gazetteer_dir, given_spans=given)
        res["init_s"] = time.perf_counter() - t1
        res["init_what"] = "import geo.pipeline; Pipeline() (gazetteer load, recogniser build)"
        res["peak_after_init_mb"] = peak_rss_mb()

        def to_article(rec: dict[str, Any]) -> Any:
            spans = [(t["start"], t["end"]) for t in rec["toponyms"]] if given else None
            return Article(id=rec["id"], text=rec["text"], title=rec.get("title"), url=rec.get("url"),
                           date=rec.get("date"), toponyms=spans)

        def run_batch(arts: list[Any]) -> list[Any]:
            # what iter_results does with one window: first pass, then the sources' homes
            first = [pipe.first(a) for a in arts]
            return again_with_homes(first, lambda jobs: [pipe.again(r, h) for r, h in jobs])

        for label, recs in data.items():
            arts = [to_article(r) for r in recs]  # built outside the timed passes
            warm, times, results = _time_batch(run_batch, arts, passes)
            res.setdefault("warmup_s", warm)  # the first corpus's warm-up carries any lazy initialisation
            preds, n_dem = [], 0
            for r in results:
                ms = []
                for m in r.mentions:
                    n_dem += m.kind == "demonym"
                    p = m.place
                    ms.append({"start": m.start, "end": m.end, "text": m.text,
                               "lat": p.lat if p else None, "lon": p.lon if p else None})
                preds.append({"id": r.article.id, "mentions": ms})
            res["corpora"][label] = {"n": len(arts), "chars": sum(len(a.text) for a in arts),
                                     "pass_s": times, "predictions": preds, "demonyms": n_dem}
            if not given:  # where the time goes: recognition alone, same passes
                _, rtimes, _ = _time_passes(pipe.spans, arts, passes)
                res["corpora"][label]["recognize_pass_s"] = rtimes
        res["peak_mb"] = peak_rss_mb()

    elif system in ("geotext", "flashgeotext"):
        if system == "geotext":
            try:
                from geotext import GeoText  # builds its index at import time
            except ImportError as err:
                _missing("geotext", err)
            res["import_s"] = time.perf_counter() - t0
            res["init_s"] = 0.0
            res["init_what"] = "import geotext (builds its name index)"

            def extract(rec: dict[str, Any]) -> list[tuple[int, int, str, str | None]]:
                g = GeoText(rec["text"])
                return [(s, e, n, None) for s, e, n in geotext_spans(rec["text"], g.cities + g.countries)]
        else:
            try:
                from flashgeotext.geotext import GeoText as FlashGeoText
            except ImportError as err:
                _missing("flashgeotext", err)
            import logging

            logging.getLogger("flashgeotext").setLevel(logging.WARNING)
            res["import_s"] = time.perf_counter() - t0
            t1 = time.perf_counter()
            fgt = FlashGeoText()
            res["init_s"] = time.perf_counter() - t1
            res["init_what"] = "import flashgeotext; GeoText() (demo data, keyword automaton)"

            def extract(rec: dict[str, Any]) -> list[tuple[int, int, str, str | None]]:
                text = rec["text"]
                out: dict[tuple[int, int], tuple[int, int, str, str | None]] = {}
                for group in fgt.extract(input_text=text, span_info=True).values():
                    for canonical, info in group.items():
                        for s, e in info["span_info"]:
                            out.setdefault((s, e), (s, e, text[s:e], canonical))
                return sorted(out.values())

        res["peak_after_init_mb"] = peak_rss_mb()
        extracted = {}
        for label, recs in data.items():
            warm, times, spans = _time_passes(extract, recs, passes)
            res.setdefault("warmup_s", warm)
            extracted[label] = spans
            res["corpora"][label] = {"n": len(recs), "chars": sum(len(r["text"]) for r in recs),
                                     "pass_s": times}
        res["peak_mb"] = peak_rss_mb()  # the peer alone, before the gazetteer is loaded

        t2 = time.perf_counter()
        lookup = _Lookup(gazetteer_dir)
        res["lookup_init_s"] = time.perf_counter() - t2
        for label, recs in data.items():
            per_article = extracted[label]

            def resolve(i: int, per_article: list[Any] = per_article) -> list[dict[str, Any]]:
                ms = []
                for s, e, surface, canonical in per_article[i]:
                    lat, lon = lookup(surface, canonical)
                    ms.append({"start": s, "end": e, "text": surface, "lat": lat, "lon": lon})
                return ms

            idx = list(range(len(recs)))
            warm, times, resolved = _time_passes(lambda i: resolve(i), idx, passes)  # type: ignore[arg-type]
            res.setdefault("lookup_warmup_s", warm)
            res["corpora"][label]["lookup_pass_s"] = times
            res["corpora"][label]["predictions"] = [
                {"id": r["id"], "mentions": ms} for r, ms in zip(recs, resolved)]
        res["peak_with_lookup_mb"] = peak_rss_mb()
    else:
        raise SystemExit(f"unknown system {system!r}; choose from {', '.join(SYSTEMS)}")

    tmp = out_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(res), encoding="utf-8")
    os.replace(tmp, out_path)


# --- orchestration (parent side) --------------------------------------------------------------------

def _run_system(system: str, corpora: list[tuple[str, Path]], args: argparse.Namespace,
                workdir: Path) -> dict[str, Any]:
    out = workdir / f"{system}.json"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", system,
           "--passes", str(args.passes)]
    if args.limit is not None:
        cmd += ["--limit", str(args.limit)]
    if args.gazetteer_dir:
        cmd += ["--gazetteer-dir", args.gazetteer_dir]
    for label, path in corpora:
        cmd += ["--worker-corpus", f"{label}={path}"]
    cmd += ["--worker-out", str(out)]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, cwd=ROOT, check=False)
    except subprocess.TimeoutExpired:
        return {"system": system, "error": f"timed out after {args.timeout} s"}
    wall = time.perf_counter() - t0
    if proc.returncode == EXIT_MISSING:
        try:
            msg = json.loads(proc.stdout.strip().splitlines()[-1])["missing"]
        except (ValueError, KeyError, IndexError):
            msg = proc.stdout.strip() or "not installed"
        return {"system": system, "skipped": msg}
    if proc.returncode != 0 or not out.exists():
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-6:])
        return {"system": system, "error": f"exit status {proc.returncode}: {tail}"}
    res = json.loads(out.read_text(encoding="utf-8"))
    res["wall_s"] = wall
    return res


def _rate(n: int, secs: list[float]) -> float | None:
    med = statistics.median(secs) if secs else 0.0
    return n / med if med > 0 else None


def merge_rounds(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One system's worker results over several rounds: passes pooled, init medians, peaks maxima.

    Predictions come from the first round (the systems are deterministic);
    ``round_rates`` keeps each round's articles/s for paired ratios.
    """
    ok = [r for r in rounds if "corpora" in r and not r.get("error") and not r.get("skipped")]
    if not ok:
        return rounds[-1]
    out = dict(ok[0])
    for k in ("import_s", "init_s", "lookup_init_s", "warmup_s", "lookup_warmup_s", "rss_base_mb", "wall_s"):
        vals = [r[k] for r in ok if r.get(k) is not None]
        if vals:
            out[k] = statistics.median(vals)
    for k in ("peak_mb", "peak_after_init_mb", "peak_with_lookup_mb"):
        vals = [r[k] - r["rss_base_mb"] for r in ok if r.get(k) is not None]
        if vals:  # keep "peak - base" of the worst round
            out[k] = max(vals) + out["rss_base_mb"]
    out["gazetteer_rebuilt"] = any(r.get("gazetteer_rebuilt") for r in rounds)
    out["rounds"] = len(ok)
    out["corpora"] = {}
    for label, c0 in ok[0]["corpora"].items():
        c = dict(c0)
        for k in ("pass_s", "lookup_pass_s", "recognize_pass_s"):
            if k in c0:
                c[k] = [t for r in ok for t in r["corpora"][label].get(k, [])]
        c["round_rates"] = [_rate(c0["n"], r["corpora"][label]["pass_s"]) for r in ok]
        if "lookup_pass_s" in c0:
            c["round_rates_with_lookup"] = [
                _rate(c0["n"], [statistics.median(r["corpora"][label]["pass_s"])
                                + statistics.median(r["corpora"][label]["lookup_pass_s"])]) for r in ok]
        out["corpora"][label] = c
    return out


def _paired_ratio(a: list[float | None] | None, b: list[float | None] | None) -> float | None:
    """Median over rounds of a[i] / b[i]: systems run close together in time, so load bursts cancel."""
    if not a or not b:
        return None
    rs = [x / y for x, y in zip(a, b) if x and y]
    return statistics.median(rs) if rs else None


def summarise(results: dict[str, dict[str, Any]], gold: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Scores and rates per system and corpus, plus ratios to geotext."""
    from geo.evaluate import score

    summary: dict[str, Any] = {"systems": {}, "corpora": {}}
    for system, res in results.items():
        s: dict[str, Any] = {k: res.get(k) for k in ("skipped", "error", "gazetteer_rebuilt", "import_s",
                                                      "init_s", "init_what", "rounds",
                                                      "lookup_init_s", "rss_base_mb", "wall_s", "warmup_s",
                                                      "lookup_warmup_s")}
        if "peak_mb" in res:
            s["peak_delta_mb"] = res["peak_mb"] - res["rss_base_mb"]
        if "peak_after_init_mb" in res:
            s["init_delta_mb"] = res["peak_after_init_mb"] - res["rss_base_mb"]
        if "peak_with_lookup_mb" in res:
            s["peak_delta_with_lookup_mb"] = res["peak_with_lookup_mb"] - res["rss_base_mb"]
        s["corpora"] = {}
        for label, c in (res.get("corpora") or {}).items():
            g = gold[label][: c["n"]]
            entry: dict[str, Any] = {"n": c["n"], "chars": c["chars"], "pass_s": c["pass_s"],
                                     "articles_per_s": _rate(c["n"], c["pass_s"])}
            if "recognize_pass_s" in c:
                entry["recognize_articles_per_s"] = _rate(c["n"], c["recognize_pass_s"])
            if "lookup_pass_s" in c:
                e2e = [statistics.median(c["pass_s"]) + statistics.median(c["lookup_pass_s"])]
                entry["articles_per_s_with_lookup"] = _rate(c["n"], e2e)
            if "demonyms" in c:
                entry["demonyms"] = c["demonyms"]
            rr = c.get("round_rates") or [entry["articles_per_s"]]
            entry["round_rates"] = rr
            entry["round_rates_e2e"] = c.get("round_rates_with_lookup") or rr  # peers: with lookup
            entry["scores"] = score(g, c["predictions"])
            s["corpora"][label] = entry
        summary["systems"][system] = s

    for label in gold:
        geo = summary["systems"].get("geotext", {}).get("corpora", {}).get(label, {})
        ratios = {}
        for system, s in summary["systems"].items():
            e = s["corpora"].get(label, {})
            if e and geo:
                ratios[system] = {
                    "vs_geotext": _paired_ratio(e["round_rates"], geo["round_rates"]),
                    "vs_geotext_with_lookup": _paired_ratio(e["round_rates_e2e"], geo["round_rates_e2e"])}
        summary["corpora"][label] = {"ratios": ratios}
    summary["targets"] = check_targets(summary)
    return summary


def check_targets(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with its measured value and whether it is met (None: not measured)."""
    rows = []
    systems = summary["systems"]

    def get(system: str, label: str, *path: str) -> Any:
        x: Any = systems.get(system, {}).get("corpora", {}).get(label)
        for p in path:
            if x is None:
                return None
            x = x.get(p)
        return x

    for label, ratios in summary["corpora"].items():
        r = ratios["ratios"].get("eventmap", {}).get("vs_geotext")
        rows.append({"corpus": label, "target": "eventmap e2e articles/s ÷ geotext", "goal": THROUGHPUT_TARGET,
                     "value": r, "met": None if r is None else r >= THROUGHPUT_TARGET})
        stem = label.lower()
        if stem not in ACCURACY_TARGETS:
            continue
        t = ACCURACY_TARGETS[stem]
        for name, value in (
            ("given_acc161_strict", get("eventmap-given", label, "scores", "resolution", "acc161_all")),
            ("e2e_overlap_f1", get("eventmap", label, "scores", "recognition", "overlap", "F1")),
            ("e2e_acc161_strict", get("eventmap", label, "scores", "resolution", "acc161_all")),
        ):
            rows.append({"corpus": label, "target": name, "goal": t[name], "value": value,
                         "met": None if value is None else value >= t[name]})
    return rows


# --- reporting --------------------------------------------------------------------------------------

def _f(x: Any, nd: int = 3) -> str:
    return "–" if x is None else f"{x:.{nd}f}"


def markdown(summary: dict[str, Any], meta: dict[str, Any]) -> str:
    from benchmarks._machine import header

    lines = [header(info=meta), ""]
    n_passes = meta.get("passes")
    limit = meta.get("limit")
    rounds = meta.get("rounds", 1)
    lines.append(f"Articles per corpus: {'all' if limit is None else f'first {limit}'}; {rounds} round(s), each "
                 f"running every system in a fresh process for {n_passes} timed pass(es); articles/s = median "
                 f"of the {rounds * n_passes} passes; init timed apart (median over rounds), peak memory = worst "
                 "round. Ratios to geotext are medians over rounds of the ratio within a round "
                 "(extraction only / with the same gazetteer lookup).")
    if (meta.get("gazetteer_ready_s") or 0) > 2:
        lines.append(f"The gazetteer was missing or stale and was built before the systems ran "
                     f"({meta['gazetteer_ready_s']:.0f} s, not counted).")
    lines.append("")
    for system, s in summary["systems"].items():
        if s.get("skipped"):
            lines.append(f"- **{system}** skipped: {s['skipped']}")
        elif s.get("error"):
            lines.append(f"- **{system}** FAILED: {s['error'].splitlines()[-1] if s['error'] else ''}")
        if s.get("gazetteer_rebuilt"):
            lines.append(f"- **{system}**: the gazetteer artefact was rebuilt while it ran, twice: its init, "
                         "memory and maybe speed figures include a build; re-run when the gazetteer is stable.")
    lines.append("")

    lines += ["### Throughput", "",
              ("| corpus | system | articles | articles/s | ms/article | k chars/s | ÷ geotext | ÷ geotext with lookup "
              "| articles/s with lookup |"),
              "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for label, c in summary["corpora"].items():
        for system, s in summary["systems"].items():
            e = s["corpora"].get(label)
            if not e:
                continue
            rate = e["articles_per_s"]
            ratio = c["ratios"].get(system, {})
            lines.append(
                f"| {label} | {system} | {e['n']} | {_f(rate, 1)} | {_f(1000 / rate if rate else None, 2)} "
                f"| {_f(rate * e['chars'] / e['n'] / 1000 if rate and e['n'] else None, 0)} "
                f"| {_f(ratio.get('vs_geotext'), 2)} | {_f(ratio.get('vs_geotext_with_lookup'), 2)} "
                f"| {_f(e.get('articles_per_s_with_lookup'), 1)} |")
            r_rate = e.get("recognize_articles_per_s")
            if r_rate:
                geo = summary["systems"].get("geotext", {}).get("corpora", {}).get(label, {}).get("articles_per_s")
                lines.append(
                    f"| {label} | {system} (recognition only) | {e['n']} | {_f(r_rate, 1)} "
                    f"| {_f(1000 / r_rate, 2)} | {_f(r_rate * e['chars'] / e['n'] / 1000 if e['n'] else None, 0)} "
                    f"| {_f(r_rate / geo if geo else None, 2)} | – | – |")
    lines += ["", ("Peers' articles/s is their extraction alone; 'with lookup' adds the gazetteer lookup "
              "that gives them coordinates. eventmap's figure is end to end (recognition + resolution). "
              "'÷ geotext' divides a system's articles/s by geotext's extraction-only rate; "
              "'÷ geotext with lookup' divides its end-to-end rate (peers: with lookup) by geotext's with lookup. "
              f"The first {WARMUP} articles of each corpus run once before the passes (warm-up, timed apart: "
              "lazy initialisation shows there)."), ""]

    lines += ["### Initialisation and memory", "",
              (f"| system | import s | init s | first {WARMUP} articles s | lookup init s | RSS Δ after init MB "
              "| peak RSS Δ MB | peak RSS Δ with lookup MB | what init does |"),
              "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for system, s in summary["systems"].items():
        if not s["corpora"]:
            continue
        lines.append(
            f"| {system} | {_f(s.get('import_s'), 2)} | {_f(s.get('init_s'), 2)} | {_f(s.get('warmup_s'), 2)} "
            f"| {_f(s.get('lookup_init_s'), 2)} "
            f"| {_f(s.get('init_delta_mb'), 0)} | {_f(s.get('peak_delta_mb'), 0)} "
            f"| {_f(s.get('peak_delta_with_lookup_mb'), 0)} "
            f"| {s.get('init_what') or ''} |")
    lines += ["", ("Peak RSS Δ: the system's process peak (VmHWM) minus its RSS before importing the system, "
              "corpora already read; peers are measured before and after loading the gazetteer for the lookup."), ""]

    lines += ["### Accuracy", "",
              ("| corpus | system | gold | pred | P exact | R exact | F1 exact | P overlap | R overlap | F1 overlap "
              "| acc@161 | acc@161 strict | mean km | median km | AUC | coverage |"),
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for label in summary["corpora"]:
        for system, s in summary["systems"].items():
            e = s["corpora"].get(label)
            if not e:
                continue
            sc = e["scores"]
            ex, ov, rs = sc["recognition"]["exact"], sc["recognition"]["overlap"], sc["resolution"]
            name = system + (" (gold spans)" if system == "eventmap-given" else "")
            lines.append(
                f"| {label} | {name} | {sc['gold_toponyms']} | {ex['pred']} | {_f(ex['P'])} | {_f(ex['R'])} "
                f"| {_f(ex['F1'])} | {_f(ov['P'])} | {_f(ov['R'])} | {_f(ov['F1'])} | {_f(rs['acc161'])} "
                f"| {_f(rs['acc161_all'])} | {_f(rs['mean_km'], 0)} | {_f(rs['median_km'], 0)} "
                f"| {_f(rs['auc'])} | {_f(rs['coverage'])} |")
    lines.append("")
    dem = {label: e.get("demonyms") for label, e in
           summary["systems"].get("eventmap", {}).get("corpora", {}).items()}
    if dem:
        lines.append("eventmap demonym mentions (scored, as `eventmap parse` outputs them): "
                     + ", ".join(f"{k} {v}" for k, v in dem.items()) + ".")
        lines.append("")

    lines += ["### Targets", "", "| corpus | target | goal | measured | status |", "|---|---|---:|---:|---|"]
    for t in summary["targets"]:
        status = "not measured" if t["met"] is None else ("met" if t["met"] else "**MISSED**")
        lines.append(f"| {t['corpus']} | {t['target']} | ≥ {t['goal']:.2f} | {_f(t['value'])} | {status} |")
    lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", action="append", default=[], metavar="PATH",
                    help="Gold JSONL corpus to add (repeatable).")
    ap.add_argument("--no-default-corpora", action="store_true",
                    help=f"Do not add {', '.join(DEFAULT_CORPORA)} from {SHARED_DATA}.")
    ap.add_argument("--limit", type=int, default=None, help="First N articles of each corpus.")
    ap.add_argument("--passes", type=int, default=3, help="Timed passes per system, corpus and round.")
    ap.add_argument("--rounds", type=int, default=3,
                    help="Rounds of running every system (a fresh process each); rates are medians over all "
                         "passes, ratios medians over rounds.")
    ap.add_argument("--quick", action="store_true", help="--limit 30 --passes 1 --rounds 1 (under a minute).")
    ap.add_argument("--systems", default=",".join(SYSTEMS), help="Comma-separated subset of: " + ", ".join(SYSTEMS))
    ap.add_argument("--gazetteer-dir", default=None, help="Gazetteer data dir (default: eventmap's).")
    ap.add_argument("--timeout", type=float, default=900.0, help="Seconds allowed per system.")
    ap.add_argument("--json", dest="json_out", default=None, help="Write the full results as JSON here.")
    ap.add_argument("--markdown", default=None, help="Write the Markdown section here.")
    # worker mode (internal)
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--worker-corpus", action="append", default=[], help=argparse.SUPPRESS)
    ap.add_argument("--worker-out", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        corpora = [(lbl, Path(p)) for lbl, p in (c.split("=", 1) for c in args.worker_corpus)]
        run_worker(args.worker, corpora, args.limit, args.passes, args.gazetteer_dir, Path(args.worker_out))
        return 0

    if args.quick:
        args.limit = 30 if args.limit is None else args.limit
        args.passes = 1
        args.rounds = 1
    if args.passes < 1 or args.rounds < 1:
        ap.error("--passes and --rounds must be at least 1")
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    for s in systems:
        if s not in SYSTEMS:
            ap.error(f"unknown system {s!r}; choose from {', '.join(SYSTEMS)}")

    paths = [] if args.no_default_corpora else [SHARED_DATA / c for c in DEFAULT_CORPORA if (SHARED_DATA / c).exists()]
    paths += [Path(p) for p in args.corpus]
    if not paths:
        ap.error(f"no corpus: none of {', '.join(DEFAULT_CORPORA)} in {SHARED_DATA} and no --corpus given")
    corpora: list[tuple[str, Path]] = []
    for p in paths:
        if not p.is_file():
            ap.error(f"corpus {str(p)!r} is not a readable file")
        label, k = p.stem, 2
        while label in {lbl for lbl, _ in corpora}:
            label, k = f"{p.stem}-{k}", k + 1
        corpora.append((label, p.resolve()))

    from benchmarks._machine import machine_info
    from geo.evaluate import load_gold

    raw = list(sys.argv if argv is None else ["benchmarks/geoparse.py", *argv])
    shown = [a for i, a in enumerate(raw)  # where the output goes is not part of the figures' provenance
             if a not in ("--json", "--markdown") and (i == 0 or raw[i - 1] not in ("--json", "--markdown"))]
    meta = machine_info(argv=shown)
    meta.update({"passes": args.passes, "rounds": args.rounds, "limit": args.limit, "systems": systems,
                 "corpora": {lbl: str(p) for lbl, p in corpora}})
    gold = {}
    for label, p in corpora:
        try:
            g = load_gold(p)
            for lineno, rec in enumerate(g, 1):
                if not isinstance(rec.get("text"), str) or not isinstance(rec.get("toponyms"), list):
                    raise TypeError(f"{p}: article {lineno} ({rec.get('id')!r}) needs 'text' and 'toponyms'")
        except (OSError, UnicodeDecodeError, KeyError, TypeError, ValueError) as err:  # InputError: a ValueError
            ap.error(str(err) if str(p) in str(err) else f"corpus {p}: {err}")
        if not g:
            ap.error(f"corpus {p} holds no article")
        gold[label] = g if args.limit is None else g[: args.limit]

    # a missing or stale gazetteer is (re)built here, not inside a system's timed initialisation
    # (builds are bench_gazetteer.py's business)
    import gazetteer

    t0 = time.perf_counter()
    artefact = gazetteer.load(args.gazetteer_dir).path
    meta["gazetteer_ready_s"] = time.perf_counter() - t0

    def stamp() -> tuple[float, int] | None:
        try:
            st = artefact.stat()
            return st.st_mtime, st.st_size
        except OSError:
            return None

    per_round: dict[str, list[dict[str, Any]]] = {s: [] for s in systems}
    with tempfile.TemporaryDirectory(prefix="eventmap-geoparse-") as tmp:
        for rnd in range(1, args.rounds + 1):
            # every round runs every system once, one after another: a burst of load on the shared
            # machine then hits all systems of a round alike, and ratios are taken within rounds
            for system in systems:
                if per_round[system] and (per_round[system][-1].get("skipped") or per_round[system][-1].get("error")):
                    continue
                for attempt in (1, 2):
                    print(f"round {rnd}/{args.rounds}: running {system} ...", file=sys.stderr, flush=True)
                    before = stamp()
                    res = _run_system(system, corpora, args, Path(tmp))
                    if stamp() == before:
                        break
                    # another process (or a stale artefact) rebuilt the gazetteer meanwhile: the figures
                    # include a build; run once more on the fresh artefact
                    res["gazetteer_rebuilt"] = True
                    print(f"{system}: the gazetteer was rebuilt during the run" +
                          ("; running again" if attempt == 1 else ""), file=sys.stderr, flush=True)
                per_round[system].append(res)
    results = {}
    for system, rounds in per_round.items():
        bad = [r for r in rounds if r.get("error") or r.get("skipped")]
        results[system] = bad[0] if bad else merge_rounds(rounds)
    summary = summarise(results, gold)
    md = markdown(summary, meta)
    print(md)
    if args.json_out:
        out = {"meta": meta, "summary": summary}
        Path(args.json_out).write_text(json.dumps(out, indent=1), encoding="utf-8")
    if args.markdown:
        Path(args.markdown).write_text(md, encoding="utf-8")
    failed = [s for s, r in results.items() if r.get("error")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
