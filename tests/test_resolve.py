"""Resolution evidence, one invented text each, against the real gazetteer."""
from __future__ import annotations

import math
import re

import pytest

from geo.articles import Article
from geo.recognize import Recognizer, Span
from geo.resolve import ArticleResult, Mention, Resolver


@pytest.fixture(scope="module")
def rec(gazetteer_db):
    return Recognizer(gazetteer_db)


@pytest.fixture(scope="module")
def res(gazetteer_db):
    return Resolver(gazetteer_db)


def run(rec, res, text):
    return res(Article(id="t", text=text), rec(text))


def given(res, text, *names):
    """Resolve the given substrings of ``text`` (first occurrence of each, in order)."""
    spans, pos = [], 0
    for n in names:
        i = text.index(n, pos)
        spans.append(Span(i, i + len(n), n, "place"))
        pos = i + len(n)
    return res(Article(id="g", text=text), spans)


def km(p, lat, lon):
    a = math.sin(math.radians(lat - p.lat) / 2) ** 2 + math.cos(math.radians(p.lat)) * \
        math.cos(math.radians(lat)) * math.sin(math.radians(lon - p.lon) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def place_of(result, text):
    return [m.place for m in result.mentions if m.text == text]


def test_one_mention_per_span_same_order_and_offsets(res):
    text = "Flights from Paris to Tokyo resumed."
    r = given(res, text, "Paris", "Tokyo")
    assert isinstance(r, ArticleResult)
    assert [(m.start, m.end, m.text) for m in r.mentions] == [(13, 18, "Paris"), (22, 27, "Tokyo")]
    assert all(isinstance(m, Mention) for m in r.mentions)


def test_population_and_feature_prior(rec, res):
    r = run(rec, res, "Talks were held in Paris on Monday.")
    (p,) = place_of(r, "Paris")
    assert p.country_code == "FR"


def test_explicit_qualifier_city_state(rec, res):
    r = run(rec, res, "The storm hit Paris, Texas, on Monday.")
    (p,) = place_of(r, "Paris")
    assert (p.country_code, p.admin1) == ("US", "TX")
    (t,) = place_of(r, "Texas")
    assert t.fcode == "ADM1"


def test_qualifier_chooses_the_state_over_the_country(rec, res):
    r = run(rec, res, "She studied in Athens, Georgia, before moving.")
    (a,) = place_of(r, "Athens")
    (g,) = place_of(r, "Georgia")
    assert (a.country_code, a.admin1) == ("US", "GA")
    assert (g.country_code, g.fcode) == ("US", "ADM1")


def test_dateline_qualifier_with_a_country(rec, res):
    r = run(rec, res, "TBILISI, Georgia \u2014 Talks resumed on Friday.")
    (g,) = place_of(r, "Georgia")
    assert g.country_code == "GE"


def test_county_suffix_gives_a_second_level_area(res):
    r = given(res, "Deputies from Laurel County responded.", "Laurel County")
    p = r.mentions[0].place
    assert p.fcode == "ADM2" and (p.country_code, p.admin1) == ("US", "KY")


def test_county_suffix_fallback_to_the_admin_area(res):
    # written with an abbreviation the gazetteer does not list
    r = given(res, "Deputies from Laurel Co. responded.", "Laurel Co.")
    p = r.mentions[0].place
    assert p is not None and p.fcode == "ADM2" and p.admin1 == "KY"


def test_physical_feature_names(res):
    r = given(res, "Boats crossed Lake Tahoe and the Mississippi River.", "Lake Tahoe",
              "Mississippi River")
    assert [m.place.fclass for m in r.mentions] == ["H", "H"]


def test_context_country_and_state_agreement(rec, res):
    text = ("Cambridge officials met their counterparts from Boston and Worcester to "
            "discuss Massachusetts transit.")
    r = run(rec, res, text)
    (c,) = place_of(r, "Cambridge")
    assert (c.country_code, c.admin1) == ("US", "MA")
    text = "Cambridge and Oxford students protested in London about fees in England."
    r = run(rec, res, text)
    (c,) = place_of(r, "Cambridge")
    assert c.country_code == "GB"


def test_geographic_closeness_of_the_set(rec, res):
    text = ("Residents of Richmond joined neighbours from Fredericksburg, Petersburg and "
            "Charlottesville at the rally.")
    r = run(rec, res, text)
    (p,) = place_of(r, "Richmond")
    assert (p.country_code, p.admin1) == ("US", "VA")


def test_one_sense_per_name_per_article(rec, res):
    text = ("Athens, Ohio, is a college town. Athens has hills. The mayor of Athens "
            "spoke in Columbus.")
    r = run(rec, res, text)
    places = place_of(r, "Athens")
    assert len(places) == 3 and len({p.id for p in places}) == 1
    assert places[0].admin1 == "OH"


def test_confidence_runner_up_and_determinism(rec, res):
    text = "Paris officials said the Texas town would rebuild."
    a = run(rec, res, text)
    b = run(rec, res, text)
    assert [(m.place.id, m.confidence) for m in a.mentions] == \
        [(m.place.id, m.confidence) for m in b.mentions]
    for m in a.mentions:
        assert 0.0 <= m.confidence <= 1.0
        assert 0.0 <= m.runner_up_confidence <= 1.0
        if m.runner_up is not None:
            assert m.runner_up_confidence <= m.confidence or m.confidence < 0.5
            assert km(m.runner_up, m.place.lat, m.place.lon) > 161
    (paris,) = [m for m in a.mentions if m.text == "Paris"]
    assert paris.runner_up is not None  # Paris is ambiguous


def test_unambiguous_names_are_confident(rec, res):
    r = run(rec, res, "Officials in Kazakhstan and Uzbekistan met.")
    assert all(m.confidence > 0.9 for m in r.mentions)


def test_metonymy(rec, res):
    text = ("Moscow said on Tuesday it would respond. Beijing's position has not changed. "
            "She lives in Moscow with her family.")
    r = run(rec, res, text)
    flags = [(m.text, m.metonymic) for m in r.mentions]
    assert flags == [("Moscow", True), ("Beijing", True), ("Moscow", False)]


def test_given_span_text_variants(res):
    text = "the United States' allies, Korea\u2019s navy and JAPAN."
    r = given(res, text, "the United States'", "Korea\u2019s", "JAPAN.")
    ccs = [m.place.country_code if m.place else None for m in r.mentions]
    assert ccs[0] == "US" and ccs[2] == "JP"
    assert r.mentions[1].place is not None


def test_demonym_span_links_to_its_country(res):
    r = res(Article(id="d", text="Canadian troops"), [Span(0, 8, "Canadian", "demonym")])
    m = r.mentions[0]
    assert m.kind == "demonym" and m.place.country_code == "CA" and not m.metonymic


def test_nothing_fits(res):
    r = given(res, "They reached Xqzzyvillefordshire at dawn.", "Xqzzyvillefordshire")
    m = r.mentions[0]
    assert m.place is None and m.confidence == 0.0 and m.runner_up is None


def test_no_spans(res):
    r = res(Article(id="e", text="Nothing here."), [])
    assert r.mentions == [] and r.focus == []


def test_focus_levels(rec, res):
    text = ("Flooding in Dayton closed roads across Ohio. Dayton officials and Cincinnati "
            "crews worked through the night, Ohio's governor said.")
    r = run(rec, res, text)
    levels = {f.level: f for f in r.focus}
    assert levels["country"].place.country_code == "US"
    assert levels["admin1"].place.fcode == "ADM1" and levels["admin1"].place.admin1 == "OH"
    assert levels["city"].place.name == "Dayton"
    assert all(0 < f.score <= 1 for f in r.focus)


def test_streets_stay_unresolved(res):
    r = given(res, "A fire on Leeds Road was put out.", "Leeds Road")
    assert r.mentions[0].place is None


@pytest.fixture(scope="module")
def res_no_guess(gazetteer_db):
    """A resolver that leaves what nothing places unplaced (no guess from the focus)."""
    return Resolver(gazetteer_db, focus_guess=False)


def test_numbered_roads_belong_to_states_only(res_no_guess):
    text = "A crash closed I-17 near Flagstaff, and Ohio 7 was flooded."
    r = given(res_no_guess, text, "I-17", "Ohio 7")
    assert r.mentions[0].place is None   # no town called "I"
    assert (r.mentions[1].place.fcode, r.mentions[1].place.name) == ("ADM1", "Ohio")


def test_sea_is_not_a_town_of_the_same_first_word(res):
    r = given(res, "Ships crossed the Blackish Sea.", "Blackish Sea")
    p = r.mentions[0].place
    assert p is None or p.fclass not in ("P", "A")


def test_exonym_of_a_big_city_beats_a_small_namesake(rec, res):
    text = "Pilgrims travelled to Mecca and Medina in Saudi Arabia."
    r = run(rec, res, text)
    (m,) = place_of(r, "Mecca")
    assert m.country_code == "SA"


def test_derived_demonym_span_resolves_to_its_place(res):
    r = given(res, "Dagestani police said so.", "Dagestani")
    p = r.mentions[0].place
    assert p is not None and p.country_code == "RU" and p.fcode == "ADM1"


def test_fuzzy_matching_is_opt_in_and_less_confident(gazetteer_db, res):
    text = "Flooding hit Massachusets."
    span = [Span(13, 25, "Massachusets", "place")]
    assert res(Article(id="f", text=text), span).mentions[0].place is None
    m = Resolver(gazetteer_db, fuzzy=True)(Article(id="f", text=text), span).mentions[0]
    assert m.place.name == "Massachusetts" and m.place.fcode == "ADM1"
    assert m.confidence <= 0.8


def test_metonymy_of_buildings_and_literal_visits(rec, res):
    text = "The Pentagon signaled readiness. Reporters waited at the Pentagon in the rain."
    r = run(rec, res, text)
    assert [(m.text, m.metonymic) for m in r.mentions] == [("Pentagon", True),
                                                           ("Pentagon", False)]


def test_enumerated_states_are_states_not_towns_qualified_by_each_other(rec, res):
    text = "Cases were confirmed in Ohio, Oklahoma, Oregon and Utah."
    r = run(rec, res, text)
    assert [(m.text, m.place.fcode, m.place.country_code) for m in r.mentions] == [
        ("Ohio", "ADM1", "US"), ("Oklahoma", "ADM1", "US"), ("Oregon", "ADM1", "US"),
        ("Utah", "ADM1", "US")]


def test_curated_landmark_name_beats_a_big_citys_alternate_name(res):
    # "White House" is also an alternate name of Casablanca; with no other context the building wins
    m = given(res, "The White House said on Monday that talks would resume.", "White House").mentions[0]
    assert m.place.fcode == "BLDG" and m.place.country_code == "US"
    assert km(m.place, 38.8977, -77.0365) < 3
    # while exonyms of big cities still resolve to the city
    m = given(res, "Pilgrims travelled to Mecca for the hajj.", "Mecca").mentions[0]
    assert m.place.country_code == "SA"


def test_names_in_neighbouring_countries_support_a_reading(rec, res, gazetteer_db):
    text = "Officials from Jordan and Egypt met as aid reached Gaza."
    [gaza] = place_of(run(rec, res, text), "Gaza")
    assert gaza.country_code == "PS"
    # without borders in the gazetteer the same article reads Mozambique's province
    class NoBorders:
        def __getattr__(self, name):
            if name == "neighbours":
                raise AttributeError(name)
            return getattr(gazetteer_db, name)
    res2 = Resolver(NoBorders())
    res2.record = []
    [other] = place_of(run(rec, res2, text), "Gaza")
    assert other is not None  # a gazetteer without borders still resolves
    col = res2.weights.size and __import__("geo._ranker", fromlist=["IDX"]).IDX["ctx_border"]
    assert all(not feats[:, col].any() for _, _, feats in res2.record)
    res.record = []
    run(rec, res, text)
    feats = [f for idx, cands, f in res.record if any(m.place.country_code == "PS" for m in cands)]
    res.record = None
    assert feats and feats[0][:, col].max() > 0


def test_arabic_names_resolve_with_or_without_a_final_h(res):
    text = "Two patients came from Minufiya and one from Qalyubiya, Egypt."
    out = given(res, text, "Minufiya", "Qalyubiya", "Egypt")
    assert [m.place.country_code if m.place else None for m in out.mentions] == ["EG", "EG", "EG"]


def test_a_facility_named_after_its_town_resolves_near_the_town(res):
    text = "Flights resumed at Entebbe International Airport and at Aberdeen Proving Ground, Maryland."
    out = given(res, text, "Entebbe International Airport", "Aberdeen Proving Ground", "Maryland")
    entebbe, aberdeen, _ = (m.place for m in out.mentions)
    assert entebbe is not None and entebbe.country_code == "UG" and km(entebbe, 0.05, 32.46) < 161
    assert aberdeen is not None and aberdeen.country_code == "US" and aberdeen.admin1 == "MD"


def test_a_leading_article_that_belongs_to_the_name_is_kept(res):
    text = "Floods hit An Giang while ministers met in The Hague and A Coruña, not the Netherlands."
    out = given(res, text, "An Giang", "The Hague", "A Coruña", "the Netherlands")
    assert [m.place.country_code for m in out.mentions] == ["VN", "NL", "ES", "NL"]


def test_a_curated_alternate_name_beats_a_distant_namesake_in_context(rec, res):
    # the bundled shipping article: "the Gulf" beside Hormuz, Iran, Oman and the UAE is the
    # Persian Gulf, not Papua New Guinea's Gulf Province
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / "world-news.jsonl"
    article = next(a for a in map(json.loads, path.read_text(encoding="utf-8").splitlines())
                   if "Hormuz" in a["text"])
    gulfs = place_of(run(rec, res, article["text"]), "Gulf")
    assert gulfs and {g.name for g in gulfs} == {"Persian Gulf"}


def test_a_plural_generic_word_after_a_list_names_every_item(res):
    # "Cheyenne and Kimball counties": both are counties, though each alone is a town's name
    text = "Floods hit Cheyenne and Kimball counties in Nebraska."
    r = given(res, text, "Cheyenne", "Kimball", "Nebraska")
    (cheyenne,) = place_of(r, "Cheyenne")
    (kimball,) = place_of(r, "Kimball")
    assert (cheyenne.fcode, cheyenne.name, cheyenne.admin1) == ("ADM2", "Cheyenne County", "NE")
    assert (kimball.fcode, kimball.name, kimball.admin1) == ("ADM2", "Kimball County", "NE")
    # a name outside such a list keeps its own readings
    r = given(res, "Officials in Cheyenne and Kimball met.", "Cheyenne", "Kimball")
    assert place_of(r, "Cheyenne")[0].fcode != "ADM2"


def test_a_trailing_s_falls_back_to_a_peoples_name_never_to_a_town(gazetteer_db):
    from geo._candidates import candidates

    assert {m.place.country_code for m in candidates(gazetteer_db, "Kenyans").matches} == {"KE"}
    assert candidates(gazetteer_db, "Millbrook").matches   # a town of that name exists
    assert candidates(gazetteer_db, "Millbrooks").matches == []


def test_located_in_and_comma_in_qualify_like_a_comma(res):
    # the other names (a lab in Atlanta, Georgia) pull toward Georgia's Pike County
    text = ("Dead geese were found in Pike County located in Illinois; samples went to "
            "Atlanta, Georgia, and Macon, Georgia.")
    r = given(res, text, "Pike County", "Illinois", "Atlanta", "Georgia", "Macon", "Georgia")
    assert place_of(r, "Pike County")[0].admin1 == "IL"
    text = ("Flooding closed schools in Winamac, in Pulaski County, Indiana; crews came from "
            "Akron, Ohio, and Toledo, Ohio.")
    r = given(res, text, "Winamac", "Pulaski County", "Indiana", "Akron", "Ohio", "Toledo", "Ohio")
    assert [p.admin1 for p in place_of(r, "Winamac") + place_of(r, "Pulaski County")] == ["IN", "IN"]


def test_a_dateline_names_a_town_not_a_state(res):
    text = "Senate passes budget bill. WASHINGTON — Lawmakers voted 60-40 on Tuesday."
    r = given(res, text, "WASHINGTON")
    (p,) = place_of(r, "WASHINGTON")
    assert (p.fcode, p.country_code, p.admin1) == ("PPLC", "US", "DC")
    # the same word in running text is not a dateline
    r = given(res, "Apple growers in WASHINGTON expect a record harvest.", "WASHINGTON")
    assert place_of(r, "WASHINGTON")[0].fcode == "ADM1"


def test_sections_cut_long_texts_at_paragraph_breaks():
    from geo.resolve import sections

    text = "Alpha town.\n\n" + "x " * 40 + "\n\nBeta town. " + "y " * 40 + "Gamma."
    spans = [Span(text.index(w), text.index(w) + len(w), w, "place")
             for w in ("Alpha", "Beta", "Gamma")]
    assert sections(text, spans, size=len(text)) == [[0, 1, 2]]
    parts = sections(text, spans, size=100)
    assert [i for p in parts for i in p] == [0, 1, 2] and len(parts) >= 2
    assert parts[0] == [0]   # the cut falls at the paragraph break after "Alpha town."
    # a text with no break at all is still cut, every span in exactly one section
    flat = "Zeta " * 100
    zspans = [Span(k, k + 4, "Zeta", "place") for k in range(0, 500, 5)]
    zparts = sections(flat, zspans, size=60)
    assert sorted(i for p in zparts for i in p) == list(range(100)) and len(zparts) > 5


def test_a_long_text_is_resolved_section_by_section(rec, res, monkeypatch):
    """Two stories in one long text: each keeps its own sense of a shared name, where one
    context for the whole text would force one sense on both (and cost its square)."""
    import geo.resolve

    texan = "Paris, Texas, and Tyler had storms. Paris schools closed near Dallas."
    french = "Paris, France, and Lyon had strikes. Paris trains stopped near Marseille."
    text = texan + "\n\n" + "Other news followed. " * 12 + "\n\n" + french
    spans = rec(text)
    monkeypatch.setattr(geo.resolve, "SECTION_CHARS", len(texan) + 200)
    r = res(Article(id="long", text=text), spans)
    assert [(m.start, m.end) for m in r.mentions] == [(s.start, s.end) for s in spans]
    by_half = {(m.start < len(texan), m.place.country_code) for m in r.mentions
               if m.text == "Paris"}
    assert by_half == {(True, "US"), (False, "FR")}
    # the sections' results are those of the stories resolved alone, offsets shifted
    alone = run(rec, res, french)
    shift = text.index(french)
    assert [(m.start - shift, m.place.id if m.place else None) for m in r.mentions
            if m.start >= shift] == [(m.start, m.place.id if m.place else None)
                                     for m in alone.mentions]


def test_sections_also_cut_a_text_naming_too_many_names():
    from geo.resolve import sections

    text = "Alpha, Beta, Alpha, Gamma, Delta and Beta."
    words = ["Alpha", "Beta", "Alpha", "Gamma", "Delta", "Beta"]
    spans, pos = [], 0
    for w in words:
        i = text.index(w, pos)
        spans.append(Span(i, i + len(w), w, "place"))
        pos = i + len(w)
    assert sections(text, spans, names=4) == [[0, 1, 2, 3, 4, 5]]
    # at most two distinct names per section, consecutive spans, each span once
    assert sections(text, spans, names=2) == [[0, 1, 2], [3, 4], [5]]
    # given spans out of text order come back by position within their section
    assert sections(text, spans[::-1], names=2) == [[5, 4, 3], [2, 1], [0]]


def test_congo_is_either_congo_as_the_context_says(rec, res):
    (east,) = place_of(run(rec, res, "Troops moved to Goma and Bukavu in eastern Congo."), "Congo")
    (west,) = place_of(run(rec, res, "Brazzaville said Congo would reopen its border."), "Congo")
    assert (east.country_code, west.country_code) == ("CD", "CG")


def test_washington_d_c_spaced_is_the_capital(rec, res):
    r = run(rec, res, "The awards were presented at a ceremony in Washington, D. C., on Thursday.")
    assert [m.text for m in r.mentions] == ["Washington", "D. C."]
    assert r.mentions[0].place.fcode == "PPLC"


def test_a_town_outside_its_state_qualifier_goes_to_the_qualifier(rec, res):
    # the gazetteer knows a Dunfermline in Scotland and one in Illinois, none in Ontario
    r = run(rec, res, "The truck was stopped on a highway in Dunfermline, Ontario, on Monday.")
    (ontario,) = place_of(r, "Ontario")   # after "<town>, ": the province, not the Californian city
    assert (ontario.fcode, ontario.country_code) == ("ADM1", "CA")
    (m,) = [m for m in r.mentions if m.text == "Dunfermline"]
    assert m.place == ontario and 0 < m.confidence < 0.31   # somewhere in Ontario, unsure
    assert m.runner_up is not None and m.runner_up.name == "Dunfermline"   # the best guess, kept
    # a qualifier that fits still decides
    (p,) = place_of(run(rec, res, "The truck was stopped in Dunfermline, Illinois, on Monday."),
                    "Dunfermline")
    assert (p.country_code, p.admin1) == ("US", "IL")


def test_a_place_the_gazetteer_lacks_goes_where_the_text_puts_it(rec, res):
    text = "Cases were found in Qwertyville, Auckland, and in the Zorbu slums of Nairobi."
    r = given(res, text, "Qwertyville", "Auckland", "Zorbu", "Nairobi")
    q, auckland, z, nairobi = r.mentions
    assert q.place == auckland.place and q.place.country_code == "NZ"
    assert z.place == nairobi.place and z.place.country_code == "KE"
    assert 0 < q.confidence <= 0.3 * auckland.confidence + 1e-9   # a guess, and says so
    # ... or before it: "Nairobi's Zorbu", "the Nairobi slum Zorbu"
    for text in ("Fire swept Nairobi's Zorbu district.", "Fire swept the Nairobi slum Zorbu."):
        nairobi, z = given(res, text, "Nairobi", "Zorbu").mentions
        assert z.place == nairobi.place and z.place.country_code == "KE"
    # a street the recogniser finds lies in its town
    r = run(rec, res, "The crash happened on Kibble Road in Charleston, West Virginia.")
    road, town = r.mentions[0], r.mentions[1]
    assert road.text == "Kibble Road" and road.place == town.place


def test_a_list_is_no_container(res_no_guess):
    text = "Teams came from Qwertyville, Auckland, Tokyo and Paris."
    r = given(res_no_guess, text, "Qwertyville", "Auckland", "Tokyo", "Paris")
    assert r.mentions[0].place is None
    # ... with articles too: "the Sahel, the Qwert Basin, the Middle East"
    text = "Storms hit the Sahel, the Qwertu, the Middle East."
    r = given(res_no_guess, text, "Sahel", "Qwertu", "Middle East")
    assert r.mentions[1].place is None


def test_a_name_nothing_places_gets_the_articles_focus_as_a_guess(gazetteer_db):
    text = ("Officials in Nairobi said the Qwertu estate was flooded. Nairobi schools closed "
            "and Nairobi roads were cut.")
    spans = [Span(m.start(), m.end(), m.group(), "place")
             for m in re.finditer(r"Nairobi|Qwertu", text)]
    art = Article(id="f", text=text)
    r = Resolver(gazetteer_db)(art, spans)
    q = r.mentions[1]
    assert q.place == r.mentions[0].place and q.place.country_code == "KE"
    assert 0 < q.confidence <= 0.2   # a guess, and it says so
    r = Resolver(gazetteer_db, focus_guess=False)(art, spans)
    assert r.mentions[1].place is None
