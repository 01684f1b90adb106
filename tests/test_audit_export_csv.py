"""CSV exports of untrusted text read back to the same rows and values (RFC 4180 quoting)."""
from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.export import write

# every character a CSV reader may take for a field or record boundary, alone and mixed
TITLES = ["a,b", 'q"uote"', "cr\ronly", "lf\nonly", "crlf\r\nboth", "lone cr at end\r", "\rat start",
          'all, of "them"\r\n\r', " lead and trail ", "tab\tx", "\u2028line sep", "=1+2", ""]


def _frame() -> gpd.GeoDataFrame:
    n = len(TITLES)
    return gpd.GeoDataFrame({"article_id": [f"a{i}" for i in range(n)], "title": pd.Series(TITLES, dtype="string")},
                            geometry=[shapely.Point(100 + i, 10) for i in range(n)], crs=4326)


def test_csv_text_with_line_breaks_and_quotes_round_trips(tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    assert write(_frame(), out) == len(TITLES)
    with open(out, encoding="utf-8", newline="") as fh:  # the csv module's own reading
        rows = list(csv.DictReader(fh))
    assert [r["article_id"] for r in rows] == [f"a{i}" for i in range(len(TITLES))]
    assert [r["title"] for r in rows] == TITLES
    back = pd.read_csv(out, keep_default_na=False, dtype=str)
    assert back["article_id"].tolist() == [f"a{i}" for i in range(len(TITLES))]
    assert back["title"].tolist() == TITLES
    assert back["geometry"].tolist() == [f"POINT ({100 + i} 10)" for i in range(len(TITLES))]
