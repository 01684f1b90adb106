"""Run every benchmark and write their tables into BENCHMARKS.md.

Usage::

    python benchmarks/run.py                      # full run (< 15 min), updates BENCHMARKS.md
    python benchmarks/run.py --quick              # under a minute: small samples, 1 pass
    python benchmarks/run.py --only geoparse      # re-run one section, keep the others
    python benchmarks/run.py --quick --output /tmp/B.md --corpus gold.jsonl --no-default-corpora

Each benchmark runs as a subprocess (``benchmarks/<script>``, with its own
quick flag in ``--quick`` mode); a missing script is reported as "not yet
measured". Its output goes into its own section of the Markdown file,
between ``<!-- BEGIN name -->`` and ``<!-- END name -->`` markers, so hand
written text outside the markers survives re-runs and ``--only`` leaves the
other sections as they were.
"""
from __future__ import annotations

import argparse
import json
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

from benchmarks._machine import header, machine_info  # noqa: E402

BENCH_DIR = ROOT / "benchmarks"


@dataclass
class Bench:
    """One benchmark script and how to call it."""

    name: str
    title: str
    script: str
    quick_args: list[str] = field(default_factory=list)
    full_args: list[str] = field(default_factory=list)
    targets: str = ""
    #: seconds allowed (quick, full)
    timeout: tuple[float, float] = (120.0, 900.0)


BENCHES = [
    Bench("geoparse", "Geoparsing: eventmap, geotext and flashgeotext side by side", "geoparse.py",
          quick_args=["--quick"], timeout=(300.0, 900.0),  # quick: room for a first gazetteer build
          targets="eventmap end-to-end articles/s ≥ 1.0× geotext's, with far better accuracy; "
                  "LGL given-spans acc@161 strict ≥ 0.85, end-to-end overlap F1 ≥ 0.80, end-to-end acc@161 strict ≥ 0.75; "
                  "GeoVirus ≥ 0.92, ≥ 0.85, ≥ 0.80."),
    Bench("gazetteer", "Gazetteer: build, load, lookup", "bench_gazetteer.py", quick_args=["--quick"],
          targets="build ≤ 60 s, cold load ≤ 1 s, RSS ≤ 600 MB, exact lookup p50 ≤ 20 µs, reverse p50 ≤ 50 µs."),
    Bench("maps", "Maps: write time, size, time to interactive", "bench_maps.py", quick_args=["--quick"],
          targets="100k mentions / 10k places: write ≤ 10 s, ≤ 30 MB, interactive in Chromium ≤ 5 s."),
    Bench("store", "Store: queries and export", "bench_store.py", quick_args=["--quick"],
          targets="1M mentions: region query ≤ 0.5 s, radius ≤ 0.5 s, group-by-country ≤ 1 s, "
                  "GeoJSON export ≤ 15 s with flat memory."),
]

PREAMBLE = """# Benchmarks

Produced by `python benchmarks/run.py` (full) or `python benchmarks/run.py --quick` (a smoke run in
under a minute; its figures are not representative). Each section below is rewritten by the runner
between its `BEGIN`/`END` markers and starts with the exact command, the machine, the Python and
package versions and the date. The development machine is shared with other jobs: compare ratios
measured in the same run rather than absolute rates across runs.

"""


def _accepts(script: Path, flag: str) -> bool:
    """Whether ``script`` mentions ``flag`` (argparse/click option) — cheap, no import."""
    try:
        return flag in script.read_text(encoding="utf-8")
    except OSError:
        return False


def _rel(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(ROOT))
    except ValueError:
        return str(p)


def run_bench(b: Bench, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Run one benchmark script; return its Markdown body, status and figures."""
    script = BENCH_DIR / b.script
    if not script.exists():
        return {"status": "missing", "body": f"Not yet measured: `benchmarks/{b.script}` does not exist yet.\n"}
    args_shown: list[str] = []
    if args.quick:
        args_shown += [a for a in b.quick_args if _accepts(script, a)]
    else:
        args_shown += b.full_args
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
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")})
    except subprocess.TimeoutExpired as err:
        out = err.stdout.decode() if isinstance(err.stdout, bytes) else (err.stdout or "")
        return {"status": "timeout", "command": shown, "seconds": timeout,
                "body": f"Command: `{shown}`\n\n**Timed out** after {timeout:.0f} s.\n\n" + _fence(out[-4000:])}
    secs = time.perf_counter() - t0
    figures = None
    if json_out.exists():
        try:
            figures = json.loads(json_out.read_text(encoding="utf-8"))
        except ValueError:
            figures = None
    if md_out.exists():
        body = md_out.read_text(encoding="utf-8")
    else:
        body = _as_markdown(proc.stdout)
    status = "ok" if proc.returncode == 0 else f"exit status {proc.returncode}"
    lines = [f"Command: `{shown}` ({secs:.0f} s wall, {status}).", ""]
    if "- machine:" not in body:  # the script did not print the shared header: add it
        lines += [header(argv=[_rel(Path(cmd[1])), *cmd[2:]]), ""]
    lines.append(body.rstrip())
    if proc.returncode != 0:
        lines += ["", "stderr (last lines):", "", _fence("\n".join(proc.stderr.strip().splitlines()[-15:]))]
    return {"status": status, "command": shown, "seconds": secs, "figures": figures,
            "body": "\n".join(lines) + "\n"}


def _fence(text: str) -> str:
    return "```\n" + text.rstrip() + "\n```"


def _as_markdown(stdout: str) -> str:
    """Scripts that print Markdown tables are kept as they are; anything else is fenced."""
    if re.search(r"^\|.*\|\s*$", stdout, re.M) or stdout.lstrip().startswith(("#", "- ")):
        return stdout
    return _fence(stdout)


def update_markdown(path: Path, sections: dict[str, str], quick: bool) -> None:
    """Replace each named section between its markers (appending new ones), atomically."""
    text = path.read_text(encoding="utf-8") if path.exists() else PREAMBLE
    for b in BENCHES:
        if b.name not in sections:
            continue
        mode = " (--quick: smoke-run figures, not representative)" if quick else ""
        block = (f"<!-- BEGIN {b.name} -->\n## {b.title}{mode}\n\nTargets: {b.targets}\n\n"
                 f"{sections[b.name].rstrip()}\n<!-- END {b.name} -->")
        pat = re.compile(rf"<!-- BEGIN {re.escape(b.name)} -->.*?<!-- END {re.escape(b.name)} -->", re.S)
        if pat.search(text):
            text = pat.sub(lambda _m: block, text)
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
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

    t0 = time.perf_counter()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="eventmap-bench-") as tmp:
        for b in BENCHES:
            if b.name in only:
                results[b.name] = run_bench(b, args, Path(tmp))
    out = Path(args.output)
    update_markdown(out, {k: v["body"] for k, v in results.items()}, args.quick)
    total = time.perf_counter() - t0
    if args.json_out:
        payload = {"meta": machine_info(argv=None if argv is None else ["benchmarks/run.py", *argv]),
                   "quick": args.quick, "seconds": total,
                   "benchmarks": {k: {kk: vv for kk, vv in v.items() if kk != "body"} for k, v in results.items()}}
        Path(args.json_out).write_text(json.dumps(payload, indent=1), encoding="utf-8")
    for name, r in results.items():
        print(f"{name:10s} {r['status']}" + (f" ({r['seconds']:.0f} s)" if "seconds" in r else ""))
    print(f"wrote {out} in {total:.0f} s")
    return 0 if all(r["status"] in ("ok", "missing") for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
