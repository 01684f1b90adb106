"""The benchmark suite runs end to end in --quick mode and writes the tables it promises.

No timing is asserted (figures depend on the machine); the test checks the
plumbing: every section is written with its provenance header, the
geoparsing tables hold every system that is installed, and the scores are
computed against the gold it was given (so a swapped lat/lon or a wrong
offset would show).
"""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "benchmarks" / "run.py"
if str(ROOT) not in sys.path:  # benchmarks/ is a folder of the repo, not an installed package
    sys.path.insert(0, str(ROOT))

# invented sentences naming world capitals (general knowledge coordinates)
SENTENCES = [
    ("Ministers met in Paris on Monday before flying to Tokyo for the summit.",
     [("Paris", 48.8566, 2.3522), ("Tokyo", 35.6895, 139.6917)]),
    ("Heavy rain fell across Nairobi, and flights to Cairo were delayed by hours.",
     [("Nairobi", -1.2864, 36.8172), ("Cairo", 30.0444, 31.2357)]),
    ("Officials in Canberra and Ottawa signed the trade agreement on Friday.",
     [("Canberra", -35.2809, 149.1300), ("Ottawa", 45.4215, -75.6972)]),
]

PEERS = [p for p in ("geotext", "flashgeotext") if importlib.util.find_spec(p) is not None]


def _gold(path: Path) -> Path:
    lines = []
    for i, (text, places) in enumerate(SENTENCES):
        tops = []
        for name, lat, lon in places:
            start = text.index(name)
            tops.append({"start": start, "end": start + len(name), "name": name, "lat": lat, "lon": lon})
        lines.append(json.dumps({"id": f"cap-{i}", "title": None, "text": text, "toponyms": tops}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench")
    corpus = _gold(tmp / "capitals.jsonl")
    out, js = tmp / "BENCHMARKS.md", tmp / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--output", str(out), "--json", str(js),
         "--corpus", str(corpus), "--no-default-corpora"],
        capture_output=True, text=True, timeout=900, cwd=ROOT, check=False)
    written = out.read_text(encoding="utf-8") if out.exists() else "(no output file)"
    assert proc.returncode == 0, proc.stdout + proc.stderr + "\n" + written[-6000:]
    return out.read_text(encoding="utf-8"), json.loads(js.read_text(encoding="utf-8"))


def test_every_section_is_written_with_its_provenance(quick_run):
    md, js = quick_run
    assert md.startswith("# Benchmarks")
    for name in ("geoparse", "gazetteer", "maps", "store", "online", "coverage"):
        assert f"<!-- BEGIN {name} -->" in md and f"<!-- END {name} -->" in md
        section = md.split(f"<!-- BEGIN {name} -->", 1)[1].split(f"<!-- END {name} -->", 1)[0]
        status = js["benchmarks"][name]["status"]
        if status == "missing":
            assert "Not yet measured" in section
        elif status == "skipped":
            assert "Skipped:" in section
        else:
            assert status == "ok"
            # the shared header: command, date, machine, python, packages
            for field in ("Command: `python benchmarks/", "- date:", "- machine:", "cores", "GB RAM",
                          "- python:", "- packages:"):
                assert field in section, (name, field)
    assert js["meta"]["python"].startswith(("CPython", "PyPy"))
    assert js["quick"] is True


def test_geoparse_tables_hold_every_installed_system(quick_run):
    md, _ = quick_run
    section = md.split("<!-- BEGIN geoparse -->", 1)[1].split("<!-- END geoparse -->", 1)[0]
    for table in ("### Throughput", "### Initialisation and memory", "### Accuracy", "### Targets"):
        assert table in section
    for col in ("articles/s", "÷ geotext", "peak RSS Δ MB", "F1 exact", "F1 overlap",
                "acc@161 strict", "median km", "AUC"):
        assert col in section
    rows = [ln for ln in section.splitlines() if ln.startswith("| capitals |")]
    systems = {ln.split("|")[2].strip() for ln in rows}
    assert {"eventmap", "eventmap-given"} <= {s.replace(" (gold spans)", "") for s in systems}
    for peer in ("geotext", "flashgeotext"):
        if peer in PEERS:
            assert peer in systems
        else:
            assert f"**{peer}** skipped" in section


def test_geoparse_scores_use_the_given_gold(quick_run):
    _, js = quick_run
    summary = js["benchmarks"]["geoparse"]["raw"]["summary"]
    em = summary["systems"]["eventmap"]["corpora"]["capitals"]
    assert em["n"] == len(SENTENCES)
    assert em["scores"]["gold_toponyms"] == 6
    given = summary["systems"]["eventmap-given"]["corpora"]["capitals"]["scores"]
    # gold spans handed over: recognition is exact by construction, and capitals resolve near the truth
    assert given["recognition"]["exact"]["F1"] == 1.0
    assert given["resolution"]["acc161_all"] >= 5 / 6
    assert given["resolution"]["median_km"] < 161
    for peer in PEERS:
        sc = summary["systems"][peer]["corpora"]["capitals"]["scores"]
        # the peers know world capitals; their spans are located in the text we gave
        assert sc["recognition"]["exact"]["tp"] >= 4
        assert sc["resolution"]["resolved"] >= 4
    # throughput ratios are computed against geotext when it ran
    ratios = summary["corpora"]["capitals"]["ratios"]
    if "geotext" in PEERS:
        assert ratios["geotext"]["vs_geotext"] == pytest.approx(1.0)
        assert ratios["eventmap"]["vs_geotext"] > 0


# --- the pieces, without running anything --------------------------------------------------------

def test_geotext_names_become_word_bounded_non_overlapping_spans():
    from benchmarks.geoparse import geotext_spans

    text = "York and New York; Yorkshire is not York. New York again."
    spans = geotext_spans(text, ["New York", "York", "New York"])
    assert [(text[s:e], n) for s, e, n in spans] == [
        ("York", "York"), ("New York", "New York"), ("York", "York"), ("New York", "New York")]
    assert all(text[s:e] == n for s, e, n in spans)
    assert geotext_spans("Parisian food", ["Paris"]) == []


def test_update_markdown_keeps_hand_written_text_and_other_sections(tmp_path):
    from benchmarks.run import update_markdown

    out = tmp_path / "B.md"
    update_markdown(out, {"geoparse": "first geoparse", "store": "first store"}, quick=True)
    text = out.read_text(encoding="utf-8")
    out.write_text(text.replace("# Benchmarks\n", "# Benchmarks\n\nHand-written analysis.\n"), encoding="utf-8")
    update_markdown(out, {"geoparse": "second geoparse"}, quick=False)
    text = out.read_text(encoding="utf-8")
    assert "Hand-written analysis." in text
    assert "second geoparse" in text and "first geoparse" not in text
    assert "first store" in text
    assert text.count("<!-- BEGIN geoparse -->") == 1
    assert "(--quick" not in text.split("<!-- BEGIN geoparse -->")[1].split("<!-- END geoparse -->")[0]
