"""Derived first-level area footprints: synthetic builds (method, antimeridian, overrides)
and checks against the real default gazetteer (well-known cities, region queries)."""
from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

import gazetteer
from gazetteer._footprints import COAST, GRID, admin1_footprints
from gazetteer.build import SourceSet
from gazetteer.sources import PlaceRecord


# --------------------------------------------------------------------------- synthetic

def _towns(cc: str, admin1: str, lons, lats, start: int, pop: int = 1000) -> list[PlaceRecord]:
    return [PlaceRecord(f"gn:{start + i}", f"Town{cc}{admin1}n{i}", "P", "PPL", cc, admin1,
                        population=pop, lat=float(la), lon=float(lo))
            for i, (lo, la) in enumerate(zip(lons, lats))]


def _grid(x0: float, x1: float, y0: float, y1: float, n: int = 6):
    xs, ys = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    return xs.ravel(), ys.ravel()


def quadland() -> list[PlaceRecord]:
    """An invented country 0..10 E x 0..10 N: West (x < 5), East (x > 5), an empty third area."""
    return [
        PlaceRecord("gn:1", "Quadland", "A", "PCLI", "QQ", population=10_000, lat=5.0, lon=5.0,
                    footprint=box(0, 0, 10, 10)),
        PlaceRecord("gn:2", "West Province", "A", "ADM1", "QQ", "01"),
        PlaceRecord("gn:3", "East Province", "A", "ADM1", "QQ", "02"),
        PlaceRecord("gn:4", "Ghost Province", "A", "ADM1", "QQ", "03"),
        PlaceRecord("gn:5", "Drawn Province", "A", "ADM1", "QQ", "04"),
        # a small drawn area named like the (more important) derived East Province
        PlaceRecord("em:east-marsh", "East Province", "L", "AREA", "QQ", lat=5.0, lon=9.5,
                    footprint=box(9, 4, 10, 6)),
        *_towns("QQ", "01", *_grid(0.5, 4.5, 0.5, 9.5), start=100),
        *_towns("QQ", "02", *_grid(5.5, 9.5, 0.5, 9.5), start=200),
        # a town of an area the gazetteer does not know: ignored, not a hole
        *_towns("QQ", "99", [5.0], [5.0], start=300),
    ]


@pytest.fixture()
def quad(tmp_path):
    drawn = box(4, 4, 6, 6)
    sources = SourceSet(records=quadland(), footprints=[("admin1:QQ.04", drawn)],
                        versions={"quad": "1"})
    gazetteer.build(tmp_path, sources=sources, progress=False)
    return gazetteer.load(tmp_path, build=False)


def test_voronoi_areas_split_the_country(quad):
    west, east = quad.admin1("QQ", "01"), quad.admin1("QQ", "02")
    gw, ge = quad.footprint(west.footprint), quad.footprint(east.footprint)
    assert gw.is_valid and ge.is_valid
    # the border lies halfway between the nearest towns of either side (x = 5);
    # the coast is widened COAST degrees out to sea
    assert gw.bounds == pytest.approx((-COAST, -COAST, 5, 10 + COAST), abs=0.01)
    assert ge.bounds == pytest.approx((5, -COAST, 10 + COAST, 10 + COAST), abs=0.01)
    assert gw.covers(Point(1, 1)) and gw.covers(Point(4.9, 9.9)) and not gw.covers(Point(5.1, 5))
    assert ge.covers(Point(9.9, 0.1)) and not ge.covers(Point(4.9, 5))
    assert gw.covers(Point(-COAST / 2, 5)) and not gw.covers(Point(-2 * COAST, 5))
    # together they cover the country, without overlap
    assert shapely.union(gw, ge).covers(box(0, 0, 10, 10))
    assert shapely.intersection(gw, ge).area == pytest.approx(0, abs=1e-6)


def test_only_missing_footprints_are_derived_and_recorded(quad):
    assert quad.admin1("QQ", "03").footprint is None  # no member town: no area
    drawn = quad.admin1("QQ", "04")
    assert quad.footprint(drawn.footprint).equals(box(4, 4, 6, 6))  # the supplement's, kept
    meta = quad.meta
    assert meta["derived_footprints"] == 2
    assert meta["derived_footprint_ids"] == ["gn:2", "gn:3"]
    assert quad.info()["derived_footprints"] == 2
    assert {p.id for p in quad.regions()} == {"gn:1", "gn:2", "gn:3", "gn:5", "em:east-marsh"}


def test_info_cli_shows_the_derived_count(quad):
    from click.testing import CliRunner

    from geo.cli import main

    result = CliRunner().invoke(main, ["gazetteer", "info", "--data-dir", str(quad.path.parent)])
    assert result.exit_code == 0, result.output
    assert "footprints: 5 (2 admin1 derived from towns, approximate)" in result.output


def test_country_with_one_populated_area_is_skipped(tmp_path):
    recs = [r for r in quadland() if r.admin1 != "02"]
    gazetteer.build(tmp_path, sources=SourceSet(records=recs, versions={"q": "1"}), progress=False)
    gaz = gazetteer.load(tmp_path, build=False)
    assert gaz.admin1("QQ", "01").footprint is None
    assert gaz.meta["derived_footprints"] == 0


def test_country_outline_from_supplement_completes_countryinfo(tmp_path):
    whole = box(0, 0, 12, 10)  # countryinfo's outline plus a part it lacks
    sources = SourceSet(records=quadland(), versions={"q": "1"},
                        footprints=[("country:QQ", whole), ("gn:2", box(0, 0, 1, 1))])
    gazetteer.build(tmp_path, sources=sources, progress=False)
    gaz = gazetteer.load(tmp_path, build=False)
    assert gaz.footprint(gaz.country("QQ").footprint).equals(whole)
    assert gaz.meta["country_footprints_completed"] == 1
    # a non-country target only fills what is missing: West Province had none, so it takes it
    assert gaz.footprint(gaz.admin1("QQ", "01").footprint).equals(box(0, 0, 1, 1))
    # the East Province now reaches the completed part of the country
    assert gaz.footprint(gaz.admin1("QQ", "02").footprint).covers(Point(11.5, 5))


def test_antimeridian_country():
    # an invented island chain from 177 E across 180 to 177 W, west half area A, east half B
    country = shapely.union(box(177, -19, 180, -16), box(-180, -19, -177, -16))
    lons = [177.5, 178.5, 179.5, 179.9, -179.9, -179.5, -178.5, -177.5]
    towns = [("ZF", "A" if lo > 0 else "B", -17.5, lo, 100) for lo in lons]
    out = admin1_footprints(towns, {"ZF": country}, {("ZF", "A"), ("ZF", "B")})
    a, b = out[("ZF", "A")], out[("ZF", "B")]
    for g in (a, b):
        xmin, _, xmax, _ = g.bounds
        assert -180 <= xmin and xmax <= 180
    assert a.covers(Point(178.0, -17.5)) and a.covers(Point(179.95, -18))
    assert b.covers(Point(-178.0, -17.5)) and b.covers(Point(-179.95, -18))
    assert not a.intersects(Point(-178.0, -17.5)) and not b.intersects(Point(178.0, -17.5))
    assert shapely.union(a, b).covers(country)
    assert shapely.intersection(a, b).area == pytest.approx(0, abs=1e-6)


def test_coast_widened_but_not_into_neighbours():
    countries = {"ZZ": box(0, 0, 10, 10), "YY": box(10, 0, 20, 10)}
    towns = [("ZZ", "A", 5.0, 2.0, 10), ("ZZ", "B", 5.0, 8.0, 10)]
    out = admin1_footprints(towns, countries, {("ZZ", "A"), ("ZZ", "B")})
    a, b = out[("ZZ", "A")], out[("ZZ", "B")]
    assert a.covers(Point(-COAST / 2, 5)) and a.covers(Point(5, -COAST / 2))  # the sea
    assert not shapely.union(a, b).intersects(Point(10 + COAST / 2, 5))  # YY's land


def test_duplicates_strays_and_thinning():
    country = box(0, 0, 10, 10)
    towns = [
        ("ZZ", "A", 5.0, 2.0, 10), ("ZZ", "B", 5.0, 8.0, 10),
        # the same point filed under two areas: the more populous decides
        ("ZZ", "A", 9.0, 9.0, 5), ("ZZ", "B", 9.0, 9.0, 50_000),
        # a town of a far-away territory filed under the country: not a point of it
        ("ZZ", "A", 13.4, 144.7, 1000),
        # many towns within one grid cell: one of them is enough
        *[("ZZ", "A", 1.0 + i * GRID / 50, 1.0, 1) for i in range(40)],
    ]
    out = admin1_footprints(towns, {"ZZ": country}, {("ZZ", "A"), ("ZZ", "B")})
    assert out[("ZZ", "B")].covers(Point(9.0, 9.0))
    assert not out[("ZZ", "A")].covers(Point(9.0, 9.0))
    assert out[("ZZ", "A")].bounds[2] <= 10 + COAST  # clipped to the country and its coast
    # towns only of areas nobody asked for: nothing
    assert admin1_footprints(towns, {"ZZ": country}, set()) == {}
    # a country without polygon: nothing
    assert admin1_footprints(towns, {}, {("ZZ", "A")}) == {}


# --------------------------------------------------------------------------- the real gazetteer

# well-known cities (general knowledge): (lat, lon), country, admin1 name
CITIES = {
    "Houston": ((29.76, -95.37), "US", "Texas"),
    "Dallas": ((32.78, -96.80), "US", "Texas"),
    "Austin": ((30.27, -97.74), "US", "Texas"),
    "Los Angeles": ((34.05, -118.24), "US", "California"),
    "Chicago": ((41.88, -87.63), "US", "Illinois"),
    "Toronto": ((43.65, -79.38), "CA", "Ontario"),
    "Munich": ((48.14, 11.58), "DE", "Bavaria"),
    "Mumbai": ((19.08, 72.88), "IN", "Maharashtra"),
    "Busan": ((35.18, 129.08), "KR", "Busan"),
    "Anchorage": ((61.22, -149.90), "US", "Alaska"),
}


def _admin1_at(gaz, lat: float, lon: float, cc: str) -> list[str]:
    """Ids of the ADM1 areas of country ``cc`` whose footprint covers the point."""
    pt = Point(lon, lat)
    return [p.id for p in gaz.regions()
            if p.fcode == "ADM1" and p.country_code == cc and gaz.footprint(p.footprint).covers(pt)]


@pytest.mark.parametrize("city", sorted(CITIES))
def test_real_cities_fall_in_their_state(gazetteer_db, city):
    (lat, lon), cc, state = CITIES[city]
    want = {m.place.id for m in gazetteer_db.lookup(state)
            if m.place.fcode == "ADM1" and m.place.country_code == cc}
    assert len(want) == 1, want
    assert _admin1_at(gazetteer_db, lat, lon, cc) == list(want)


def test_real_build_records_derived_footprints(gazetteer_db):
    meta = gazetteer_db.meta
    assert meta["derived_footprints"] > 2000
    assert len(meta["derived_footprint_ids"]) == meta["derived_footprints"]
    texas = next(m.place for m in gazetteer_db.lookup("Texas") if m.place.fcode == "ADM1")
    assert texas.footprint in set(meta["derived_footprint_ids"])
    # Somaliland and Northern Cyprus are part of their countries' outlines
    assert gazetteer_db.footprint(gazetteer_db.country("SO").footprint).covers(Point(44.06, 9.56))
    assert gazetteer_db.footprint(gazetteer_db.country("CY").footprint).covers(Point(33.32, 35.30))


def test_real_region_query_texas(gazetteer_db):
    from geo.articles import Article
    from geo.frames import build_frames
    from geo.query import query
    from geo.resolve import ArticleResult, Mention
    from geo._regions import GazetteerRegions

    def place(name: str, lat: float, lon: float, cc: str):
        return gazetteer.Place(f"t:{name}", name, "P", "PPL", cc, None, None, 1000, lat, lon)

    spots = [place("Houstonish", 29.76, -95.37, "US"), place("Dallasish", 32.78, -96.80, "US"),
             place("Chicagoish", 41.88, -87.63, "US"), place("Tulsaish", 36.15, -95.99, "US")]
    text = " ".join(p.name for p in spots)
    mentions = [Mention(text.index(p.name), text.index(p.name) + len(p.name), p.name, "place", p,
                        0.9, None, 0.0, False) for p in spots]
    _, m, _ = build_frames([ArticleResult(Article(id="a", text=text, title="t"), mentions, [])])
    hits = query(m, region="Texas", region_resolver=GazetteerRegions(gazetteer_db))
    assert sorted(hits["name"]) == ["Dallasish", "Houstonish"]


def test_region_resolver_prefers_drawn_outlines_over_derived(quad):
    from geo._regions import GazetteerRegions

    regions = GazetteerRegions(quad)
    # derived areas resolve when nothing drawn has the name
    assert regions("West Province").equals(quad.footprint(quad.admin1("QQ", "01").footprint))
    # the province ranks first in lookups, but a drawn outline of the name wins
    assert quad.lookup("East Province")[0].place.id == "gn:3"
    assert regions("East Province").equals(box(9, 4, 10, 6))
    assert quad.derived_footprints() == frozenset({"gn:2", "gn:3"})


def test_real_region_names_keep_their_drawn_outline(gazetteer_db):
    from geo._regions import GazetteerRegions

    regions = GazetteerRegions(gazetteer_db)
    sea = next(m.place for m in gazetteer_db.lookup("Red Sea") if m.place.fcode == "SEA")
    state = next(m.place for m in gazetteer_db.lookup("Red Sea") if m.place.fcode == "ADM1")
    assert state.footprint in gazetteer_db.derived_footprints()  # both have an area now...
    assert regions("Red Sea").equals(gazetteer_db.footprint(sea.footprint))  # ...the sea wins
    assert regions("Texas").covers(Point(-95.37, 29.76))


def test_physical_features_and_landmarks_outrank_hamlets(tmp_path):
    from gazetteer.build import importance

    recs = [
        *quadland(),
        PlaceRecord("em:peak", "Mount Quux", "T", "MT", None, lat=2.0, lon=2.0, names=[("Quux", "alt")],
                    source="invented"),
        PlaceRecord("gn:400", "Quux", "P", "PPL", "QQ", "01", population=0, lat=3.0, lon=3.0),
        PlaceRecord("em:hall", "Zork Hall", "S", "BLDG", "QQ", lat=4.0, lon=4.0, source="invented"),
        PlaceRecord("gn:401", "Zork Hall", "P", "PPL", "QQ", "01", population=300, lat=3.0, lon=3.5),
        PlaceRecord("gn:402", "Mount Quux", "P", "PPL", "QQ", "02", population=12_000, lat=6.0, lon=6.0),
    ]
    gazetteer.build(tmp_path, sources=SourceSet(records=recs, versions={"q": "1"}), progress=False)
    gaz = gazetteer.load(tmp_path, build=False)
    # a hamlet without population comes after the mountain, even under the mountain's alt name
    assert [m.place.id for m in gaz.lookup("Quux")] == ["em:peak", "gn:400"]
    assert [m.place.id for m in gaz.lookup("Zork Hall")] == ["em:hall", "gn:401"]
    # a real town still comes first: the resolver decides from the context
    assert [m.place.id for m in gaz.lookup("Mount Quux")] == ["gn:402", "em:peak"]
    # areas keep their code bonus; a region is not a landmark
    assert importance("RGN", 0, "L") == 2.0 and importance("PPL", 0, "P") == 0.0
    assert importance("MT", 0, "T") == 3.0
