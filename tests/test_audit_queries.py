"""Audit: bad query values through the real CLI are one clear message naming the value."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from geo.cli import main


def test_geocode_unknown_feature_class_is_named_not_a_silent_miss() -> None:
    r = CliRunner().invoke(main, ["geocode", "Busan", "--feature-class", "P,Q"])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert "unknown GeoNames feature class 'Q'" in r.output and "--feature-class" in r.output


def test_geocode_known_feature_classes_any_case_still_work() -> None:
    r = CliRunner().invoke(main, ["geocode", "Busan", "--feature-class", "p,a", "--json"])
    assert r.exit_code == 0, r.output
    assert '"results"' in r.output and "Busan" in r.output


def test_within_a_broken_polygon_file_is_one_line_without_library_warnings(tmp_path) -> None:
    import json
    from types import SimpleNamespace

    from geo._synthetic import synthetic_results
    from geo.frames import build_frames
    from geo.store import Store

    a, m, _ = build_frames(synthetic_results(4, seed=2))
    Store(tmp_path / "st").ingest(SimpleNamespace(articles=a, mentions=m))
    poly = tmp_path / "area.geojson"  # a ring that is not closed
    poly.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [[[80, 20], [95, 20]]]}}]}), encoding="utf-8")
    # a real process: pytest would capture the Python warning that leaked to the terminal
    r = subprocess.run([str(Path(sys.executable).with_name("eventmap")), "query", "--store",
                        str(tmp_path / "st"), "--within", str(poly)], check=False, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stderr
    assert r.stderr.startswith(f"Error: cannot read polygon file {poly}:"), r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


@pytest.fixture(scope="module")
def dated_store(tmp_path_factory):
    from types import SimpleNamespace

    from geo._synthetic import synthetic_results
    from geo.frames import build_frames
    from geo.store import Store

    a, m, _ = build_frames(synthetic_results(10, seed=6))
    assert a["date"].notna().any()
    path = tmp_path_factory.mktemp("dated") / "st"
    Store(path).ingest(SimpleNamespace(articles=a, mentions=m))
    return path, int(m["date"].notna().sum())


@pytest.mark.parametrize(("args", "all_dated"), [
    (["--until", "3000-01-01"], True),
    (["--until", "3000-01-01T00:00Z"], True),
    (["--until", "2262-04-11"], True),
    (["--since", "1200-01-01", "--until", "9999-12-31"], True),
    (["--since", "3000-01-01"], False),
    (["--until", "1000-01-01"], False),
])
def test_dates_beyond_the_timestamp_range_are_bounds_not_a_traceback(dated_store, args, all_dated) -> None:
    store, n_dated = dated_store
    r = CliRunner().invoke(main, ["query", "--store", str(store), "--limit", "0", *args])
    assert r.exit_code == 0, r.output
    assert "Traceback" not in r.output
    expected = n_dated if all_dated else 0
    assert f"{expected} mentions in" in r.output, r.output


@pytest.fixture(scope="module")
def apostrophe_store(tmp_path_factory):
    from types import SimpleNamespace

    from geo._synthetic import synthetic_results
    from geo.frames import build_frames
    from geo.store import Store

    results = synthetic_results(3, seed=8)
    results[0].article.text = "Flights at O'Hare and in Xi'an were cancelled; People's Park flooded."
    results[0].article.id = "apos"
    a, m, _ = build_frames(results)
    path = tmp_path_factory.mktemp("apos") / "st"
    Store(path).ingest(SimpleNamespace(articles=a, mentions=m))
    return path


@pytest.mark.parametrize("text", ["O'Hare", "xi'an cancelled", "People's Park", '"People\'s Park"',
                                  "\u201cPeople's Park\u201d"])
def test_text_filter_words_may_hold_apostrophes(apostrophe_store, text: str) -> None:
    r = CliRunner().invoke(main, ["query", "--store", str(apostrophe_store), "--text", text, "--limit", "0"])
    assert r.exit_code == 0, r.output
    assert "apos" in r.output
    assert " in 1 articles match" in r.output, r.output


def test_text_filter_unclosed_double_quote_is_named(apostrophe_store) -> None:
    r = CliRunner().invoke(main, ["query", "--store", str(apostrophe_store), "--text", '"People\'s Park'])
    assert r.exit_code == 1, r.output
    assert r.output.startswith("Error: text filter '\"People") and "no closing quotation mark" in r.output
