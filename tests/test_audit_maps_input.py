"""Bad coordinates in frames handed to a map: the message shows the value as the user wrote it."""
from __future__ import annotations

import pandas as pd
import pytest

import maps
from maps import MapInputError


def _mentions(lat, lon):
    return pd.DataFrame({"place_id": ["p1"], "article_id": ["a1"], "name": ["Somewhere"], "lat": [lat], "lon": [lon]})


@pytest.mark.parametrize("lat, lon, shown", [(95.0, 200.0, "got 95.0"), (10.0, 181.5, "got 181.5"),
                                             ("north", 3.0, "'north'")])
def test_bad_value_shown_plainly(lat, lon, shown):
    with pytest.raises(MapInputError) as err:
        maps.event_map(_mentions(lat, lon), footprint_of=False)
    assert shown in str(err.value) and "np." not in str(err.value), str(err.value)
    assert "'p1'" in str(err.value) and "'a1'" in str(err.value)


def test_missing_coordinates_said_so():
    with pytest.raises(MapInputError, match=r"place 'p1' \(mention 0 of article 'a1'\) has no coordinates") as err:
        maps.event_map(_mentions(None, None), footprint_of=False)
    assert "nan" not in str(err.value)
