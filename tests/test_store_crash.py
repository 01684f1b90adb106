"""Crash safety: writers killed with SIGKILL at random moments never damage the store.

A child process ingests batch after batch (each batch: the 8 invented articles
of one seed) and reports each commit; the parent kills it at a random moment,
25 times over, on the same store. After every kill the store must open, pass
its own check, and hold exactly the batches that committed (the one in flight
may or may not have made it, but wholly or not at all). Meanwhile a reader
polls the store and must never see part of a batch.
"""
from __future__ import annotations

import collections
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from geo._synthetic import synthetic_results
from geo.frames import build_frames
from geo.store import Store

PER_BATCH = 8
KILLS = 25

CHILD = r"""
import sys
from types import SimpleNamespace
from geo._synthetic import synthetic_results
from geo.frames import build_frames
from geo.store import Store

store = Store(sys.argv[1])
start = int(sys.argv[2])
print("ready", flush=True)
for seed in range(start, start + 10_000):
    a, m, _ = build_frames(synthetic_results(%d, seed=seed))
    print("begin", seed, flush=True)
    store.ingest(SimpleNamespace(articles=a, mentions=m))
    print("committed", seed, flush=True)
""" % PER_BATCH


def _seed(article_id: str) -> int:
    return int(article_id[3:].split("-")[0])  # "art{seed}-{i}"


def _expected_mentions(seed: int) -> int:
    return len(build_frames(synthetic_results(PER_BATCH, seed=seed))[1])


def _consistent(store_path: Path) -> tuple[set[int], str | None]:
    """Seeds present in the store, and a description of any partial batch."""
    store = Store(store_path)
    arts = store.articles
    ments = store.mentions
    per_seed = collections.Counter(_seed(a) for a in arts["article_id"])
    bad = {s: c for s, c in per_seed.items() if c != PER_BATCH}
    if bad:
        return set(per_seed), f"partial batches (seed: articles) {bad}"
    m_seed = collections.Counter(_seed(a) for a in ments["article_id"])
    for s in per_seed:
        if m_seed.get(s, 0) != _expected_mentions(s):
            return set(per_seed), f"seed {s}: {m_seed.get(s, 0)} mentions, expected {_expected_mentions(s)}"
    return set(per_seed), None


@pytest.mark.slow
def test_kill_9_at_random_points(tmp_path: Path) -> None:
    store_path = tmp_path / "store"
    rng = random.Random(20240601)
    committed: set[int] = set()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    stop = threading.Event()
    reader_errors: list[str] = []
    reads = [0]

    def reader() -> None:
        while not stop.is_set():
            if not (store_path / "manifest.json").exists():
                time.sleep(0.01)
                continue
            try:
                _seeds, problem = _consistent(store_path)
            except Exception as err:  # noqa: BLE001 - any failure to read is a finding
                reader_errors.append(f"reader failed: {err!r}")
                return
            reads[0] += 1
            if problem:
                reader_errors.append(problem)
                return

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    next_seed = 0
    try:
        for round_ in range(KILLS):
            proc = subprocess.Popen([sys.executable, "-c", CHILD, str(store_path), str(next_seed)],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
            time.sleep(rng.uniform(0.0, 0.6))
            proc.send_signal(signal.SIGKILL)
            # read through the same buffered pipe readline() used: communicate() would read the
            # raw descriptor and lose lines readline() had already buffered
            out, err = proc.stdout.read(), proc.stderr.read() if proc.stderr else ""
            proc.wait()
            assert proc.returncode == -signal.SIGKILL, err
            begun = [int(line.split()[1]) for line in out.splitlines() if line.startswith("begin")]
            done = {int(line.split()[1]) for line in out.splitlines() if line.startswith("committed")}
            committed |= done
            in_flight = {begun[-1]} - done if begun else set()
            next_seed = (max(begun) + 1) if begun else next_seed

            report = Store(store_path).check() if (store_path / "manifest.json").exists() else None
            if report is not None:
                assert report.ok, f"round {round_}: {report}"
            seeds, problem = _consistent(store_path) if report is not None else (set(), None)
            assert problem is None, f"round {round_}: {problem}"
            assert committed <= seeds, f"round {round_}: committed batches lost: {committed - seeds}"
            assert seeds <= committed | in_flight, f"round {round_}: unexpected batches {seeds - committed - in_flight}"
            committed |= seeds  # an in-flight batch that made it is committed now
    finally:
        stop.set()
        t.join(timeout=30)
    assert not reader_errors, reader_errors
    assert reads[0] > 0  # the reader really read while writers were being killed
    assert len(committed) > 0
    # the next writer clears what killed writers left behind
    store = Store(store_path)
    store.ingest(SimpleNamespace(**dict(zip(("articles", "mentions"), build_frames(
        synthetic_results(PER_BATCH, seed=next_seed + 1))[:2]))))
    report = store.check()
    assert report.ok and not report.notes, str(report)
    assert len(store.batches) == len(committed) + 1


CONCURRENT_CHILD = r"""
import sys
from types import SimpleNamespace
from geo._synthetic import synthetic_results
from geo.frames import build_frames
from geo.store import Store

for seed in map(int, sys.argv[2:]):
    a, m, _ = build_frames(synthetic_results(%d, seed=seed))
    Store(sys.argv[1]).ingest(SimpleNamespace(articles=a, mentions=m))
""" % PER_BATCH


@pytest.mark.slow
def test_concurrent_writer_processes(tmp_path: Path) -> None:
    """Four processes ingesting at once: the lock serialises them and nothing is lost."""
    store_path = tmp_path / "store"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    seeds = [list(range(1000 + 10 * w, 1000 + 10 * w + 4)) for w in range(4)]
    procs = [subprocess.Popen([sys.executable, "-c", CONCURRENT_CHILD, str(store_path), *map(str, s)],
                              stderr=subprocess.PIPE, text=True, env=env) for s in seeds]
    for p in procs:
        _out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    store = Store(store_path)
    assert store.check().ok
    assert len(store.batches) == 16
    found, problem = _consistent(store_path)
    assert problem is None
    assert found == {s for group in seeds for s in group}
