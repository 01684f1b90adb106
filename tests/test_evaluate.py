"""geo.evaluate must agree with the corpora's reference scorer on the same predictions."""
from __future__ import annotations

import json
import math
import random
import subprocess
import sys
from pathlib import Path

import pytest

from geo.evaluate import haversine_km, score

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "score.py"
needs_reference = pytest.mark.skipif(not REFERENCE.exists(), reason=f"reference scorer not at {REFERENCE}")


def _random_corpus(rng: random.Random, n_articles: int) -> tuple[list[dict], list[dict]]:
    gold, preds = [], []
    for i in range(n_articles):
        text = "".join(rng.choice("abcdefgh ") for _ in range(300))
        tops, ments = [], []
        for _ in range(rng.randint(0, 8)):
            s = rng.randrange(0, 290)
            e = s + rng.randint(1, 9)
            has = rng.random() < 0.8
            tops.append({"start": s, "end": e, "name": text[s:e],
                         "lat": rng.uniform(-89, 89) if has else None,
                         "lon": rng.uniform(-179, 179) if has else None,
                         "geonameid": None, "fclass": None, "fcode": None, "type": None})
        for _ in range(rng.randint(0, 8)):
            if tops and rng.random() < 0.6:  # near a gold span: exact, shifted or overlapping
                t = rng.choice(tops)
                s = max(0, t["start"] + rng.choice([0, 0, -2, 1]))
                e = min(300, max(s + 1, t["end"] + rng.choice([0, 0, 3, -1])))
                lat = (t["lat"] or 0) + rng.uniform(-3, 3)
                lon = (t["lon"] or 0) + rng.uniform(-3, 3)
            else:
                s = rng.randrange(0, 290)
                e = s + rng.randint(1, 9)
                lat, lon = rng.uniform(-89, 89), rng.uniform(-179, 179)
            if rng.random() < 0.1:
                lat = lon = None
            ments.append({"start": s, "end": e, "name": text[s:e], "lat": max(-90, min(90, lat)) if lat is not None
                          else None, "lon": lon})
        gold.append({"id": f"a{i}", "title": None, "url": None, "date": None, "text": text, "toponyms": tops})
        if rng.random() < 0.9:  # some articles have no prediction line at all
            preds.append({"id": f"a{i}", "mentions": ments})
    return gold, preds


def _close(a, b, path=""):
    if isinstance(a, dict):
        for k in a:
            _close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, float) or isinstance(b, float):
        assert a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), path
    else:
        assert a == b, path


@needs_reference
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agrees_with_reference_scorer(tmp_path, seed):
    gold, preds = _random_corpus(random.Random(seed), 40)
    gpath, ppath = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    gpath.write_text("".join(json.dumps(a) + "\n" for a in gold), encoding="utf-8")
    ppath.write_text("".join(json.dumps(a) + "\n" for a in preds), encoding="utf-8")
    out = subprocess.run([sys.executable, str(REFERENCE), str(gpath), str(ppath), "--json"],
                         capture_output=True, text=True, check=True)
    ref = json.loads(out.stdout)
    ours = score(gold, preds)
    assert ref["gold_toponyms"] == ours["gold_toponyms"] > 0
    _close(ours["recognition"], ref["recognition"], "recognition")
    _close(ours["resolution"], ref["resolution"], "resolution")


def test_perfect_and_empty_predictions():
    gold = [{"id": "x", "text": "Busan and Seoul", "toponyms": [
        {"start": 0, "end": 5, "lat": 35.1, "lon": 129.0}, {"start": 10, "end": 15, "lat": 37.57, "lon": 126.98}]}]
    perfect = [{"id": "x", "mentions": [{"start": 0, "end": 5, "lat": 35.1, "lon": 129.0},
                                        {"start": 10, "end": 15, "lat": 37.57, "lon": 126.98}]}]
    r = score(gold, perfect)
    assert r["recognition"]["exact"]["F1"] == 1.0
    assert r["resolution"]["acc161_all"] == 1.0 and r["resolution"]["auc"] == 0.0
    r = score(gold, [])
    assert r["recognition"]["overlap"]["R"] == 0.0 and r["resolution"]["acc161_all"] == 0.0
    assert r["resolution"]["acc161"] is None


def test_haversine_known_distance():
    # Seoul–Busan is about 325 km great-circle
    assert 315 < haversine_km(37.5665, 126.9780, 35.1796, 129.0756) < 335
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * 6371.0088)


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_error_records_account_for_every_point_the_scores_lose(seed):
    from geo.evaluate import ACC_KM, error_records

    gold, preds = _random_corpus(random.Random(seed), 40)
    s = score(gold, preds)
    errs = error_records(gold, preds)
    kinds = {k: [e for e in errs if e["error"] == k] for k in ("missed", "spurious", "unresolved", "far")}
    assert len(errs) == sum(map(len, kinds.values()))
    ov, rs = s["recognition"]["overlap"], s["resolution"]
    assert len(kinds["missed"]) == ov["gold"] - ov["tp"]
    assert len(kinds["spurious"]) == ov["pred"] - ov["tp"]
    within = round(rs["acc161_all"] * rs["gold_with_coords"])
    texts = {a["id"]: a["text"] for a in gold}
    preds_by_id = {p["id"]: p["mentions"] for p in preds}

    def overlapped(e):   # a missed gold toponym that resolution still scored
        return any(m["lat"] is not None and m["start"] < e["end"] and e["start"] < m["end"]
                   for m in preds_by_id.get(e["id"], []))

    lost = [e for e in kinds["missed"] if e["gold_lat"] is not None and not overlapped(e)]
    assert rs["gold_with_coords"] - within == len(kinds["far"]) + len(kinds["unresolved"]) + len(lost)
    assert all(e["km"] > ACC_KM and e["lat"] is not None for e in kinds["far"])
    assert all(e["lat"] is None for e in kinds["unresolved"])
    assert all(texts[e["id"]][e["start"]:e["end"]] == e["text"] for e in errs)


def test_error_records_name_the_places(tmp_path):
    from geo.evaluate import error_records

    gold = [{"id": "x", "text": "Paris and Busan and Oslo", "toponyms": [
        {"start": 0, "end": 5, "lat": 33.66, "lon": -95.56},      # the Texas one
        {"start": 10, "end": 15, "lat": 35.1, "lon": 129.0}]}]
    preds = [{"id": "x", "mentions": [
        {"start": 0, "end": 5, "text": "Paris", "name": "Paris", "lat": 48.85, "lon": 2.35,
         "feature_code": "PPLC", "country_code": "FR"},
        {"start": 20, "end": 24, "text": "Oslo", "name": "Oslo", "lat": 59.9, "lon": 10.7}]}]
    errs = {e["error"]: e for e in error_records(gold, preds)}
    assert set(errs) == {"far", "missed", "spurious"}
    far = errs["far"]
    assert (far["text"], far["place"], far["country_code"], far["gold_lat"]) == ("Paris", "Paris", "FR", 33.66)
    assert 7000 < far["km"] < 8500
    assert errs["missed"]["text"] == "Busan" and errs["spurious"]["text"] == "Oslo"


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_evaluate_cli_writes_the_errors(tmp_path, suffix):
    import csv

    from click.testing import CliRunner

    from geo.cli import main
    from geo.evaluate import ERROR_FIELDS

    text = "Floods hit Dhaka on Monday, and the Qwertyville dam held."
    gold = {"id": "g1", "text": text, "toponyms": [
        {"start": 11, "end": 16, "name": "Dhaka", "lat": 23.81, "lon": 90.41},
        {"start": 36, "end": 47, "name": "Qwertyville", "lat": 10.0, "lon": 10.0}]}
    gpath = tmp_path / "gold.jsonl"
    gpath.write_text(json.dumps(gold) + "\n", encoding="utf-8")
    out = tmp_path / f"errors{suffix}"
    res = CliRunner().invoke(main, ["evaluate", str(gpath), "--errors", str(out), "--json"])
    assert res.exit_code == 0, res.output
    if suffix == ".csv":
        with open(out, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert tuple(rows[0].keys()) == ERROR_FIELDS
    else:
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    # Dhaka is found and placed; the invented town is missed
    assert [(r["error"], r["text"]) for r in rows] == [("missed", "Qwertyville")]
    assert "1 missed, 0 spurious, 0 unresolved, 0 far" in res.stderr


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_gold_with_a_byte_order_mark_is_read(tmp_path, encoding):
    from geo.evaluate import load_gold

    rec = {"id": 1, "text": "Floods in Dhaka.", "toponyms": [
        {"start": 10, "end": 15, "name": "Dhaka", "lat": 23.81, "lon": 90.41}]}
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding=encoding)
    (gold,) = load_gold(path)
    assert gold["id"] == "1" and gold["text"][10:15] == "Dhaka"
