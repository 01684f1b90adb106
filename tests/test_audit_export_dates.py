"""Dates in a time zone other than UTC are written as the same instant in UTC (``...Z``) by every format."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.export import write


def test_non_utc_dates_are_converted_not_relabelled(tmp_path: Path) -> None:
    when = pd.to_datetime(["2024-01-01T09:00:00+09:00", "2024-06-30T20:30:00-04:00", None], utc=True)
    frame = gpd.GeoDataFrame({"article_id": ["a", "b", "c"], "date": when.tz_convert("Asia/Seoul")},
                             geometry=[shapely.Point(129, 35)] * 3, crs=4326)
    want = ["2024-01-01T00:00:00Z", "2024-07-01T00:30:00Z", None]
    for name in ("x.geojson", "x.jsonl"):
        write(frame, tmp_path / name)
    doc = json.loads((tmp_path / "x.geojson").read_text(encoding="utf-8"))
    assert [f["properties"]["date"] for f in doc["features"]] == want
    lines = (tmp_path / "x.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["properties"]["date"] for x in lines] == want
    write(frame, tmp_path / "x.csv")
    with open(tmp_path / "x.csv", encoding="utf-8", newline="") as fh:
        assert [r["date"] or None for r in csv.DictReader(fh)] == want
