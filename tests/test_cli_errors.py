"""Bad outputs and other user mistakes through the real CLI: one clear line, no traceback.

Each case is something a user types by accident: an output path under a file,
an output that is a directory, an unknown extension, an unwritable store
location. The command must fail before doing the work, name the culprit in
one line, exit non-zero, and leave nothing half-written.
"""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner, Result

from geo._atomic import atomic_open, ensure_parent
from geo._synthetic import synthetic_results
from geo.cli import main
from geo.errors import OutputError
from geo.frames import build_frames
from geo.store import Store


@pytest.fixture()
def store_dir(tmp_path: Path) -> Path:
    a, m, _ = build_frames(synthetic_results(12, seed=3))
    Store(tmp_path / "st").ingest(SimpleNamespace(articles=a, mentions=m))
    return tmp_path / "st"


@pytest.fixture()
def a_file(tmp_path: Path) -> Path:
    p = tmp_path / "article.txt"
    p.write_text("Officials in Lisbon said the port reopened on Monday.\n", encoding="utf-8")
    return p


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def assert_one_clean_line(r: Result, *needles: str, code: int = 1) -> None:
    assert r.exit_code == code, r.output
    # a clean exit: click's own exit, not an exception caught by the runner
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output
    error_lines = [line for line in r.output.splitlines() if line.startswith("Error:")]
    assert len(error_lines) == 1, r.output
    for needle in needles:
        assert needle in error_lines[0], r.output


def test_parse_output_under_a_file(tmp_path: Path, a_file: Path) -> None:
    r = invoke("parse", str(a_file), "-o", str(a_file / "out.jsonl"))
    assert_one_clean_line(r, "cannot write", f"{a_file} is a file, not a directory")


def test_parse_output_is_a_directory(tmp_path: Path, a_file: Path) -> None:
    (tmp_path / "out.geojson").mkdir()
    r = invoke("parse", str(a_file), "-o", str(tmp_path / "out.geojson"))
    assert_one_clean_line(r, "is a directory")


def test_parse_unknown_output_format(tmp_path: Path, a_file: Path) -> None:
    r = invoke("parse", str(a_file), "-o", str(tmp_path / "out.xyz"))
    assert_one_clean_line(r, "out.xyz", ".jsonl", ".geojson", code=2)
    assert not (tmp_path / "out.xyz").exists()


def test_map_output_must_be_html(tmp_path: Path, a_file: Path) -> None:
    r = invoke("map", str(a_file), "-o", str(tmp_path / "map.xyz"))
    assert_one_clean_line(r, "map.xyz", ".html", code=2)
    assert not (tmp_path / "map.xyz").exists()


def test_map_articles_dir_under_a_file(tmp_path: Path, a_file: Path) -> None:
    r = invoke("map", str(a_file), "-o", str(tmp_path / "m.html"), "--articles-dir", str(a_file / "pages"))
    assert_one_clean_line(r, f"{a_file} is a file, not a directory")
    assert not (tmp_path / "m.html").exists()  # failed before drawing anything


def test_query_unknown_output_format_fails_before_querying(store_dir: Path, tmp_path: Path) -> None:
    r = invoke("query", "--store", str(store_dir), "-o", str(tmp_path / "out.xyz"))
    assert_one_clean_line(r, "out.xyz", code=2)
    assert "match" not in r.output  # the query did not run


def test_query_group_by_table_needs_a_table_format(store_dir: Path, tmp_path: Path) -> None:
    r = invoke("query", "--store", str(store_dir), "--group-by", "country", "-o", str(tmp_path / "g.geojson"))
    assert_one_clean_line(r, "g.geojson", ".csv", code=2)


@pytest.mark.parametrize("opt", [["-o", "x.csv", "--group-by", "country"], ["-o", "x.geojson"], ["--map", "m.html"]])
def test_query_outputs_under_a_file(store_dir: Path, a_file: Path, opt: list[str]) -> None:
    args = [str(a_file / v) if v.startswith(("x.", "m.")) else v for v in opt]
    r = invoke("query", "--store", str(store_dir), *args)
    assert_one_clean_line(r, f"{a_file} is a file, not a directory")


def test_export_output_under_a_file(store_dir: Path, a_file: Path) -> None:
    r = invoke("export", "--store", str(store_dir), "-o", str(a_file / "x.geojson"))
    assert_one_clean_line(r, f"{a_file} is a file, not a directory")


def test_ingest_store_under_a_file(a_file: Path) -> None:
    r = invoke("ingest", str(a_file), "--store", str(a_file / "news.store"))
    assert_one_clean_line(r, "cannot create store", "Not a directory")


def test_evaluate_predictions_under_a_file(tmp_path: Path, a_file: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "g", "text": "Rain in Lisbon.", "toponyms": []}\n', encoding="utf-8")
    r = invoke("evaluate", str(gold), "--predictions", str(a_file / "p.jsonl"))
    assert_one_clean_line(r, f"{a_file} is a file, not a directory")


def test_reader_message_that_already_says_skipped_is_not_doubled(tmp_path: Path) -> None:
    csv = tmp_path / "news.csv"
    csv.write_text("id,body\n1,Rain in Lisbon\n", encoding="utf-8")
    r = invoke("parse", str(csv))
    assert r.exit_code == 3, r.output
    line = next(x for x in r.output.splitlines() if "news.csv" in x)
    assert line.count("skipped") == 1, line


# the library helpers behind those messages


def test_ensure_parent_names_the_file_in_the_way(tmp_path: Path) -> None:
    blocker = tmp_path / "a"
    blocker.write_text("x")
    with pytest.raises(OutputError, match=r"a is a file, not a directory") as info:
        ensure_parent(blocker / "b" / "c.json")
    assert isinstance(info.value, OSError)  # still an OSError for callers that know only builtins


def test_atomic_open_onto_a_directory_is_an_output_error_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.mkdir()
    with pytest.raises(OutputError, match="is a directory"), atomic_open(target) as fh:
        fh.write("x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_atomic_open_passes_other_errors_unchanged(tmp_path: Path) -> None:
    # e.g. an input read inside the block
    with pytest.raises(FileNotFoundError), atomic_open(tmp_path / "out.txt"):
        (tmp_path / "missing-input.txt").read_text(encoding="utf-8")
    assert list(tmp_path.iterdir()) == []


def test_query_table_shows_undated_articles_blank_not_nan(tmp_path: Path) -> None:
    results = synthetic_results(4, seed=5)
    undated = results[0].article
    undated.date = None  # an article with no date (a plain .txt file has none)
    a, m, _ = build_frames(results)
    Store(tmp_path / "st").ingest(SimpleNamespace(articles=a, mentions=m))
    r = CliRunner().invoke(main, ["query", "--store", str(tmp_path / "st"), "--limit", "0"])
    assert r.exit_code == 0, r.output
    rows = [line for line in r.output.splitlines() if undated.id in line]
    assert rows, r.output
    assert all("NaN" not in line and "NaT" not in line for line in rows), rows


def test_query_unknown_country_code_is_an_error_not_an_empty_result(store_dir: Path) -> None:
    r = invoke("query", "--store", str(store_dir), "--country", "ZZ")
    assert_one_clean_line(r, "unknown country code 'ZZ'")


def test_country_codes_newsrooms_use() -> None:
    from geo.query import _country_codes

    assert _country_codes("uk, EL") == ["GB", "GR"]
    assert _country_codes(["XK", "CS", "kr"]) == ["XK", "CS", "KR"]  # codes GeoNames uses beyond ISO


@pytest.mark.parametrize(("line", "message"), [
    ('["not", "an", "object"]', "expected a JSON object"),
    ('{"text": "Rain in Oslo.", "toponyms": []}', "no 'id'"),
    ('{"id": 1, "text": 5}', "'text' must be a string"),
    ('{"id": 1, "text": "Rain in Oslo.", "toponyms": {}}', "'toponyms' must be a list"),
    ('{"id": 1, "text": "Rain in Oslo.", "toponyms": [{"start": 8, "end": 99}]}', "start/end must be offsets"),
    ('{"id": 1, "text": "Rain in Oslo.", "toponyms": [{"start": 0, "end": 4, "name": "Oslo"}]}',
     "text[0:4] is 'Rain', not 'Oslo'"),
])
def test_evaluate_names_the_bad_gold_line(tmp_path: Path, line: str, message: str) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "ok", "text": "Rain in Lima.", "toponyms": []}\n' + line + "\n", encoding="utf-8")
    r = invoke("evaluate", str(gold))
    assert_one_clean_line(r, f"{gold}:2", message)


def test_workers_give_identical_output_around_a_bad_line(tmp_path: Path) -> None:
    import json

    texts = ["Storms hit Lisbon and Porto.", "Talks in Nairobi, Kenya, ended.", "Floods in Dhaka, Bangladesh."]
    lines = [json.dumps({"id": f"n{i}", "text": texts[i % 3]}) for i in range(30)]
    lines.insert(15, "{not json")
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}.geojson"
        r = invoke("parse", str(src), "-o", str(out), "--workers", workers)
        assert r.exit_code == 3, r.output
        assert f"{src}:16: malformed JSON" in r.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    ids = {f["properties"]["article_id"] for f in json.loads(outs[0])["features"]}
    assert ids == {f"n{i}" for i in range(30)}


@pytest.mark.parametrize("content", [
    '{"id": "g", "text": "Rain in Lima.", "toponyms": []}\n'.encode("latin-1") + b"\xe9\xff\n",
    b"\x89PNG\r\n\x1a\n\xff\xd8\xff" * 50,  # binary
])
def test_evaluate_gold_that_is_not_utf8_is_one_clean_line(tmp_path: Path, content: bytes) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_bytes(content)
    r = invoke("evaluate", str(gold))
    assert_one_clean_line(r, str(gold), "not UTF-8")


def test_evaluate_gold_in_utf16_with_a_bom_is_scored(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_bytes('{"id": "g", "text": "Rain in Lima.", "toponyms": [{"start": 8, "end": 12, '
                     '"lat": -12.05, "lon": -77.04}]}\n'.encode("utf-16"))
    r = invoke("evaluate", str(gold), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["resolution"]["acc161_all"] == 1.0


@pytest.mark.parametrize("command", ["parse", "map", "evaluate"])
def test_output_that_is_also_an_input_is_refused_and_the_input_kept(tmp_path: Path, command: str) -> None:
    src = tmp_path / ("news.html" if command == "map" else "news.jsonl")
    content = ("<html><body><p>Floods hit Dhaka and Chittagong.</p></body></html>\n" if command == "map"
               else '{"id": "a", "text": "Floods hit Dhaka.", "toponyms": []}\n')
    src.write_text(content, encoding="utf-8")
    same = str(tmp_path / "." / src.name)  # the same file, spelled differently
    args = {"parse": ["parse", str(src), "-o", same], "map": ["map", str(src), "-o", same],
            "evaluate": ["evaluate", str(src), "--predictions", same]}[command]
    r = invoke(*args)
    assert_one_clean_line(r, "is also an input", code=2)
    assert src.read_text(encoding="utf-8") == content


@pytest.mark.parametrize("args", [["query", "-o", "{poly}"], ["query", "--group-by", "place", "-o", "{poly}"],
                                  ["export", "-o", "{poly}"]])
def test_output_that_is_the_within_polygon_file_is_refused(store_dir: Path, tmp_path: Path, args: list[str]) -> None:
    import json

    poly = tmp_path / "area.geojson"
    content = json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                          "geometry": {"type": "Polygon", "coordinates": [[[-180, -90], [180, -90], [180, 90],
                                                                           [-180, 90], [-180, -90]]]}}]})
    poly.write_text(content, encoding="utf-8")
    argv = [a.format(poly=poly) for a in args]
    r = invoke(argv[0], "--store", str(store_dir), "--within", str(poly), *argv[1:])
    assert_one_clean_line(r, "is also an input", code=2)
    assert poly.read_text(encoding="utf-8") == content
