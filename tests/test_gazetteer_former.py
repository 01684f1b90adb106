"""Former and renamed first-level areas from an older admin snapshot (gazetteer._former)."""
from __future__ import annotations

import pytest
from shapely.geometry import Point, box

import gazetteer
from gazetteer._former import MIN_MEMBERS, former_admin1, name_core
from gazetteer.build import SourceSet
from gazetteer.sources import PlaceRecord
from gazetteer.sources.reverse_geocoder import AdminRow


def _grid(x0: float, y0: float, n: int = 3) -> list[tuple[float, float]]:
    return [(y0 + i * 0.5, x0 + j * 0.5) for i in range(n) for j in range(n)]


def _never(cc: str, key: str) -> bool:
    return False


def test_same_towns_under_another_name_is_a_renaming():
    towns = [("ZZ", "01", lat, lon, 100) for lat, lon in _grid(20, 10)]
    old = [("ZZ", "Old North", lat, lon) for lat, lon, in _grid(20, 10)]
    [area] = former_admin1(towns, old, _never)
    assert area.same_as == "01" and area.name == "Old North" and len(area.members) == 9


def test_two_old_areas_merged_into_one_are_former_areas():
    west, east = _grid(20, 10), _grid(22, 10)
    towns = [("ZZ", "05", lat, lon, 10) for lat, lon in west + east]
    old = ([("ZZ", "West March", lat, lon) for lat, lon in west]
           + [("ZZ", "East March", lat, lon) for lat, lon in east])
    areas = {a.name: a for a in former_admin1(towns, old, _never)}
    assert set(areas) == {"West March", "East March"}
    assert all(a.same_as is None and a.admin1 == "05" for a in areas.values())
    assert areas["West March"].population == 90
    assert sorted(m[:2] for m in areas["East March"].members) == sorted(east)


def test_known_names_small_groups_and_unmatched_towns_are_left_out():
    west, east = _grid(20, 10), _grid(22, 10)
    towns = [("ZZ", "05", lat, lon, 10) for lat, lon in west + east]
    old = ([("ZZ", "Known Land", lat, lon) for lat, lon in west]
           + [("ZZ", "Tiny", lat, lon) for lat, lon in east[:MIN_MEMBERS - 1]]
           + [("ZZ", "Ghost", 50.0, 50.0)]  # no current town there
           + [("ZZ", "", lat, lon) for lat, lon in east[MIN_MEMBERS:]])
    areas = former_admin1(towns, old, lambda cc, key: key == "known land")
    assert areas == []


def test_generic_words_are_known_under_the_core_name():
    towns = [("EG", "07", lat, lon, 1) for lat, lon in _grid(31, 30)]
    old = [("EG", "Muhafazat al Gharbiyah", lat, lon) for lat, lon in _grid(31, 30)]
    assert former_admin1(towns, old, lambda cc, key: key == "gharbiyah") == []


@pytest.mark.parametrize("name, core", [
    ("Muhafazat al Fayyum", "fayyum"), ("Changwat Udon Thani", "udon thani"),
    ("Wilaya de Naama", "naama"), ("Kotayk'i Marz", "kotayk'i"), ("Talsu Rajons", "talsu"),
    ("Nord-Pas-de-Calais", "nord pas de calais"), ("Alsace", "alsace"),
])
def test_name_core(name, core):
    assert name_core(name) == core


def test_build_adds_former_areas_with_footprint_and_renamed_aliases(tmp_path):
    """Two old provinces merged into today's one, in an invented country."""
    west, east = _grid(18.2, 8.5, 4), _grid(20.6, 8.5, 4)
    recs = [
        PlaceRecord("gn:1", "Zedland", "A", "PCLI", "ZZ", population=10, lat=10.0, lon=20.0,
                    footprint=box(18, 8, 22, 12)),
        PlaceRecord("gn:2", "Union Province", "A", "ADM1", "ZZ", "01"),
        PlaceRecord("gn:3", "Hill Province", "A", "ADM1", "ZZ", "02"),
    ]
    recs += [PlaceRecord(f"gn:{100 + i}", f"Town{i}", "P", "PPL", "ZZ", "01", population=1000,
                         lat=lat, lon=lon) for i, (lat, lon) in enumerate(west + east)]
    hill = _grid(19.5, 11.0, 2)
    recs += [PlaceRecord(f"gn:{200 + i}", f"Hilltown{i}", "P", "PPL", "ZZ", "02", population=500,
                         lat=lat, lon=lon) for i, (lat, lon) in enumerate(hill)]
    old = ([AdminRow(lat, lon, "x", "Westmark", "", "ZZ") for lat, lon in west]
           + [AdminRow(lat, lon, "x", "Eastmark", "", "ZZ") for lat, lon in east]
           + [AdminRow(lat, lon, "x", "Highlands", "", "ZZ") for lat, lon in hill])
    gazetteer.build(tmp_path, sources=SourceSet(records=recs, old_admin1_rows=old,
                                                versions={"t": "1"}), progress=False)
    gaz = gazetteer.load(tmp_path, build=False)
    assert gaz.meta["former_admin1"] == {"renamed": 1, "former": 2, "former_footprints": 2}
    [west_match] = gaz.lookup("Westmark")
    place = west_match.place
    assert place.fcode == "ADM1H" and place.country_code == "ZZ" and place.admin1 == "01"
    assert place.population == 16 * 1000
    shape = gaz.footprint(place.footprint)
    assert shape.contains(Point(18.9, 9.2))       # its own towns' middle
    assert not shape.contains(Point(21.4, 9.2))   # the other old province's
    assert 18.0 <= place.lon < 20.6 and 8.0 <= place.lat <= 12.0
    assert place.footprint in gaz.derived_footprints()
    # same towns, other name: an alternate name of today's area, not a new place
    [high] = gaz.lookup("Highlands")
    assert high.place.id == "gn:3" and high.kind == "alt"


def test_state_point_moves_halfway_to_its_largest_town_only_when_161_to_322_km_apart(tmp_path):
    from gazetteer._points import _km, midpoint

    recs = [PlaceRecord("gn:1", "Zedland", "A", "PCLI", "ZZ", population=10, lat=10.0, lon=20.0),
            PlaceRecord("gn:2", "Far Province", "A", "ADM1", "ZZ", "01", lat=10.0, lon=20.0),
            PlaceRecord("gn:3", "Near Province", "A", "ADM1", "ZZ", "02", lat=30.0, lon=20.0),
            # 2.2° of latitude ≈ 245 km from Far Province's point; 0.5° ≈ 56 km from Near's
            PlaceRecord("gn:10", "Bigcity", "P", "PPL", "ZZ", "01", population=90000,
                        lat=12.2, lon=20.0),
            PlaceRecord("gn:11", "Smallton", "P", "PPL", "ZZ", "01", population=900,
                        lat=10.0, lon=20.0),
            PlaceRecord("gn:12", "Neartown", "P", "PPL", "ZZ", "02", population=5000,
                        lat=30.5, lon=20.0)]
    gazetteer.build(tmp_path, sources=SourceSet(records=recs, versions={"t": "1"}),
                    progress=False)
    gaz = gazetteer.load(tmp_path, build=False)
    far, near = gaz.admin1("ZZ", "01"), gaz.admin1("ZZ", "02")
    mid = midpoint((10.0, 20.0), (12.2, 20.0))
    assert (far.lat, far.lon) == pytest.approx(mid)
    assert _km((far.lat, far.lon), (12.2, 20.0)) < 161 and _km((far.lat, far.lon), (10, 20)) < 161
    assert (near.lat, near.lon) == (30.0, 20.0)
    assert gaz.meta["admin1_toward_largest_town"] == 1


def test_former_country_names_join_their_successor_unless_its_country_has_the_name(tmp_path):
    from gazetteer.sources.pycountry import former_names

    iso = {name: target for name, _, target in former_names()}
    assert iso["Zaire"] == "country:CD" and iso["Dahomey"] == "country:BJ"
    assert not any(t.endswith(("HH", "XX")) for t in iso.values())  # no single successor
    recs = [PlaceRecord("gn:1", "Newland", "A", "PCLI", "NL", lat=1.0, lon=1.0),
            PlaceRecord("gn:2", "Otherland", "A", "PCLI", "OL", lat=5.0, lon=5.0),
            PlaceRecord("gn:3", "Oldname", "A", "ADM1", "OL", "01", lat=5.0, lon=5.0),
            PlaceRecord("gn:4", "Hillstate", "A", "ADM1", "NL", "02", lat=1.0, lon=1.0)]
    for r in recs[:2]:
        recs.append(PlaceRecord(f"country:{r.country_code}", r.name, "A", "PCLI", r.country_code))
    gazetteer.build(tmp_path, sources=SourceSet(
        records=recs, versions={"t": "1"},
        fill_aliases=[("Oldname", "alt", "country:NL"), ("Hillstate", "alt", "country:NL")]),
        progress=False)
    gaz = gazetteer.load(tmp_path, build=False)
    assert {m.place.id for m in gaz.lookup("Oldname")} == {"gn:1", "gn:3"}
    assert [m.place.id for m in gaz.lookup("Hillstate")] == ["gn:4"]
    assert gaz.meta["fill_aliases"] == 1


def test_direction_only_old_names_are_left_out():
    west, east = _grid(20, 10), _grid(22, 10)
    towns = [("ZZ", "05", lat, lon, 10) for lat, lon in west + east]
    old = ([("ZZ", "Mid Western", lat, lon) for lat, lon in west]
           + [("ZZ", "Eastern Province", lat, lon) for lat, lon in east])
    assert former_admin1(towns, old, _never) == []
