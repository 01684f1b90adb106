"""Audit: bad query values through the real CLI are one clear message naming the value."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
                        str(tmp_path / "st"), "--within", str(poly)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stderr
    assert r.stderr.startswith(f"Error: cannot read polygon file {poly}:"), r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
