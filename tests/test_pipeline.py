"""geo.parse and the parse/evaluate commands, end to end on the real gazetteer."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pytest
from click.testing import CliRunner

import geo
from geo.cli import main
from geo.cli._common import EXIT_SKIPPED
from geo.pipeline import parse

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

TEXTS = [
    "Flooding hit Busan on Tuesday, and officials in Seoul promised aid to South Korea's south coast.",
    "Talks in Geneva between Iran and France ended without agreement, diplomats said in Paris.",
    "A storm moved from Texas toward Louisiana, closing schools in Houston and New Orleans.",
]


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_parse_strings_gives_three_frames():
    res = parse(TEXTS)
    assert len(res.articles) == 3
    for frame in (res.articles, res.mentions, res.places):
        assert isinstance(frame, gpd.GeoDataFrame)
        assert frame.crs.to_epsg() == 4326
    m = res.mentions
    busan = m[m["text"] == "Busan"].iloc[0]
    assert busan["country_code"] == "KR"
    # geometry is Point(lon, lat)
    assert busan.geometry.x == pytest.approx(busan["lon"]) and busan.geometry.y == pytest.approx(busan["lat"])
    assert abs(busan["lat"] - 35.10) < 0.3 and abs(busan["lon"] - 129.04) < 0.3
    # offsets point into the article text
    art_text = dict(zip(res.articles["article_id"], res.articles["text"]))
    for row in m.itertuples():
        assert art_text[row.article_id][row.start:row.end] == row.text
        assert 0.0 <= row.confidence <= 1.0
    # places aggregate mentions
    p = res.places.set_index("place_id")
    assert p["n_mentions"].sum() == m["place_id"].notna().sum()
    assert {"Houston", "New Orleans", "Geneva"} <= set(m["text"])


def test_parse_accepts_dicts_paths_and_articles(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("Storm over Manila\nA typhoon struck Manila and Quezon City in the Philippines.", encoding="utf-8")
    res = parse([{"id": "d1", "text": TEXTS[0], "title": "Busan"}, f,
                 geo.Article(id="o1", text=TEXTS[1])])
    assert list(res.articles["article_id"])[0] == "d1"
    assert "o1" in set(res.articles["article_id"])
    assert "Manila" in set(res.mentions["text"])
    assert res.articles.set_index("article_id").loc["d1", "title"] == "Busan"


def test_ids_are_stable_across_runs():
    a = parse(TEXTS).articles["article_id"].tolist()
    b = parse(TEXTS).articles["article_id"].tolist()
    assert a == b and len(set(a)) == 3


def test_workers_give_identical_output(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl", [{"id": str(i), "text": TEXTS[i % 3]} for i in range(40)])
    outs = []
    for w in (1, 2):
        out = tmp_path / f"out{w}.jsonl"
        r = CliRunner().invoke(main, ["parse", str(src), "-o", str(out), "--workers", str(w)])
        assert r.exit_code == 0, r.output
        outs.append(out.read_text(encoding="utf-8"))
    assert outs[0] == outs[1]
    lines = [json.loads(x) for x in outs[0].splitlines()]
    assert [x["id"] for x in lines] == [str(i) for i in range(40)]
    keys = {"start", "end", "text", "lat", "lon", "place_id", "name", "feature_code", "country_code",
            "confidence", "kind", "metonymic"}
    assert all(set(m) == keys for x in lines for m in x["mentions"])


def test_given_spans_output_has_exactly_those_spans(tmp_path):
    text = "Officials in Busan and a town called Qwzxv met near Seoul."
    spans = [{"start": text.index(w), "end": text.index(w) + len(w)} for w in ("Qwzxv", "Busan", "Seoul")]
    src = _jsonl(tmp_path / "gold.jsonl", [{"id": "g", "text": text, "toponyms": spans}])
    out = tmp_path / "o.jsonl"
    r = CliRunner().invoke(main, ["parse", "--given-spans", str(src), "-o", str(out), "--no-focus-guess"])
    assert r.exit_code == 0, r.output
    rec = json.loads(out.read_text(encoding="utf-8"))
    assert [(m["start"], m["end"]) for m in rec["mentions"]] == [(s["start"], s["end"]) for s in spans]
    by_text = {m["text"]: m for m in rec["mentions"]}
    assert by_text["Qwzxv"]["lat"] is None and by_text["Qwzxv"]["place_id"] is None
    assert by_text["Busan"]["country_code"] == "KR"
    assert by_text["Seoul"]["country_code"] == "KR"
    # by default a name nothing places gets the article's focus, with little confidence
    r = CliRunner().invoke(main, ["parse", "--given-spans", str(src), "-o", str(out)])
    guess = {m["text"]: m for m in json.loads(out.read_text(encoding="utf-8"))["mentions"]}["Qwzxv"]
    assert guess["country_code"] == "KR" and 0 < guess["confidence"] <= 0.2


def test_bad_inputs_are_skipped_with_nonzero_exit(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Rain fell on Lisbon and Porto.", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    bad = _jsonl(tmp_path / "bad.jsonl", [{"id": "1", "text": "Riots in Lagos."}])
    with bad.open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
        fh.write(json.dumps({"id": "3", "text": "Snow in Oslo."}) + "\n")
    out = tmp_path / "out.jsonl"
    r = CliRunner().invoke(main, ["parse", str(good), str(empty), str(bad), "-o", str(out)])
    assert r.exit_code == EXIT_SKIPPED
    assert "empty.txt" in r.output and "bad.jsonl:2" in r.output
    ids = [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(ids) == 3 and "1" in ids and "3" in ids


def test_strict_stops_at_first_bad_input(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    out = tmp_path / "out.jsonl"
    r = CliRunner().invoke(main, ["parse", str(empty), "-o", str(out), "--strict"])
    assert r.exit_code != 0 and "empty.txt" in r.output
    assert not out.exists()


def test_interrupted_parse_leaves_no_truncated_output(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl", [{"id": str(i), "text": TEXTS[i % 3] * 5} for i in range(400)])
    out = tmp_path / "out.jsonl"
    out.write_text("previous good output\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "geo.cli", "parse", str(src), "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # kill -9 while the output is being written (its temporary file exists)
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".out.*.tmp.jsonl")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "parse finished before it could be interrupted"
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert out.read_text(encoding="utf-8") == "previous good output\n"
    # a completed run replaces it whole
    r = CliRunner().invoke(main, ["parse", str(src), "-o", str(out)])
    assert r.exit_code == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 400


@pytest.mark.parametrize("ext", [".geojson", ".parquet", ".csv"])
def test_parse_writes_frame_formats(tmp_path, ext):
    out = tmp_path / f"m{ext}"
    r = CliRunner().invoke(main, ["parse", str(EXAMPLES / "busan-article.txt"), "-o", str(out)])
    assert r.exit_code == 0, r.output
    back = gpd.read_parquet(out) if ext == ".parquet" else (
        gpd.read_file(out) if ext == ".geojson" else __import__("pandas").read_csv(out))
    assert len(back) > 5
    assert "Busan" in set(back["text"])


def test_evaluate_command_scores_a_small_gold_file(tmp_path):
    text = "Protesters gathered in Nairobi, Kenya, and later in Mombasa."
    coords = {"Nairobi": (-1.2833, 36.8167), "Kenya": (1.0, 38.0), "Mombasa": (-4.0547, 39.6636)}
    gold = _jsonl(tmp_path / "gold.jsonl", [{"id": "k", "text": text, "toponyms": [
        {"start": text.index(n), "end": text.index(n) + len(n), "name": n, "lat": lat, "lon": lon}
        for n, (lat, lon) in coords.items()]}])
    for extra in ([], ["--given-spans"]):
        r = CliRunner().invoke(main, ["evaluate", str(gold), "--json", *extra])
        assert r.exit_code == 0, r.output
        metrics = json.loads(r.output)
        assert metrics["resolution"]["acc161_all"] == pytest.approx(1.0)
        if extra:
            assert metrics["recognition"]["exact"]["F1"] == 1.0
        else:
            assert metrics["recognition"]["overlap"]["R"] == 1.0


def test_evaluate_agrees_with_reference_scorer_on_its_own_predictions(tmp_path):
    from test_evaluate import REFERENCE

    if not REFERENCE.exists():
        pytest.skip(f"reference scorer not at {REFERENCE}")
    texts = [("Officials in Busan said South Korean ships left for Japan.", {"Busan": (35.1, 129.04),
                                                                         "Japan": (36.0, 138.0)}),
             ("Rain fell on Lyon; the French capital Paris stayed dry.", {"Lyon": (45.75, 4.85),
                                                                          "Paris": (33.66, -95.56)})]
    recs = [{"id": f"t{i}", "text": t, "toponyms": [
        {"start": t.index(n), "end": t.index(n) + len(n), "name": n, "lat": lat, "lon": lon}
        for n, (lat, lon) in gold.items()]} for i, (t, gold) in enumerate(texts)]
    gold = _jsonl(tmp_path / "gold.jsonl", recs)
    pred = tmp_path / "pred.jsonl"
    r = CliRunner().invoke(main, ["evaluate", str(gold), "--json", "--predictions", str(pred)])
    assert r.exit_code == 0, r.output
    ours = json.loads(r.output)
    ref = json.loads(subprocess.run([sys.executable, str(REFERENCE), str(gold), str(pred), "--json"],
                                    capture_output=True, text=True, check=True).stdout)
    assert ours["recognition"] == ref["recognition"]
    assert ours["resolution"] == ref["resolution"]
    # the demonym is predicted (not a gold span here), and Paris, Texas is far from the resolved Paris
    assert ours["recognition"]["exact"]["pred"] > ours["recognition"]["exact"]["tp"]
    assert ours["resolution"]["acc161"] < 1.0


def test_lower_case_text_is_geoparsed(gazetteer_db):
    res = geo.parse(["floods hit dhaka and chittagong on monday, bangladesh officials said."])
    m = res.mentions
    assert list(m["text"]) == ["dhaka", "chittagong", "bangladesh"]
    assert set(m["country_code"]) == {"BD"}
    assert (m.geometry.y.between(20, 27) & m.geometry.x.between(88, 93)).all()


def test_ctrl_c_with_workers_stops_cleanly(tmp_path):
    import os

    import psutil

    src = _jsonl(tmp_path / "in.jsonl", [{"id": str(i), "text": TEXTS[i % 3] * 20}
                                         for i in range(3000)])
    out = tmp_path / "out.jsonl"
    out.write_text("previous good output\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "geo.cli", "parse", str(src), "-o", str(out),
                             "--workers", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while len(psutil.Process(proc.pid).children()) < 2 and proc.poll() is None and \
            time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)   # the workers are parsing
    assert proc.poll() is None, "parse finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)   # what Ctrl-C in a terminal does
    _, err = proc.communicate(timeout=60)   # it used to hang here
    assert proc.returncode == 130
    # one line, not the workers' own "Process ForkPoolWorker-1: Traceback ..." as well
    assert err.decode().strip().splitlines() == ["eventmap: interrupted"]
    assert out.read_text(encoding="utf-8") == "previous good output\n"


def test_no_focus_guess_option(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": (
        "Officials in Nairobi said the Qwertu district was flooded. Nairobi schools closed.")}])
    rows = {}
    for flag in ([], ["--no-focus-guess"]):
        out = tmp_path / f"out{len(flag)}.jsonl"
        r = CliRunner().invoke(main, ["parse", str(src), "-o", str(out), *flag])
        assert r.exit_code == 0, r.output
        (rec,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        rows[bool(flag)] = {m["text"]: m for m in rec["mentions"]}
    assert rows[False]["Qwertu"]["name"] == "Nairobi" and rows[False]["Qwertu"]["confidence"] <= 0.2
    assert rows[True]["Qwertu"]["name"] is None
