"""Audit: ``eventmap map`` on frame files other tools wrote."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from geo.cli import main


def test_foreign_geojson_with_an_unlocated_feature_draws_the_others(tmp_path: Path) -> None:
    # GeoJSON allows "geometry": null (a feature with no location); it made the whole map fail
    src = tmp_path / "points.geojson"
    src.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": None, "properties": {"name": "nowhere"}},
        {"type": "Feature", "id": "b", "geometry": {"type": "Point", "coordinates": [90.4, 23.7]},
         "properties": {"name": "Dhaka"}},
    ]}), encoding="utf-8")
    out = tmp_path / "m.html"
    r = CliRunner().invoke(main, ["map", str(src), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "<title>eventmap: 1 place in 0 articles</title>" in out.read_text(encoding="utf-8")
