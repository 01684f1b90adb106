"""The state/province choropleth at its largest: every first-level area of the gazetteer mentioned.

One mention per admin1 area that has a footprint (about 3,300 worldwide), drawn
with ``layers=["places"]`` and ``["places", "admin1"]``; prints the rendered
HTML size and the time of ``event_map`` + render, and the vertex counts before
and after the map's simplification.

Usage::

    python benchmarks/bench_maps_admin1.py

Needs a built gazetteer (``eventmap gazetteer build``); nothing is built here.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._machine import header  # noqa: E402


def main() -> int:
    import numpy as np
    import pandas as pd
    import shapely

    import gazetteer
    import maps
    from maps._event_map import _simplified

    print(header())
    gaz = gazetteer.load(build=False)
    areas = [p for p in gaz.regions() if p.fcode == "ADM1"]
    mentions = pd.DataFrame({
        "place_id": [p.id for p in areas], "name": [p.name for p in areas],
        "lat": [p.lat for p in areas], "lon": [p.lon for p in areas],
        "country_code": [p.country_code for p in areas], "admin1": [p.admin1 for p in areas],
        "article_id": [f"a{i % 500}" for i in range(len(areas))],
    })
    geoms = np.asarray([gaz.footprint(p.footprint) for p in areas], dtype=object)
    drawn = _simplified(list(geoms))
    print(f"{len(areas)} admin1 areas; vertices: gazetteer {int(shapely.get_num_coordinates(geoms).sum())}, "
          f"drawn {int(shapely.get_num_coordinates(np.asarray(drawn, dtype=object)).sum())}")
    for layers in (["places"], ["places", "admin1"]):
        t0 = time.perf_counter()
        html = maps.event_map(mentions, layers=layers).get_root().render()
        dt = time.perf_counter() - t0
        print(f"layers={','.join(layers)}: map + render {dt:.2f} s, HTML {len(html) / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
