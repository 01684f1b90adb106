"""The seed article through the recogniser and the resolver (real gazetteer)."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from geo.articles import Article
from geo.recognize import Recognizer
from geo.resolve import Resolver

SEED = Path("/work/shared/seed/busan-article.txt")
if not SEED.exists():  # the repository's copy, where the shared folder is absent
    SEED = Path(__file__).resolve().parents[1] / "examples" / "busan-article.txt"


def _km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * \
        math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def seed(gazetteer_db):
    if not SEED.exists():
        pytest.skip("seed article not available")
    text = SEED.read_text(encoding="utf-8")
    spans = Recognizer(gazetteer_db)(text)
    result = Resolver(gazetteer_db)(Article(id="seed", text=text), spans)
    return text, spans, result


def _by_text(result, name):
    return [m for m in result.mentions if m.text == name]


def test_spans_are_sorted_non_overlapping_and_match_the_text(seed):
    text, spans, result = seed
    assert spans == sorted(spans, key=lambda s: s.start)
    for a, b in zip(spans, spans[1:]):
        assert a.end <= b.start
    for s in spans:
        assert text[s.start:s.end] == s.text
    assert [(m.start, m.end) for m in result.mentions] == [(s.start, s.end) for s in spans]


def test_busan(seed):
    _, _, result = seed
    ms = _by_text(result, "Busan")
    assert len(ms) >= 3
    for m in ms:
        assert _km(m.place.lat, m.place.lon, 35.10, 129.04) <= 25
        assert m.place.country_code == "KR"


@pytest.mark.parametrize("name", ["South Korea", "Republic of Korea", "ROK"])
def test_south_korea_forms(seed, name):
    _, _, result = seed
    ms = _by_text(result, name)
    assert ms, name
    for m in ms:
        assert m.place.country_code == "KR" and m.place.fcode.startswith("PCL")


@pytest.mark.parametrize("name", ["United States", "U.S.", "US"])
def test_united_states_forms(seed, name):
    _, _, result = seed
    ms = _by_text(result, name)
    assert ms, name
    for m in ms:
        assert m.place.country_code == "US" and m.place.fcode.startswith("PCL")


def test_pentagon_is_the_building_in_arlington(seed):
    _, _, result = seed
    (m,) = _by_text(result, "Pentagon")
    assert _km(m.place.lat, m.place.lon, 38.871, -77.056) <= 3
    assert m.place.country_code == "US"


def test_washington_is_the_capital_and_metonymic(seed):
    text, _, result = seed
    ms = _by_text(result, "Washington")
    assert len(ms) == 3
    for m in ms:
        assert m.place.fcode == "PPLC" and m.place.country_code == "US"
        assert _km(m.place.lat, m.place.lon, 38.9, -77.04) <= 25
    # "Washington’s long-standing commitment", "efforts of Seoul and Washington",
    # "commitment from Seoul and Washington": the government, each time
    assert all(m.metonymic for m in ms)


@pytest.mark.parametrize("name,cc,code", [("Seoul", "KR", "PPLC"), ("Japan", "JP", "PCLI"),
                                          ("North Korea", "KP", "PCLI")])
def test_other_places(seed, name, cc, code):
    _, _, result = seed
    ms = _by_text(result, name)
    assert ms
    for m in ms:
        assert m.place.country_code == cc and m.place.fcode == code


def test_seoul_emphasizes_is_metonymic(seed):
    text, _, result = seed
    i = text.index("Seoul emphasizes")
    (m,) = [m for m in result.mentions if m.start == i]
    assert m.metonymic


def test_pentagon_visit_is_literal(seed):
    _, _, result = seed
    (m,) = _by_text(result, "Pentagon")
    assert not m.metonymic  # "at the Pentagon in mid-November"


@pytest.mark.parametrize("name", ["Korean Peninsula", "Indo-Pacific"])
def test_regions_have_footprints(seed, gazetteer_db, name):
    _, _, result = seed
    (m,) = _by_text(result, name)
    assert m.place.footprint
    geom = gazetteer_db.footprint(m.place.footprint)
    assert geom is not None and geom.area > 1.0   # square degrees: a region, not a point


@pytest.mark.parametrize("word", ["Missouri", "Austin", "Yonhap", "Shin", "Won", "sik", "Lloyd"])
def test_no_place_for_ships_people_and_agencies(seed, word):
    text, spans, _ = seed
    for s in spans:
        assert word not in s.text or s.kind == "demonym", (word, s)


def test_demonyms_are_marked_and_linked(seed):
    _, spans, result = seed
    dem = [m for m in result.mentions if m.kind == "demonym"]
    assert {m.text for m in dem} >= {"American", "South Korean"}
    for m in dem:
        assert m.place.fcode.startswith("PCL")
        assert not m.metonymic


def test_focus_is_korea_and_the_us(seed):
    _, _, result = seed
    countries = [f.place.country_code for f in result.focus if f.level == "country"]
    assert countries[0] == "KR"
    assert "US" in countries
    for f in result.focus:
        assert 0 < f.score <= 1
