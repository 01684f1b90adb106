"""Run every benchmark and write their tables into BENCHMARKS.md.

Usage::

    python benchmarks/run.py                      # full run (< 15 min), updates BENCHMARKS.md
    python benchmarks/run.py --quick              # under a minute: small samples, 1 pass
    python benchmarks/run.py --only geoparse      # re-run one section, keep the others
    python benchmarks/run.py --quick --output /tmp/B.md --corpus gold.jsonl --no-default-corpora

Each benchmark runs as a subprocess (``benchmarks/<script>``, with its own
small-sample flags in ``--quick`` mode); a missing script is reported as "not
yet measured". Its output goes into its own section of the Markdown file,
between ``<!-- BEGIN name -->`` and ``<!-- END name -->`` markers, so hand
written text outside the markers survives re-runs and ``--only`` leaves the
other sections as they were. The "Targets at a glance" section is rebuilt
from the figures recorded in every section of the file (a ``<!-- figures
... -->`` comment per section), so it stays true after partial re-runs.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._machine import header, machine_info

BENCH_DIR = ROOT / "benchmarks"


@dataclass
class Target:
    """One target of the project's issues: ``key`` names the figure in a benchmark's output."""

    label: str
    key: str
    op: str  # "<=" or ">="
    goal: float
    unit: str = ""


@dataclass
class Bench:
    """One benchmark script and how to call it."""

    name: str
    title: str
    script: str
    #: option groups for --quick; a group is passed when the script knows its first item
    quick_args: list[list[str]] = field(default_factory=list)
    full_args: list[list[str]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    #: seconds allowed (quick, full)
    timeout: tuple[float, float] = (120.0, 900.0)
    #: reads the development corpora (skipped without them, or with --no-default-corpora)
    needs_corpora: bool = False


BENCHES = [
    Bench("geoparse", "Geoparsing: eventmap, geotext and flashgeotext side by side", "geoparse.py",
          quick_args=[["--quick"]], timeout=(300.0, 900.0),  # quick: room for a first gazetteer build
          targets=[
              Target("LGL: eventmap e2e articles/s ÷ geotext", "lgl/throughput_ratio", ">=", 1.0, "×"),
              Target("LGL: given-spans acc@161 strict", "lgl/given_acc161_strict", ">=", 0.85),
              Target("LGL: end-to-end overlap F1", "lgl/e2e_overlap_f1", ">=", 0.80),
              Target("LGL: end-to-end acc@161 strict", "lgl/e2e_acc161_strict", ">=", 0.75),
              Target("GeoVirus: eventmap e2e articles/s ÷ geotext", "geovirus/throughput_ratio", ">=", 1.0, "×"),
              Target("GeoVirus: given-spans acc@161 strict", "geovirus/given_acc161_strict", ">=", 0.92),
              Target("GeoVirus: end-to-end overlap F1", "geovirus/e2e_overlap_f1", ">=", 0.85),
              Target("GeoVirus: end-to-end acc@161 strict", "geovirus/e2e_acc161_strict", ">=", 0.80),
          ]),
    Bench("long_text", "Long texts: parse time against a text's length", "bench_long_text.py",
          quick_args=[["--quick"]],
          targets=[
              # linear: s per million characters at 2 M characters ÷ at 0.25 M
              Target("one 2M-character text: time per character ÷ a 0.25M one's (linear)", "growth",
                     "<=", 1.25, "×"),
              # the gazetteer and the imports are most of it: a list of 3,000 names must not add GBs
              Target("one list of 3,000 town names: peak RSS", "list_peak_rss_mb", "<=", 600, "MB"),
          ]),
    Bench("gazetteer", "Gazetteer: build, load, lookup", "bench_gazetteer.py",
          quick_args=[["--quick"], ["--skip-build"], ["--n", "1000"]],
          targets=[
              Target("gazetteer build", "build_s", "<=", 60, "s"),
              Target("gazetteer cold load", "cold_load_s", "<=", 1.0, "s"),
              Target("gazetteer RSS", "rss_mb", "<=", 600, "MB"),
              Target("exact lookup p50 (first call)", "lookup_first_p50_us", "<=", 20, "µs"),
              Target("exact lookup p50 (cached)", "lookup_cached_p50_us", "<=", 20, "µs"),
              Target("reverse lookup p50", "reverse_p50_us", "<=", 50, "µs"),
          ]),
    # quick: no Chromium timings (a smoke run on a busy machine must not hang on a browser;
    # the browser behaviour itself is covered by tests/test_browser_*.py)
    Bench("maps", "Maps: write time, size, time to interactive", "bench_maps.py",
          quick_args=[["--quick"], ["--no-browser"]],
          targets=[
              Target("map 100k mentions/10k places: write", "100k/write_s", "<=", 10, "s"),
              Target("map 100k mentions/10k places: size", "100k/size_mb", "<=", 30, "MB"),
              Target("map 100k mentions/10k places: Chromium time to interactive", "100k/interactive_s",
                     "<=", 5, "s"),
          ]),
    Bench("store", "Store: queries and export", "bench_store.py",
          quick_args=[["--quick"]],
          targets=[
              Target("store 1M mentions: region query", "1M/region_s", "<=", 0.5, "s"),
              Target("store 1M mentions: radius query (1000 km)", "1M/radius1000_s", "<=", 0.5, "s"),
              Target("store 1M mentions: group by country", "1M/groupby_country_s", "<=", 1.0, "s"),
              Target("store 1M mentions: GeoJSON export", "1M/export_geojson_s", "<=", 15, "s"),
              # "flat memory" read as: 10x the rows (100k -> 1M) cost the export process at most 25% more
              # peak RSS (the whole 10k -> 1M curve is in the store section's table)
              Target("store GeoJSON export peak RSS, 1M ÷ 100k rows (flat memory)", "export_geojson_rss_growth",
                     "<=", 1.25, "×"),
          ]),
    Bench("online", "Online geocoding overhead (local fake Nominatim)", "bench_online.py",
          quick_args=[["--quick"]]),
    Bench("coverage", "Gazetteer coverage of the development corpora (the resolver's ceiling)",
          "gazetteer_coverage.py", needs_corpora=True),
]

SHARED_DATA = Path(os.environ.get("EVENTMAP_SHARED_DATA", "/work/shared/data"))

PREAMBLE = """# Benchmarks

Produced by `python benchmarks/run.py` (full) or `python benchmarks/run.py --quick` (a smoke run in
under a minute; its figures are not representative). Each section below is rewritten by the runner
between its `BEGIN`/`END` markers and starts with the exact command, the machine, the Python and
package versions and the date. The development machine is shared with other jobs: compare ratios
measured in the same run rather than absolute rates across runs.

"""

_FIGURES = re.compile(r"<!-- figures (\{.*?\}) -->")


def _accepts(script: Path, flag: str) -> bool:
    """Whether ``script`` mentions ``flag`` (argparse/click option) — cheap, no import."""
    try:
        return re.search(rf"['\"]{re.escape(flag)}['\"]", script.read_text(encoding="utf-8")) is not None
    except OSError:
        return False


def _rel(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(ROOT))
    except ValueError:
        return str(p)


# --- figures from a benchmark's output --------------------------------------------------------------

_NUM = r"([-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?)"


def figures_from_text(text: str) -> dict[str, float]:
    """``name value`` lines and ``| name | value ... |`` rows of a benchmark's output, by name."""
    out: dict[str, float] = {}
    for line in text.splitlines():
        m = re.match(rf"^\s*([A-Za-z][\w.@/-]*)\s*[:=]?\s+{_NUM}\b", line)
        if m is None:
            m = re.match(rf"^\|\s*`?([A-Za-z][\w.@/-]*)`?\s*\|\s*{_NUM}\b", line)
        if m:
            out.setdefault(m.group(1), float(m.group(2)))
    return out


def figures_from_geoparse(js: dict[str, Any]) -> dict[str, float]:
    out = {}
    for t in js.get("summary", {}).get("targets", []):
        if t.get("value") is None:
            continue
        key = "throughput_ratio" if t["target"].startswith("eventmap e2e articles/s") else t["target"]
        out[f"{t['corpus'].lower()}/{key}"] = float(t["value"])
    return out


def _size_tag(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k"


def figures_from_maps(text: str) -> dict[str, float]:
    """bench_maps.py's table (``| mentions | places | articles | write | size | interactive | popup |``)."""
    out: dict[str, float] = {}
    keys = ("places", "articles", "write_s", "size_mb", "interactive_s", "popup_s")
    for line in text.splitlines():
        cells = [c.strip().replace(",", "") for c in line.strip().strip("|").split("|")]
        if len(cells) != 7 or not cells[0].isdigit():
            continue
        tag = _size_tag(int(cells[0]))
        for k, v in zip(keys, cells[1:]):
            try:
                x = float(v)
            except ValueError:
                continue
            if not math.isnan(x):  # nan: not measured
                out[f"{tag}/{k}"] = x
    return out


def figures_from_store(js: dict[str, Any]) -> dict[str, float]:
    """bench_store.py's JSON: one row per size; figures of the 1M row as ``1M/<name>``."""
    rows = {int(r["mentions"]): r for r in js.get("rows", []) if "mentions" in r}
    out: dict[str, float] = {}
    for n, r in rows.items():
        tag = _size_tag(n)
        out.update({f"{tag}/{k}": float(v) for k, v in r.items()
                    if isinstance(v, (int, float)) and not isinstance(v, bool)})
    if 1_000_000 in rows and 100_000 in rows:
        small = rows[100_000].get("export_geojson_peak_rss_mb")
        big = rows[1_000_000].get("export_geojson_peak_rss_mb")
        if small and big:
            out["export_geojson_rss_growth"] = big / small
    return out


def _flatten(js: Any, prefix: str = "") -> dict[str, float]:
    """Numbers of a JSON document by ``a/b/c`` path, and by their own key (first one wins)."""
    out: dict[str, float] = {}
    if isinstance(js, dict):
        for k, v in js.items():
            key = f"{prefix}{k}"
            if isinstance(v, dict):
                out.update(_flatten(v, key + "/"))
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                out[key] = float(v)
                out.setdefault(str(k), float(v))
    return out


# --- running ----------------------------------------------------------------------------------------

def run_bench(b: Bench, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Run one benchmark script; return its Markdown body, status and figures."""
    script = BENCH_DIR / b.script
    if not script.exists():
        return {"status": "missing", "figures": {},
                "body": f"Not yet measured: `benchmarks/{b.script}` does not exist yet.\n"}
    if b.needs_corpora and (args.no_default_corpora or not SHARED_DATA.is_dir()):
        why = "--no-default-corpora" if args.no_default_corpora else f"no {SHARED_DATA}"
        return {"status": "skipped", "figures": {},
                "body": f"Skipped: needs the development corpora ({why}).\n"}
    args_shown: list[str] = []
    if b.needs_corpora and _accepts(script, "--data"):
        args_shown += ["--data", str(SHARED_DATA)]
    for group in (b.quick_args if args.quick else b.full_args):
        if _accepts(script, group[0]):
            args_shown += group
    if b.name == "geoparse":
        for c in args.corpus:
            args_shown += ["--corpus", str(Path(c).resolve())]
        if args.no_default_corpora:
            args_shown += ["--no-default-corpora"]
    md_out, json_out = tmp / f"{b.name}.md", tmp / f"{b.name}.json"
    outputs: list[str] = []
    if _accepts(script, "--markdown"):
        outputs += ["--markdown", str(md_out)]
    if _accepts(script, "--json"):
        outputs += ["--json", str(json_out)]
    cmd = [sys.executable, str(script), *args_shown, *outputs]
    shown = "python " + " ".join(shlex.quote(a) for a in [_rel(script), *args_shown])
    timeout = b.timeout[0] if args.quick else b.timeout[1]
    print(f"[run.py] {shown}", file=sys.stderr, flush=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env,
                              check=False)
    except subprocess.TimeoutExpired as err:
        out = err.stdout.decode(errors="replace") if isinstance(err.stdout, bytes) else (err.stdout or "")
        return {"status": "timeout", "command": shown, "seconds": timeout, "figures": {},
                "body": f"Command: `{shown}`\n\n**Timed out** after {timeout:.0f} s.\n\n" + _fence(out[-4000:])}
    secs = time.perf_counter() - t0
    raw = None
    if json_out.exists():
        try:
            raw = json.loads(json_out.read_text(encoding="utf-8"))
        except ValueError:
            raw = None
    body = md_out.read_text(encoding="utf-8") if md_out.exists() else _as_markdown(proc.stdout)
    figures = figures_from_text(proc.stdout)
    if b.name == "maps":
        figures.update(figures_from_maps(proc.stdout))
    if raw is not None:
        extract = {"geoparse": figures_from_geoparse, "store": figures_from_store}.get(b.name, _flatten)
        figures.update(extract(raw))
    status = "ok" if proc.returncode == 0 else f"exit status {proc.returncode}"
    lines = [f"Command: `{shown}` ({secs:.0f} s wall, {status}).", ""]
    if "- machine:" not in body:  # the script did not print the shared header: add it
        lines += [header(argv=[_rel(script), *args_shown]), ""]
    lines.append(body.rstrip())
    if proc.returncode != 0:
        lines += ["", "stderr (last lines):", "", _fence("\n".join(proc.stderr.strip().splitlines()[-15:]))]
    return {"status": status, "command": shown, "seconds": secs, "figures": figures, "raw": raw,
            "body": "\n".join(lines) + "\n"}


def _fence(text: str) -> str:
    return "```\n" + text.rstrip() + "\n```"


def _as_markdown(stdout: str) -> str:
    """Markdown output is kept; plain text is fenced (after the shared header's ``- `` lines)."""
    if re.search(r"^\|.*\|\s*$", stdout, re.MULTILINE) or re.search(r"^#+ ", stdout, re.MULTILINE):
        return stdout
    lines = stdout.strip("\n").splitlines()
    k = 0
    while k < len(lines) and lines[k].startswith("- "):
        k += 1
    head, rest = "\n".join(lines[:k]), "\n".join(lines[k:]).strip("\n")
    return "\n\n".join(p for p in (head, _fence(rest) if rest else "") if p)


# --- the Markdown file ------------------------------------------------------------------------------

def _section_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"<!-- BEGIN {re.escape(name)} -->.*?<!-- END {re.escape(name)} -->", re.DOTALL)


def _put(text: str, name: str, block: str, *, first: bool = False) -> str:
    pat = _section_pattern(name)
    if pat.search(text):
        return pat.sub(lambda _m: block, text)
    if first and "<!-- BEGIN " in text:
        i = text.index("<!-- BEGIN ")
        return text[:i] + block + "\n\n" + text[i:]
    return text.rstrip("\n") + "\n\n" + block + "\n"


def _fmt(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def targets_table(text: str) -> str:
    """The targets of every benchmark, with the figures recorded in the file's sections."""
    rows = ["| benchmark | target | goal | measured | status |", "|---|---|---:|---:|---|"]
    for b in BENCHES:
        if not b.targets:
            continue
        m = _section_pattern(b.name).search(text)
        figs, quick, present = {}, False, False
        if m:
            f = _FIGURES.search(m.group(0))
            if f:
                meta = json.loads(f.group(1))
                figs, quick, present = meta.get("figures", {}), meta.get("quick", False), meta.get("status") != "missing"
        for t in b.targets:
            v = figs.get(t.key)
            goal = f"{t.op.replace('<=', '≤').replace('>=', '≥')} {_fmt(t.goal)} {t.unit}".strip()
            if v is None:
                status = "not yet measured" if not present else ("not measured in --quick" if quick else "not measured")
                rows.append(f"| {b.name} | {t.label} | {goal} | – | {status} |")
                continue
            met = v <= t.goal if t.op == "<=" else v >= t.goal
            status = ("met" if met else "**MISSED**") + (" (quick run)" if quick else "")
            rows.append(f"| {b.name} | {t.label} | {goal} | {_fmt(v)} {t.unit} | {status} |")
    return "\n".join(rows)


def update_markdown(path: Path, sections: dict[str, str], quick: bool,
                    figures: dict[str, dict[str, Any]] | None = None) -> None:
    """Replace each named section between its markers (appending new ones), atomically."""
    text = path.read_text(encoding="utf-8") if path.exists() else PREAMBLE
    for b in BENCHES:
        if b.name not in sections:
            continue
        mode = " (--quick: smoke-run figures, not representative)" if quick else ""
        goals = "; ".join(f"{t.label} {t.op.replace('<=', '≤').replace('>=', '≥')} {_fmt(t.goal)} {t.unit}".rstrip()
                          for t in b.targets)
        meta = json.dumps({"quick": quick, **(figures or {}).get(b.name, {})}, ensure_ascii=False)
        block = (f"<!-- BEGIN {b.name} -->\n## {b.title}{mode}\n\n"
                 + (f"Targets: {goals}.\n\n" if goals else "")
                 + f"{sections[b.name].rstrip()}\n<!-- figures {meta} -->\n<!-- END {b.name} -->")
        text = _put(text, b.name, block)
    summary = ("<!-- BEGIN summary -->\n## Targets at a glance\n\n"
               "Rebuilt by `benchmarks/run.py` from the figures of the sections below.\n\n"
               + targets_table(text) + "\n<!-- END summary -->")
    text = _put(text, "summary", summary, first=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="Small samples and 1 pass: under a minute.")
    ap.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"), help="Markdown file to write/update.")
    ap.add_argument("--json", dest="json_out", default=None, help="Also write every benchmark's figures as JSON.")
    ap.add_argument("--only", default=None, help="Comma-separated: " + ", ".join(b.name for b in BENCHES))
    ap.add_argument("--corpus", action="append", default=[], metavar="PATH",
                    help="Extra gold corpus for the geoparsing benchmark (repeatable).")
    ap.add_argument("--no-default-corpora", action="store_true",
                    help="Geoparsing: only the --corpus files, not the development corpora.")
    args = ap.parse_args(argv)

    names = [b.name for b in BENCHES]
    only = names if not args.only else [n.strip() for n in args.only.split(",") if n.strip()]
    for n in only:
        if n not in names:
            ap.error(f"unknown benchmark {n!r}; choose from {', '.join(names)}")
    for c in args.corpus:
        if not Path(c).is_file():
            ap.error(f"corpus {c!r} is not a readable file")

    t0 = time.perf_counter()
    # a missing or stale gazetteer is built once here rather than inside the first benchmark's timings
    prep = subprocess.run([sys.executable, "-c", "import gazetteer; gazetteer.load()"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    ready = time.perf_counter() - t0
    print(f"[run.py] gazetteer ready in {ready:.1f} s" + ("" if prep.returncode == 0 else
          f" (FAILED: {prep.stderr.strip().splitlines()[-1] if prep.stderr.strip() else prep.returncode})"),
          file=sys.stderr, flush=True)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="eventmap-bench-") as tmp:
        for b in BENCHES:
            if b.name in only:
                results[b.name] = run_bench(b, args, Path(tmp))
    out = Path(args.output)
    update_markdown(out, {k: v["body"] for k, v in results.items()}, args.quick,
                    {k: {"status": v["status"], "figures": v.get("figures", {})} for k, v in results.items()})
    total = time.perf_counter() - t0
    if args.json_out:
        payload = {"meta": machine_info(argv=None if argv is None else ["benchmarks/run.py", *argv]),
                   "quick": args.quick, "seconds": total,
                   "benchmarks": {k: {kk: vv for kk, vv in v.items() if kk != "body"} for k, v in results.items()}}
        Path(args.json_out).write_text(json.dumps(payload, indent=1), encoding="utf-8")
    for name, r in results.items():
        print(f"{name:10s} {r['status']}" + (f" ({r['seconds']:.0f} s)" if "seconds" in r else ""))
    print(f"wrote {out} in {total:.0f} s")
    return 0 if all(r["status"] in ("ok", "missing", "skipped") for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
